"""RRA 2(b)(vi) and RRA 9 applied to the Periodic Amounts (issue 16 item 6).

RRA 2(b)(vi): the amounts "shall not be payable (i) to the extent any delay in the effectiveness of
the Registration Statement occurs because of an act of, or a failure to act or to act timely by the
Initial Investor or its counsel, (ii) in the event all of the Registrable Securities may be sold
pursuant to Rule 144 ... without volume or other restrictions or limits". RRA 9: "In the event of any
delay in filing or effectiveness of the Registration Statement as a result of such assignment, the
Company shall not be liable for any damages arising from such delay".

Deal (conftest): Initial Closing Date 2000-03-07, Required Effective Date 2000-06-05; Alpha paid
$600,000, Beta $400,000. Effective 2000-08-19 -> Computation Dates 07-05 (30 days), 08-04 (30),
08-19 (15): 5% = $30,000 to Alpha, $20,000 to Beta.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deals.models import ExcusedDelay, Obligation, ObligationKind
from deals.services.calendar import business_date_set
from deals.services.company import liquidated_damages as svc
from deals.services.company import registration as reg_svc
from deals.services.company import suspensions as susp_svc

D = datetime.date
AS_OF = D(2000, 9, 1)
INITIAL, ASSIGNMENT = ExcusedDelay.Cause.INITIAL_INVESTOR, ExcusedDelay.Cause.ASSIGNMENT


@pytest.fixture
def late(deal):
    business_date_set(day=AS_OF)
    reg_svc.registration_statement_save(
        financing=deal["financing"],
        data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 8, 19), "shares_registered": 2_000_000},
        user=None,
        as_of=AS_OF,
    )
    return deal


def _admin():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from deals.services.roles import DEAL_ADMIN, ensure_groups

    ensure_groups()
    user = get_user_model().objects.get_or_create(username="excuse-admin")[0]
    user.groups.add(Group.objects.get(name=DEAL_ADMIN))
    return user


def _totals(deal, as_of=AS_OF):
    by = {d.investor.pk: d for d in svc.damages_overview(financing=deal["financing"], as_of=as_of)}
    return by[deal["a"].pk], by[deal["b"].pk]


FIRST, LAST = D(2000, 6, 6), D(2000, 6, 15)


def _excuse(deal, cause=INITIAL, investor="a", first=FIRST, last=LAST, reason="counsel held the comments", **kw):
    return svc.excused_delay_record(
        financing=deal["financing"], cause=cause, investor=deal[investor] if investor else None, first_day=first, last_day=last,
        reason=reason, user=_admin(), as_of=kw.pop("as_of", AS_OF), **kw,
    )


@pytest.mark.django_db
def test_initial_investor_delay_excuses_only_that_investors_days(late):
    # 2(b)(vi)(i): Alpha's counsel held the statement 2000-06-06..06-15 (10 days of the first period)
    _excuse(late)
    alpha, beta = _totals(late)
    first = alpha.schedules[0].rows[0].line
    assert (first.days, first.excused_days, first.amount) == (30, 10, Decimal("8000.00"))  # 2% x 20/30 x $600,000
    assert alpha.total_computed == Decimal("26000.00")
    assert beta.total_computed == Decimal("20000.00")  # Beta's amounts are not excused by Alpha's delay
    assert [e.reason for e in alpha.excused] == ["counsel held the comments"] and beta.excused == []


@pytest.mark.django_db
def test_rra_9_assignment_delay_excuses_every_investor(late):
    _excuse(late, cause=ASSIGNMENT, investor=None, first=D(2000, 7, 5), last=D(2000, 7, 5))
    alpha, beta = _totals(late)
    assert alpha.total_computed == Decimal("30000.00") - Decimal("400.00")  # 1 day of 2%/30 on $600,000
    assert beta.total_computed == Decimal("20000.00") - Decimal("266.67")
    assert alpha.schedules[0].rows[0].line.excused_days == 1 and alpha.schedules[0].rows[1].line.excused_days == 0


@pytest.mark.django_db
def test_the_ledger_rows_follow_and_say_the_days_were_excused(late):
    _excuse(late)
    row = Obligation.objects.get(kind=ObligationKind.PERIODIC_AMOUNT, investor=late["a"], due_date=D(2000, 7, 5))
    assert row.amount == Decimal("8000.00") and "10 excused under RRA 2(b)(vi)(i)" in row.description
    assert row.details["line"]["excused_days"] == 10


@pytest.mark.django_db
def test_edges_the_required_effective_date_itself_and_the_cure_day(late):
    # the Required Effective Date (06-05) is not a late day: excusing it changes nothing
    _excuse(late, first=D(2000, 6, 5), last=D(2000, 6, 5))
    assert _totals(late)[0].total_computed == Decimal("30000.00")
    # the cure day 08-19 is a counted late day (RRA example "days 151-165"): excusing it costs one day less
    _excuse(late, first=D(2000, 8, 19), last=D(2000, 8, 19))
    assert _totals(late)[0].total_computed == Decimal("30000.00") - Decimal("400.00")


@pytest.mark.django_db
def test_a_restricted_sale_date_is_not_excused(deal):
    # 2(b)(vi)(i) and RRA 9 speak of a delay "in the effectiveness"/"in filing or effectiveness": a suspension of an
    # effective statement (2(b)(ii)) is not excused by them
    as_of = D(2000, 4, 28)
    business_date_set(day=as_of)
    st = reg_svc.registration_statement_save(
        financing=deal["financing"], data={"filed_date": D(2000, 3, 20), "effective_date": D(2000, 4, 3), "shares_registered": 2_000_000},
        user=None, as_of=as_of,
    )
    susp_svc.suspension_record(statement=st, notice_date=None, start_date=D(2000, 5, 2), end_date=D(2000, 5, 5), reason="",
                               notice_required=True, user=None, as_of=as_of)
    business_date_set(day=D(2000, 5, 20))
    _excuse(deal, first=D(2000, 5, 1), last=D(2000, 5, 10), as_of=D(2000, 5, 20))
    alpha = svc.damages_overview(financing=deal["financing"], as_of=D(2000, 5, 20), investor=deal["a"])[0]
    (s,) = alpha.schedules
    assert s.rows[0].line.excused_days == 0 and s.rows[0].line.days == 4


@pytest.mark.django_db
def test_rule_144_date_recorded_per_holding_stops_the_amounts(late):
    # 2(b)(vi)(ii): all of Alpha's Registrable Securities saleable under Rule 144 from 2000-07-20
    ha = late["ha"]
    ha.rule_144_from = D(2000, 7, 20)
    ha.save()
    alpha, beta = _totals(late)
    assert alpha.rule_144_from == D(2000, 7, 20) and beta.rule_144_from is None
    assert [(r.line.computation_date, r.line.days) for r in alpha.schedules[0].rows] == [(D(2000, 7, 5), 30), (D(2000, 7, 19), 14)]
    assert alpha.total_computed == Decimal("12000.00") + Decimal("5600.00")
    assert beta.total_computed == Decimal("20000.00")


@pytest.mark.django_db
def test_rule_144_needs_every_holding_of_the_investor(late):
    from tests import factories as fx

    ha = late["ha"]
    ha.rule_144_from = D(2000, 7, 20)
    ha.save()
    second = fx.PreferredHoldingFactory(financing=late["financing"], investor=late["a"], shares=100, closing_date=D(2000, 3, 7))
    alpha, _ = _totals(late)
    assert alpha.rule_144_from is None  # not "all of the Registrable Securities" yet
    second.rule_144_from = D(2000, 8, 1)
    second.save()
    alpha, _ = _totals(late)
    assert alpha.rule_144_from == D(2000, 8, 1)  # the latest holding decides
    assert alpha.schedules[0].rows[-1].line.computation_date == D(2000, 7, 31)


@pytest.mark.django_db
def test_rule_144_from_the_day_after_the_required_date_leaves_nothing_payable(late):
    ha = late["ha"]
    ha.rule_144_from = D(2000, 6, 6)  # the first late day
    ha.save()
    assert _totals(late)[0].total_computed == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"investor": None}, "investor", "name it"),
        ({"reason": "  "}, "reason", "reason is kept"),
        ({"first": D(2000, 6, 15), "last": D(2000, 6, 14)}, "last_day", "before it begins"),
        ({"first": D(2000, 9, 2), "last": D(2000, 9, 3)}, "first_day", "after the business date"),
        ({"cause": "other"}, "cause", "Unknown cause"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(late, kwargs, field, message):
    with pytest.raises(ValidationError) as err:
        _excuse(late, **kwargs)
    assert message in " ".join(err.value.message_dict[field])
    assert ExcusedDelay.objects.count() == 0


@pytest.mark.django_db
def test_the_business_date_itself_is_accepted_as_first_day(late):
    assert _excuse(late, first=AS_OF, last=AS_OF).days == 1


@pytest.mark.django_db
def test_days_of_a_paid_periodic_amount_cannot_be_excused_afterwards(late):
    svc.periodic_amount_mark_paid(
        financing=late["financing"], investor=late["a"], lateness="required_effective_date", trigger_date=D(2000, 6, 5),
        computation_date=D(2000, 7, 5), paid_date=D(2000, 7, 6), reference="wire", user=_admin(), as_of=AS_OF,
    )
    with pytest.raises(ValidationError, match=r"\$12,000.00 .* paid on 2000-07-06"):
        _excuse(late, first=D(2000, 7, 5), last=D(2000, 7, 6))
    assert ExcusedDelay.objects.count() == 0
    _excuse(late, first=D(2000, 7, 6), last=D(2000, 7, 6))  # the next, unpaid period: fine
    assert _totals(late)[0].total_computed == Decimal("30000.00") - Decimal("400.00")


@pytest.mark.django_db
def test_withdrawal_keeps_the_record_and_restores_the_amounts(late):
    delay = _excuse(late)
    with pytest.raises(ValidationError):
        svc.excused_delay_withdraw(delay=delay, reason="", user=_admin(), as_of=AS_OF)
    svc.excused_delay_withdraw(delay=delay, reason="entered for the wrong investor", user=_admin(), as_of=AS_OF)
    delay.refresh_from_db()
    assert delay.withdrawn_at is not None and delay.withdrawn_reason == "entered for the wrong investor"
    assert _totals(late)[0].total_computed == Decimal("30000.00")
    row = Obligation.objects.get(kind=ObligationKind.PERIODIC_AMOUNT, investor=late["a"], due_date=D(2000, 7, 5))
    assert row.amount == Decimal("12000.00")
    with pytest.raises(ValidationError, match="already withdrawn"):
        svc.excused_delay_withdraw(delay=delay, reason="again", user=_admin(), as_of=AS_OF)
    assert delay.history.count() == 2  # created, withdrawn (who and when)


@pytest.mark.django_db
def test_clerk_cannot_record_and_sees_why(clerk_client, late):
    url = reverse("company_damages_excused", args=[late["financing"].pk])
    data = {"cause": INITIAL, "investor": late["a"].pk, "first_day": "2000-06-06", "last_day": "2000-06-15", "reason": "x"}
    assert clerk_client.post(url, data).status_code == 403
    assert ExcusedDelay.objects.count() == 0
    page = clerk_client.get(reverse("company_damages", args=[late["financing"].pk])).content.decode()
    assert "Only a deal admin records or withdraws an excused delay" in page


@pytest.mark.django_db
def test_deal_admin_records_through_the_page_and_the_schedule_shows_it(deal_admin_client, late):
    fin = late["financing"]
    url = reverse("company_damages_excused", args=[fin.pk])
    bad = deal_admin_client.post(url, {"cause": INITIAL, "first_day": "2000-06-06", "last_day": "2000-06-15", "reason": "x"})
    assert bad.status_code == 400 and "name it" in bad.content.decode()
    data = {"cause": INITIAL, "investor": late["a"].pk, "first_day": "2000-06-06", "last_day": "2000-06-15", "reason": "counsel late"}
    assert deal_admin_client.post(url, data).status_code == 302
    page = deal_admin_client.get(reverse("company_damages_investor", args=[fin.pk, late["a"].pk])).content.decode()
    assert "10 excused" in page and "counsel late" in page
    delay = ExcusedDelay.objects.get()
    withdraw = reverse("company_damages_excused_withdraw", args=[fin.pk, delay.pk])
    assert deal_admin_client.post(withdraw, {"reason": ""}).status_code == 400
    assert deal_admin_client.post(withdraw, {"reason": "wrong"}).status_code == 302
