"""OCF export: every file validates against the vendored OCF 1.2.0 schemas (no network), and an
import into an empty database reproduces the holders, instruments and transactions."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from deals.ocf.export import build_package, ocf_export
from deals.ocf.validate import validation_errors

from .test_cap_table import deal  # noqa: F401  (the three-holder deal with conversions and an exercise)


def test_export_validates(deal):  # noqa: F811
    package = build_package()
    for name, doc in package.files.items():
        assert validation_errors(doc) == [], name
    tx = package.files["Transactions.ocf.json"]["items"]
    kinds = [t["object_type"] for t in tx]
    assert kinds.count("TX_CONVERTIBLE_CONVERSION") == 2 and kinds.count("TX_STOCK_CONVERSION") == 1
    assert kinds.count("TX_WARRANT_EXERCISE") == 1 and kinds.count("TX_CONVERTIBLE_ISSUANCE") == 1
    names = zipfile.ZipFile(io.BytesIO(ocf_export())).namelist()
    assert names[0] == "Manifest.ocf.json"


def test_a_dishonoured_exercise_is_not_exported(deal, deal_admin):  # noqa: F811
    """SPA 5(f): the deal's one exercise (10,000 shares on 2000-06-01) dishonoured on 2000-06-05 never
    took effect: no Common issuance and no TX_WARRANT_EXERCISE for it; the export still validates."""
    import datetime

    from deals.models import WarrantExercise
    from deals.services import exercises as ex_svc
    from tests.services.test_conversions import set_business_date

    ex = WarrantExercise.objects.get()
    before = {t["id"] for t in build_package().files["Transactions.ocf.json"]["items"]}
    assert {f"tx-ex-{ex.pk}", f"tx-cs-ex-{ex.pk}"} <= before  # listed while it stands
    set_business_date(datetime.date(2000, 6, 5))
    ex_svc.exercise_dishonour(exercise=ex, notice_date=datetime.date(2000, 6, 5), user=deal_admin)
    package = build_package()
    for name, doc in package.files.items():
        assert validation_errors(doc) == [], name
    tx = package.files["Transactions.ocf.json"]["items"]
    assert {t["id"] for t in tx} == before - {f"tx-ex-{ex.pk}", f"tx-cs-ex-{ex.pk}"}
    assert [t["object_type"] for t in tx].count("TX_WARRANT_EXERCISE") == 0
    assert not any(f"CS-E{ex.pk}" == t.get("custom_id") for t in tx)


def test_download_button(deal, clerk_client):  # noqa: F811
    page = clerk_client.get("/cap-table/")
    assert b"/cap-table/export-ocf.zip" in page.content
    r = clerk_client.get("/cap-table/export-ocf.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert "Manifest.ocf.json" in zipfile.ZipFile(io.BytesIO(r.content)).namelist()


def test_a_schema_error_is_reported_not_ignored():
    bad = {
        "file_type": "OCF_STAKEHOLDERS_FILE",
        "items": [{"id": "x", "object_type": "STAKEHOLDER", "name": {"legal_name": "A"}, "stakeholder_type": "ROBOT"}],
    }
    errors = validation_errors(bad)
    assert errors and "items/0" in errors[0]


def test_validation_never_uses_the_network(monkeypatch):
    import socket

    def refuse(*a, **k):
        raise AssertionError("network access during OCF validation")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    doc = {"file_type": "OCF_STOCK_CLASSES_FILE", "items": []}
    assert validation_errors(doc) == []
    assert json.dumps(doc)


def deal_facts() -> dict:
    """What the round trip must reproduce: holders, instruments, transactions (no database ids)."""
    from deals.models import Conversion, Debenture, Investor, Issuer, PreferredHolding, Warrant, WarrantExercise

    issuer = Issuer.objects.get()
    return {
        "issuer": (issuer.name, issuer.authorized_common_shares, issuer.shares_outstanding_at_signing, issuer.shares_issued),
        "holders": sorted((i.legal_name, i.kind) for i in Investor.objects.all()),
        "debentures": sorted(
            (
                d.number,
                d.investor.legal_name,
                d.principal,
                d.principal_outstanding,
                d.issue_date,
                d.dated_date,
                d.closing_date,
                d.maturity_date,
                d.status,
            )
            for d in Debenture.objects.select_related("investor")
        ),
        "series_j": sorted(
            (
                p.certificate_number,
                p.investor.legal_name,
                p.shares,
                p.liquidation_preference,
                p.liquidation_preference_outstanding,
                p.closing_date,
            )
            for p in PreferredHolding.objects.select_related("investor")
        ),
        "warrants": sorted(
            (w.number, w.investor.legal_name, w.shares, w.shares_remaining, w.exercise_price, w.expiry_date)
            for w in Warrant.objects.select_related("investor")
        ),
        "conversions": sorted(
            (c.instrument_label, c.investor.legal_name, c.conversion_date, c.amount, c.conversion_price, c.shares_issuable)
            for c in Conversion.objects.select_related("debenture", "preferred", "investor").filter(
                status__in=["pending_delivery", "delivered"]
            )
        ),
        "exercises": sorted(
            (e.warrant.number, e.investor.legal_name, e.exercise_date, e.shares, e.exercise_price)
            for e in WarrantExercise.objects.select_related("warrant", "investor")
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_database(django_user_model, settings, tmp_path):
    import datetime
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from deals.services.ocf import ocf_import
    from deals.services.roles import CLERK, ensure_groups
    from tests import factories as f
    from tests.api.test_cap_table import MarketPrice, conv_svc, ex_svc, set_business_date, uuid

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_groups()
    user = django_user_model.objects.create_user("clerk", password="x")
    user.groups.add(Group.objects.get(name=CLERK))
    set_business_date(datetime.date(2000, 6, 30))
    f.DealTermsVersionFactory()
    f.price_series(datetime.date(1999, 12, 1), datetime.date(2000, 6, 30), bid=Decimal("1.5000"))
    MarketPrice.objects.filter(date=datetime.date(2000, 5, 15)).update(closing_bid=Decimal("1.0000"))
    deb, pref = f.DebentureFactory(), f.PreferredHoldingFactory(shares=400)
    w = f.WarrantFactory(shares=50_000)
    day = datetime.date(2000, 6, 1)
    set_business_date(day)  # recorded on the day of the fax (Debenture 4(A) fax-date limit)
    for inst, amount in ((deb, "30000"), (pref, "200000")):
        inst.refresh_from_db()
        conv_svc.conversion_submit(
            instrument=inst,
            amount=Decimal(amount),
            conversion_date=day,
            notice_method="facsimile",
            notice_received_date=day,
            interest_election="cash",
            idempotency_key=uuid.uuid4().hex,
            user=user,
        )
    ex_svc.exercise_submit(
        warrant=w,
        shares=5_000,
        exercise_date=day,
        payment_amount=Decimal("8250"),
        payment_date=day,
        idempotency_key=uuid.uuid4().hex,
        user=user,
    )
    set_business_date(datetime.date(2000, 6, 30))
    before = deal_facts()
    out = tmp_path / "deal.zip"
    call_command("export_ocf", str(out))
    archive = out.read_bytes()

    call_command("flush", interactive=False, verbosity=0)
    ensure_groups()
    user = django_user_model.objects.create_user("importer", password="x")
    counts = ocf_import(archive=archive, user=user)
    assert counts["conversions"] == 2 and counts["exercises"] == 1
    assert deal_facts() == before
