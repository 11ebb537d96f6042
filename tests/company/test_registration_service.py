"""RRA 2(a)(i)-(ii), 2(b)(i)(A)-(C), 3(c), 4(a): registration statement service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deals.models import ObligationKind, ObligationStatus
from deals.services.company import registration as svc
from deals.services.obligations import obligations_for

from .conftest import make_conversion

D = datetime.date


def _save(deal, as_of, **data):
    base = {"shares_registered": 0}
    base.update(data)
    return svc.registration_statement_save(financing=deal["financing"], data=base, user=None, as_of=as_of)


@pytest.mark.django_db
def test_shares_required_are_200pct_of_conversion_shares_with_five_years_dividends_plus_warrants(deal, as_of):
    # RRA 2(a)(i) dividends "through the fifth anniversary": 2000-03-07 through 2005-03-07 included =
    # 1,827 days at 6% act/365 = $300,328.77; $1,300,328.77 at $1.4375 (80% of $2.00 = $1.60 > fixed)
    # -> 904,577 sh (rounded up); x 200% = 1,809,154; + 100,000 warrant shares = 1,909,154.
    ov = svc.registration_overview(financing=deal["financing"], as_of=as_of)
    assert ov.errors == []
    assert ov.required.conversion_price == Decimal("1.4375")
    assert ov.required.conversion_shares == 904_577
    assert ov.required.total == 1_909_154
    assert ov.anticipated_initial_effective_date == D(2000, 6, 5)  # 90 days after 2000-03-07


@pytest.mark.django_db
def test_conversions_move_the_registrable_count_live(deal, as_of):
    before = svc.registration_overview(financing=deal["financing"], as_of=as_of).registrable_now
    make_conversion(deal["ha"], D(2000, 3, 20), "100000", 70_000)
    ha = deal["ha"]
    ha.liquidation_preference_outstanding = Decimal("500000")
    ha.save()
    after = svc.registration_overview(financing=deal["financing"], as_of=as_of)
    assert after.shares_issued_on_conversion == 70_000
    assert after.registrable_now != before


@pytest.mark.django_db
def test_registrable_above_registered_is_an_increased_registered_shares_date_with_deadlines(deal, as_of):
    _save(deal, as_of, filed_date=D(2000, 3, 20), shares_registered=500_000)
    ov = svc.registration_overview(financing=deal["financing"], as_of=as_of)
    # $1,000,000 + dividends through the second anniversary (2000-03-07..2002-03-07 included, 731 days
    # at 6% act/365 = $120,164.38) = $1,120,164.38 / 1.4375 -> 779,245 + 100,000 warrants = 879,245 > 500,000
    assert ov.registrable_now == 879_245
    assert ov.is_increased_registered_shares_date
    amendment = svc.increased_shares_record(financing=deal["financing"], user=None, as_of=as_of)
    assert amendment.snapshot["amendment_deadline"] == "2000-04-10"  # 10 business days after 2000-03-27
    # RRA 2(b)(i)(B): earlier of 2000-06-05 and 60 days after the IRSD (2000-05-26)
    assert amendment.snapshot["required_effective_date"] == "2000-05-26"
    kinds = {o.kind: o.due_date for o in obligations_for(amendment)}
    assert kinds[ObligationKind.AMENDMENT_DUE] == D(2000, 4, 10)
    assert kinds[ObligationKind.REQUIRED_EFFECTIVE] == D(2000, 5, 26)


@pytest.mark.django_db
def test_recording_an_irsd_is_refused_when_registered_shares_suffice(deal, as_of):
    _save(deal, as_of, filed_date=D(2000, 3, 20), shares_registered=2_000_000)
    with pytest.raises(ValidationError, match="not an Increased Registered Shares Date"):
        svc.increased_shares_record(financing=deal["financing"], user=None, as_of=as_of)


@pytest.mark.django_db
def test_required_effective_obligation_opens_on_save_and_closes_when_effective(deal, as_of):
    st = _save(deal, as_of, filed_date=D(2000, 3, 20))
    ob = obligations_for(st).get(kind=ObligationKind.REQUIRED_EFFECTIVE)
    assert (ob.due_date, ob.status, ob.clause) == (D(2000, 6, 5), ObligationStatus.OPEN, "RRA 2(b)(i)(A)")
    _save(deal, as_of, filed_date=D(2000, 3, 20), effective_date=D(2000, 4, 3))
    ob.refresh_from_db()
    assert ob.status == ObligationStatus.SATISFIED and ob.satisfied_date == D(2000, 4, 3)
    period_end = obligations_for(st).get(kind=ObligationKind.REGISTRATION_PERIOD_END)
    assert period_end.due_date == D(2002, 5, 31)  # 2 years after the last day of May 2000 (RRA 3(a)(i))


@pytest.mark.django_db
def test_effective_before_filed_is_refused(deal, as_of):
    with pytest.raises(ValidationError, match="before the filing date"):
        _save(deal, as_of, filed_date=D(2000, 3, 20), effective_date=D(2000, 3, 19))
    with pytest.raises(ValidationError, match="before it is filed"):
        _save(deal, as_of, effective_date=D(2000, 3, 19))


@pytest.mark.django_db
def test_filing_checklist_counts_back_three_business_days_and_ten_days(deal, as_of):
    _save(
        deal,
        as_of,
        anticipated_filing_date=D(2000, 4, 17),
        counsel_review_sent=D(2000, 4, 13),
        requested_information_received=D(2000, 4, 7),
    )
    ov = svc.registration_overview(financing=deal["financing"], as_of=as_of)
    assert ov.filing.counsel_review_by == D(2000, 4, 12)
    assert ov.filing.requested_information_by == D(2000, 4, 7)  # exactly on the deadline: no breach
    assert len(ov.filing.breaches) == 1 and "RRA 3(c)" in ov.filing.breaches[0]


@pytest.mark.django_db
def test_missing_prices_are_named_not_guessed(deal):
    from deals.models import MarketPrice

    MarketPrice.objects.filter(date=D(2000, 3, 24)).delete()
    ov = svc.registration_overview(financing=deal["financing"], as_of=D(2000, 3, 27))
    assert ov.required is None
    assert any("2000-03-24" in e for e in ov.errors)


@pytest.mark.django_db
def test_then_registered_has_one_definition_for_the_page_and_the_admin_figure(deal, as_of):
    # RRA 2(a)(ii) "then registered": shares in a filed statement (effective or not) plus amendments
    # filed by the date; the admin figure reads the same function as the registration page
    from deals.models import RegistrationAmendment
    from deals.selectors import derived

    st = _save(deal, as_of, filed_date=D(2000, 3, 20), shares_registered=500_000)
    RegistrationAmendment.objects.create(statement=st, filed_date=D(2000, 3, 24), shares_added=100_000)
    RegistrationAmendment.objects.create(statement=st, filed_date=D(2000, 4, 20), shares_added=7)  # after as_of
    ov = svc.registration_overview(financing=deal["financing"], as_of=as_of)
    assert ov.registered == 600_000  # not effective yet, still registered; the later filing not yet
    fig = derived.registration_status(st, as_of=as_of)
    assert fig.extra["registered"] == ov.registered


@pytest.mark.django_db
def test_nothing_is_then_registered_before_the_statement_is_filed(deal, as_of):
    _save(deal, as_of, shares_registered=2_000_000)  # planned, not filed
    ov = svc.registration_overview(financing=deal["financing"], as_of=as_of)
    assert ov.registered == 0
    assert not ov.is_increased_registered_shares_date  # RRA 2(a)(i) governs until filing
