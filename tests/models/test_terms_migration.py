"""Migration 0005 (issue 18): today's single set of versions becomes one set per existing
financing, values and numbers unchanged; every conversion keeps pointing at a version with
the values that priced it (its own financing's copy)."""

import copy
import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection

from deals import models as m
from deals.selectors.terms import terms_in_force
from tests import factories as f

fill = importlib.import_module("deals.migrations.0005_fill_terms_financing").fill_terms_financing
by_kind = importlib.import_module("deals.migrations.0009_fill_terms_by_kind").fill_terms_by_kind


@pytest.fixture
def nullable_financing(transactional_db):
    """The schema between 0004 and 0006 (the tests run without migrations): a version's
    financing may be empty. Restored afterwards."""
    field = m.DealTermsVersion._meta.get_field("financing")
    loose = copy.copy(field)
    loose.null = True
    with connection.schema_editor() as editor:
        editor.alter_field(m.DealTermsVersion, field, loose)
    yield
    m.DealTermsVersion.objects.filter(financing__isnull=True).delete()
    with connection.schema_editor() as editor:
        editor.alter_field(m.DealTermsVersion, loose, field)


@pytest.mark.slow
def test_single_version_set_moves_to_each_financing_and_conversions_keep_their_figures(nullable_financing):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username="migrator")
    sj = f.SeriesJFinancingFactory(name="Series J", terms=False)
    deb_fin = f.FinancingFactory(name="Debentures", terms=False)
    v1 = m.DealTermsVersion.objects.create(version=1, effective_from=datetime.date(1999, 1, 1), reason="defaults",
                                           **m.DealTermsVersion.values_from_terms(f.NHTC_DEFAULTS))
    v2 = m.DealTermsVersion.objects.create(version=2, effective_from=datetime.date(2000, 6, 15), reason="SPA 4(j)(v)",
                                           **{**m.DealTermsVersion.values_from_terms(f.NHTC_DEFAULTS),
                                              "debenture_fixed_price": Decimal("1.2500")})
    day = datetime.date(2000, 3, 1)
    deb = f.DebentureFactory(financing=deb_fin)
    hold = f.PreferredHoldingFactory(financing=sj)
    common = dict(amount=Decimal("50000"), conversion_date=day, notice_method="facsimile",
                  notice_received_date=day, conversion_price=Decimal("1.2500"), shares_for_amount=40000,
                  shares_issuable=40000, delivery_date=day, snapshot={}, created_by=user)
    c_deb = m.Conversion.objects.create(debenture=deb, investor=deb.investor, terms_version=v2, idempotency_key="d", **common)
    c_sj = m.Conversion.objects.create(preferred=hold, investor=hold.investor, terms_version=v1, idempotency_key="p", **common)

    fill(django_apps, None)

    assert not m.DealTermsVersion.objects.filter(financing__isnull=True).exists()
    by_fin = {(v.financing.name, v.version): v for v in m.DealTermsVersion.objects.select_related("financing")}
    assert set(by_fin) == {("Series J", 1), ("Series J", 2), ("Debentures", 1), ("Debentures", 2)}
    for n in (1, 2):  # values unchanged, in both copies
        a, b = by_fin[("Series J", n)], by_fin[("Debentures", n)]
        assert a.to_terms() == b.to_terms() and a.effective_from == b.effective_from and a.reason == b.reason
    assert by_fin[("Series J", 1)].pk == v1.pk and by_fin[("Series J", 2)].pk == v2.pk  # the first financing keeps the rows
    c_deb.refresh_from_db()
    c_sj.refresh_from_db()
    assert c_sj.terms_version_id == v1.pk
    assert c_deb.terms_version == by_fin[("Debentures", 2)]  # its own financing's copy of the version that priced it
    assert c_deb.terms_version.debenture_fixed_price == Decimal("1.2500")

    by_kind(django_apps, None)  # 0009: each financing keeps only its kind's terms, values unchanged
    sj2, deb2 = (m.DealTermsVersion.objects.get(pk=by_fin[k].pk) for k in (("Series J", 2), ("Debentures", 2)))
    assert sj2.debenture_fixed_price is None and sj2.preferred_fixed_price == f.NHTC_DEFAULTS.preferred_fixed_price
    assert deb2.preferred_stated_value is None and deb2.debenture_fixed_price == Decimal("1.2500")
    assert sj2.cap_pct == deb2.cap_pct == f.NHTC_DEFAULTS.cap_pct  # Company covenants: both carry them
    assert terms_in_force(financing=deb_fin, day=datetime.date(2000, 7, 1)).version == by_fin[("Debentures", 2)]
    assert terms_in_force(financing=sj, day=datetime.date(2000, 6, 14)).version == v1
    fill(django_apps, None)  # a second run finds nothing to move
    assert m.DealTermsVersion.objects.count() == 4
