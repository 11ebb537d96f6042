"""The terms admin (issue 12): ranges and cross-field rules (``params.term_problems``), the records a
version effective on or before them would have priced (acknowledgement), and the consents a contract
change needs -- all refused in the form, nothing written; a valid request redirects to its approval."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Approval, DealTermsVersion
from deals.terms.params import DealTerms

D = Decimal


def _data(version, **changes):
    data = {n: getattr(version, n) for n in DealTerms.field_names()}
    data = {k: ("true" if v is True else v) for k, v in data.items() if v is not False and v is not None}  # NullBoolean select
    data.update({"financing": version.financing_id, "effective_from": "2000-07-03", "reason": "test"})
    data.update(changes)
    return data


def _post(client, version, **changes):
    return client.post(f"/admin/deals/dealtermsversion/add/?financing={version.financing_id}", _data(version, **changes))


def _errors(response) -> dict:
    return response.context["adminform"].form.errors


@pytest.fixture
def v1(series_j):
    return series_j.financing.terms_versions.get()


@pytest.mark.parametrize("value, ok", [("100", True), ("100.01", False), ("0", False), ("-5", False)])
def test_discount_in_range_at_and_over_the_edge(deal_admin_client, v1, series_j, value, ok):
    r = _post(deal_admin_client, v1, preferred_discount_pct=value, instrument=SimpleUploadedFile("a.pdf", b"x"),
              instrument_date="2000-06-30", company_consents="on",
              consenting_investors=[i.pk for i in series_j.investors])
    if ok:
        assert r.status_code == 302, _errors(r)
        assert Approval.objects.count() == 1
    else:
        assert r.status_code == 200 and "preferred_discount_pct" in _errors(r) and not Approval.objects.exists()


def test_day_count_must_be_one_of_the_allowed(deal_admin_client, v1):
    r = _post(deal_admin_client, v1, preferred_day_count="act_366")
    assert r.status_code == 200 and "preferred_day_count" in _errors(r)


def test_contract_change_without_instrument_or_enough_consents_is_refused(deal_admin_client, v1, series_j):
    r = _post(deal_admin_client, v1, preferred_fixed_price="1.2500")
    errors = _errors(r)
    assert "attach the written instrument" in str(errors["instrument"]) and "instrument_date" in errors
    r = _post(deal_admin_client, v1, preferred_fixed_price="1.2500", instrument=SimpleUploadedFile("a.pdf", b"x"),
              instrument_date="2000-06-30", company_consents="on", consenting_investors=[series_j.investors[0].pk])
    assert "50.00% of the liquidation preference; 67% is required" in str(_errors(r)["consenting_investors"])
    assert not Approval.objects.exists() and DealTermsVersion.objects.count() == 1


def test_version_effective_on_or_before_a_conversion_lists_it_and_needs_the_tick(deal_admin_client, deal_admin):
    from tests.services.test_conversions import CONV_DATE, make_world, submit

    w = make_world()
    conv = submit(w.preferred, "10000", deal_admin)
    v1 = w.preferred.financing.terms_versions.get()
    r = _post(deal_admin_client, v1, fax_date_max_business_days=6, effective_from=CONV_DATE.isoformat())
    text = str(_errors(r)["acknowledge_records"])
    assert f"Conversion #{conv.pk}" in text and "(terms v1)" in text and "keep the version they used" in text
    r = _post(deal_admin_client, v1, fax_date_max_business_days=6, effective_from=CONV_DATE.isoformat(),
              acknowledge_records="on")
    approval = Approval.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/approvals/{approval.pk}/"
    assert approval.payload["records_acknowledged"][0]["pk"] == conv.pk
    # the day after: nothing to acknowledge
    next_day = (CONV_DATE + datetime.timedelta(days=1)).isoformat()
    r = _post(deal_admin_client, v1, fax_date_max_business_days=8, effective_from=next_day)
    assert r.status_code == 302
