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


def new_labels(t) -> tuple:
    """What a transfer or exchange issued: certificate, warrant or D-numbers."""
    labels = [d.number for d in t.new_debentures.all()]
    if t.new_preferred is not None:
        labels.append(t.new_preferred.label)
    if t.new_warrant is not None:
        labels.append(t.new_warrant.number)
    return tuple(sorted(labels))


def deal_facts() -> dict:
    """What the round trip must reproduce: holders, instruments, transactions (no database ids)."""
    from deals.models import CapRemedy, Conversion, Debenture, Investor, Issuer, PreferredHolding, Transfer, Warrant, WarrantExercise

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
                p.status,
            )
            for p in PreferredHolding.objects.select_related("investor")
        ),
        "warrants": sorted(
            (w.number, w.investor.legal_name, w.shares, w.shares_remaining, w.exercise_price, w.issue_date, w.expiry_date, w.status)
            for w in Warrant.objects.select_related("investor")
        ),
        "cap_remedies": sorted(
            (
                r.conversion.instrument_label,
                r.conversion.conversion_date,
                r.remedy,
                r.chosen_date,
                r.unconverted_shares,
                r.amount,
                r.due_date,
                r.snapshot.get("shares"),
            )
            for r in CapRemedy.objects.select_related("conversion__preferred__financing")
        ),
        "transfers": sorted(
            (
                t.kind,
                t.security,
                t.source_label,
                t.transferor.legal_name,
                t.transferee.legal_name,
                t.amount,
                t.warrant_shares,
                t.transfer_date,
                t.notice_to_company_date,
                new_labels(t),
            )
            for t in Transfer.objects.select_related("transferor", "transferee")
        ),
        "conversions": sorted(
            (c.instrument_label, c.investor.legal_name, c.conversion_date, c.amount, c.conversion_price, c.shares_issuable)
            for c in Conversion.objects.select_related("debenture", "preferred", "investor").filter(
                status__in=["pending_delivery", "delivered"]
            )
        ),
        "exercises": sorted(
            (e.warrant.number, e.investor.legal_name, e.exercise_date, e.shares, e.exercise_price)
            for e in WarrantExercise.objects.select_related("warrant", "investor").exclude(status="dishonoured")
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


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_cap_remedies_transfers_and_an_exchange(django_user_model, settings, tmp_path):
    """Issue 14 "cancellations/transfers where they exist": SPA 4(i) remedies (x) and (y), a Series J,
    a warrant and a debenture transfer (SPA 4(a); Debenture 3) and an exchange (Debenture 1); a
    dishonoured exercise (SPA 5(f)) is left out. All validate and come back from an import."""
    import datetime
    from decimal import Decimal as D

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from deals.models import CapRemedy
    from deals.services import conversions as conv_svc
    from deals.services import exercises as ex_svc
    from deals.services import transfers as tr_svc
    from deals.services.ocf import ocf_import
    from deals.services.roles import DEAL_ADMIN, ensure_groups
    from tests import factories as f
    from tests.services.test_conversions import make_world, set_business_date, submit

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_groups()
    user = django_user_model.objects.create_user("admin", password="x")
    user.groups.add(Group.objects.get(name=DEAL_ADMIN))
    w = make_world(bid=D("0.0500"), end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "400000", user)  # over the 20% cap: Unconverted Shares (SPA 4(i))
    day = datetime.date(2000, 6, 15)
    set_business_date(day)
    conv_svc.cap_remedy_choose(conversion=conv, remedy="x", shares=1, chosen_date=day, user=user)
    conv_svc.cap_remedy_choose(conversion=conv, remedy="y", shares=2, chosen_date=day, user=user)
    other = f.InvestorFactory(legal_name="Gamma Offshore Ltd.")
    common = dict(
        transferee=other, transfer_date=day, notice_to_company_date=day - datetime.timedelta(days=3), assignee_non_us=True,
        assignee_accredited=True, counsel_opinion="Opinion of Smith LLP", rights_requested=False, written_assignment=False,
        transferee_bound=False, user=user,
    )  # fmt: skip
    tr_svc.transfer_submit(source=w.preferred, amount=D("100000"), **common)
    tr_svc.transfer_submit(source=w.debenture, amount=w.debenture.principal_outstanding, **common)
    warrant = f.WarrantFactory(shares=50_000, financing=w.preferred.financing, investor=w.preferred.investor)
    tr_svc.transfer_submit(source=warrant, warrant_shares=10_000, **common)
    big = f.DebentureFactory(financing=w.debenture.financing, investor=w.debenture.investor, number="D-9", principal=D("200000"),
                             principal_outstanding=D("200000"))  # fmt: skip
    tr_svc.debenture_exchange(debenture=big, denominations=[D("100000"), D("100000")], exchange_date=day, user=user)
    ex = ex_svc.exercise_submit(
        warrant=warrant, shares=1_000, exercise_date=day, payment_amount=D("10000"), payment_date=day,
        idempotency_key="dishonoured-ex", user=user,
    )  # fmt: skip
    ex_svc.exercise_dishonour(exercise=ex, notice_date=day, user=user)

    package = build_package()
    tx = package.files["Transactions.ocf.json"]["items"]
    kinds = [t["object_type"] for t in tx]
    assert kinds.count("TX_STOCK_TRANSFER") == 1 and kinds.count("TX_WARRANT_TRANSFER") == 1
    assert kinds.count("TX_CONVERTIBLE_TRANSFER") == 2 and kinds.count("TX_STOCK_CANCELLATION") == 1
    assert kinds.count("TX_STOCK_CONVERSION") == 2  # the conversion and remedy (x)
    assert "TX_WARRANT_EXERCISE" not in kinds  # dishonoured: never took effect
    exchange = next(t for t in tx if t["object_type"] == "TX_CONVERTIBLE_TRANSFER" and len(t["resulting_security_ids"]) == 2)
    assert exchange["amount"]["amount"] == "200000"
    remx = next(t for t in tx if t["id"].startswith("tx-cs-remx-"))
    x_row = CapRemedy.objects.get(remedy="x")
    assert remx["quantity"] == str(x_row.snapshot["shares"]) and remx["stock_class_id"] == "common"
    sj = next(t for t in tx if t["object_type"] == "TX_STOCK_TRANSFER")
    assert sj["quantity"] == "100"
    new_cert = next(t for t in tx if t["security_id"] == sj["resulting_security_ids"][0])
    assert new_cert["date"] == day.isoformat() and new_cert["stakeholder_id"] == f"inv-{other.pk}"
    fin_ids = {i for fin in package.files["Financings.ocf.json"]["items"] for i in fin["issuance_ids"]}
    assert new_cert["id"] not in fin_ids  # issued on a transfer, not sold in the financing

    before = deal_facts()
    assert len(before["transfers"]) == 4 and len(before["cap_remedies"]) == 2
    out = tmp_path / "deal.zip"
    call_command("export_ocf", str(out))
    archive = out.read_bytes()
    call_command("flush", interactive=False, verbosity=0)
    ensure_groups()
    importer = django_user_model.objects.create_user("importer", password="x")
    counts = ocf_import(archive=archive, user=importer)
    assert counts["transfers"] == 4 and counts["cap_remedies"] == 2 and counts["exercises"] == 0
    assert deal_facts() == before
