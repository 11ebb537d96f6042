"""RRA 3(h): Permitted Suspension Periods judged before saving; RRA 2(b)(ii) on the excess."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from deals.models import ObligationKind, SuspensionPeriod
from deals.services.company import registration as reg_svc
from deals.services.company import suspensions as svc
from deals.services.obligations import obligations_for

D = datetime.date


@pytest.fixture
def statement(deal, as_of):
    return reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None,
        as_of=as_of,
    )


def _preview(statement, notice, start, end, **kw):
    return svc.suspension_preview(statement=statement, notice_date=notice, start_date=start, end_date=end, **kw)


@pytest.mark.django_db
def test_twenty_days_after_two_business_days_notice_is_permitted(statement):
    v = _preview(statement, D(2000, 5, 1), D(2000, 5, 3), D(2000, 5, 22))
    assert v.permitted and v.not_permitted_days == ()


@pytest.mark.django_db
def test_a_start_one_business_day_after_notice_loses_that_day(statement):
    v = _preview(statement, D(2000, 5, 1), D(2000, 5, 2), D(2000, 5, 10))
    assert v.not_permitted_days == (D(2000, 5, 2),)
    assert "notice" in v.breaches[0].rule.value


@pytest.mark.django_db
def test_the_twenty_first_day_is_not_permitted(statement):
    v = _preview(statement, D(2000, 5, 1), D(2000, 5, 3), D(2000, 5, 23))
    assert v.not_permitted_days == (D(2000, 5, 23),)


@pytest.mark.django_db
def test_memorial_day_does_not_count_towards_the_notice(statement):
    # Notice Friday 2000-05-26; Monday 05-29 is a holiday -> 2 business days = Wednesday 05-31.
    v = _preview(statement, D(2000, 5, 26), D(2000, 5, 30), D(2000, 6, 5))
    assert v.not_permitted_days == (D(2000, 5, 30),)


@pytest.mark.django_db
def test_no_notice_when_notice_was_unlawful_is_still_permitted(statement):
    v = _preview(statement, None, D(2000, 5, 3), D(2000, 5, 10), notice_required=False)
    assert v.permitted


@pytest.mark.django_db
def test_a_third_suspension_within_twelve_months_is_not_permitted(statement, as_of):
    for start, end in [(D(2000, 5, 3), D(2000, 5, 10)), (D(2000, 6, 1), D(2000, 6, 5))]:
        svc.suspension_record(
            statement=statement,
            notice_date=start - datetime.timedelta(days=7),
            start_date=start,
            end_date=end,
            reason="",
            notice_required=True,
            user=None,
            as_of=as_of,
        )
    v = _preview(statement, D(2000, 7, 3), D(2000, 7, 10), D(2000, 7, 12))
    assert not v.permitted and len(v.not_permitted_days) == 3
    assert any(b.rule.value == "max_per_12_months" for b in v.breaches)


@pytest.mark.django_db
def test_a_period_beginning_too_soon_is_restricted_for_all_its_days(statement, as_of):
    # RRA 3(h)(ii): a period may not "begin less than ten (10) business days after the last day of
    # the preceding suspension"; the 10th business day after Wed 2000-05-10 is Wed 2000-05-24.
    svc.suspension_record(
        statement=statement, notice_date=D(2000, 4, 20), start_date=D(2000, 5, 3), end_date=D(2000, 5, 10),
        reason="first", notice_required=True, user=None, as_of=as_of,
    )
    assert _preview(statement, D(2000, 5, 15), D(2000, 5, 24), D(2000, 5, 30)).permitted
    p = svc.suspension_record(
        statement=statement, notice_date=D(2000, 5, 15), start_date=D(2000, 5, 23), end_date=D(2000, 5, 30),
        reason="second, a day early", notice_required=True, user=None, as_of=as_of,
    )
    assert not p.permitted and len(p.non_permitted_days) == 8
    ob = obligations_for(p).get(kind=ObligationKind.SUSPENSION_EXCESS)
    assert ob.due_date == D(2000, 5, 23) and "2000-05-23..2000-05-30" in ob.description


@pytest.mark.django_db
def test_recording_a_non_permitted_suspension_writes_the_restricted_sale_obligation(statement, as_of):
    p = svc.suspension_record(
        statement=statement,
        notice_date=D(2000, 5, 1),
        start_date=D(2000, 5, 2),
        end_date=D(2000, 5, 10),
        reason="merger talks",
        notice_required=True,
        user=None,
        as_of=as_of,
    )
    assert not p.permitted and p.non_permitted_days == ["2000-05-02"]
    ob = obligations_for(p).get(kind=ObligationKind.SUSPENSION_EXCESS)
    assert ob.due_date == D(2000, 5, 2) and "RRA 3(h)" in ob.clause


@pytest.mark.django_db
def test_a_suspension_before_effectiveness_or_overlapping_is_refused(statement, as_of):
    with pytest.raises(ValidationError, match="before the Effective Date"):
        _preview(statement, D(2000, 3, 28), D(2000, 4, 1), D(2000, 4, 5))
    svc.suspension_record(
        statement=statement,
        notice_date=D(2000, 5, 1),
        start_date=D(2000, 5, 3),
        end_date=D(2000, 5, 10),
        reason="",
        notice_required=True,
        user=None,
        as_of=as_of,
    )
    with pytest.raises(ValidationError, match="already recorded"):
        _preview(statement, D(2000, 5, 1), D(2000, 5, 8), D(2000, 5, 20))
    assert SuspensionPeriod.objects.count() == 1


@pytest.mark.django_db
def test_no_effective_date_means_no_suspension(deal, as_of):
    st = reg_svc.registration_statement_save(financing=deal["financing"], data={"shares_registered": 0}, user=None, as_of=as_of)
    with pytest.raises(ValidationError, match="no Effective Date"):
        _preview(st, D(2000, 5, 1), D(2000, 5, 3), D(2000, 5, 5))
