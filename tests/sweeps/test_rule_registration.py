"""Rules 3-5 and 11: Periodic Amounts (RRA 2(b)), Increased Registered Shares
(RRA 2(a)(ii)), suspensions (RRA 3(h)), Registration Period end (RRA 3(a))."""

import datetime
from decimal import Decimal

import pytest

from deals import models as m
from deals.selectors.ledger import obligation_amount_on, periodic_amounts_total_on
from deals.services.sweeps import sweep_run
from tests import factories as f

from .conftest import ledger, run

D = Decimal
K = m.ObligationKind
pytestmark = pytest.mark.django_db
CLOSING = datetime.date(2000, 3, 7)  # the Initial Closing Date
day = lambda n: CLOSING + datetime.timedelta(days=n)  # noqa: E731  -- "day N" as in RRA 2(b)(iii)


@pytest.fixture
def deal(terms_version):
    fin = f.SeriesJFinancingFactory(initial_closing_date=CLOSING)
    holding = f.PreferredHoldingFactory(financing=fin, shares=1000, closing_date=CLOSING)
    statement = m.RegistrationStatement.objects.create(financing=fin, filed_date=datetime.date(2000, 3, 20))
    return fin, holding, statement


def open_periodic(fin):
    return [o for o in ledger(fin, K.PERIODIC_AMOUNT) if o.status == "open"]


def key(investor_id, code, trigger, cd):
    # the liquidated-damages workflow's key (company.liquidated_damages.periodic_amount_key)
    return f"{investor_id}:{code}:{trigger:%Y%m%d}:{cd:%Y%m%d}"


def test_nothing_is_payable_on_the_required_effective_date(deal):
    fin, _, _ = deal
    run("periodic_amounts", day(90))
    assert ledger(fin, K.PERIODIC_AMOUNT) == []


def test_periodic_amount_accrues_daily_after_the_required_effective_date(deal):
    fin, holding, statement = deal
    run("periodic_amounts", day(105))  # days 91..105: 15/30 of 2% of $1,000,000
    (accruing,) = open_periodic(fin)
    # not yet determined (RRA 2(b)(iii)): no stored amount; the figure is computed for the date asked
    assert accruing.amount is None
    assert obligation_amount_on(accruing, day(105)) == D("10000.00")
    assert accruing.details["accruing"] is True
    assert accruing.investor_id == holding.investor_id
    assert accruing.period_key == key(holding.investor_id, "R", day(90), day(120))
    (red,) = ledger(statement, K.REQUIRED_EFFECTIVE)
    assert red.due_date == day(90) and red.status == "open"


def test_a_quiet_day_writes_no_periodic_amount_row(deal):
    """Issue 11 leftover: the accruing part is not rewritten each day -- its figure is the selector's."""
    fin, holding, _ = deal
    run("periodic_amounts", day(105))
    hist = m.Obligation.history.model
    before = (hist.objects.count(), ledger(fin, K.PERIODIC_AMOUNT))
    for n in (106, 107, 118, 119):  # quiet days up to the day before the Computation Date (day 120)
        stats = run("periodic_amounts", day(n))
        assert (stats.created, stats.updated, stats.voided) == (0, 0, 0), n
    after = ledger(fin, K.PERIODIC_AMOUNT)
    assert (hist.objects.count(), after) == before
    assert [(o.description, o.details, o.updated_at) for o in after] == [(o.description, o.details, o.updated_at) for o in before[1]]
    (row,) = after
    # the figure grows by the day: day before / on / after the first day, the last accruing day, the CD and after
    assert obligation_amount_on(row, day(90)) == D("0.00")
    assert obligation_amount_on(row, day(91)) == D("666.67")  # 1/30 of 2% of $1,000,000
    assert obligation_amount_on(row, day(119)) == D("19333.33")  # 29 days
    assert obligation_amount_on(row, day(120)) == D("20000.00")  # a full period: 2%
    assert obligation_amount_on(row, day(125)) == D("20000.00")  # never beyond the Computation Date
    assert periodic_amounts_total_on(m.Obligation.objects.filter(pk=row.pk), day(118)) == (1, D("18666.67"))
    # on the Computation Date the state changes: the row becomes the determined Periodic Amount, once
    stats = run("periodic_amounts", day(120))
    assert stats.updated + stats.created >= 1
    done = ledger(fin, K.PERIODIC_AMOUNT, period_key=row.period_key)[0]
    assert (done.amount, done.details.get("accruing")) == (D("20000.00"), None)
    assert obligation_amount_on(done, day(120)) == D("20000.00")


def test_the_accruing_figure_equals_the_damages_schedule(deal):
    """One author: the ledger's accruing figure is the liquidated-damages engine's for every day."""
    from deals.services.company.liquidated_damages import damages_overview

    fin, _, _ = deal
    run("periodic_amounts", day(121))
    (row,) = [o for o in open_periodic(fin) if (o.details or {}).get("accruing")]
    for n in range(121, 150):
        (d,) = damages_overview(financing=fin, as_of=day(n))
        assert obligation_amount_on(row, day(n)) == d.accruing, n


def test_rra_165_day_example_end_to_end(deal):
    """RRA 2(b)(iii): effective on day 165 -> 2% (days 91-120) + 2% (121-150) + 1% (151-165)."""
    fin, holding, statement = deal
    for as_of in (day(90), day(91), day(120), day(140), day(164)):
        sweep_run(as_of=as_of, triggered_by="test")
    statement.effective_date = day(165)
    statement.save()
    run_ = sweep_run(as_of=day(166), triggered_by="test")
    assert run_.status == "succeeded", run_.errors
    lines = open_periodic(fin)
    assert [(o.details["line"]["computation_date"], o.amount) for o in lines] == [
        (day(120).isoformat(), D("20000.00")),
        (day(150).isoformat(), D("20000.00")),
        (day(165).isoformat(), D("10000.00")),
    ]
    assert sum(o.amount for o in lines) == D("50000.00")
    # day 165 is Saturday 2000-08-19: payable the next business day
    assert lines[-1].due_date == datetime.date(2000, 8, 21)
    # the accruing part towards day 180 was superseded by the day-165 Computation Date
    (void,) = [o for o in ledger(fin, K.PERIODIC_AMOUNT) if o.status == "void"]
    assert void.period_key == key(holding.investor_id, "R", day(90), day(180))
    (red,) = ledger(statement, K.REQUIRED_EFFECTIVE)
    assert (red.status, red.satisfied_date) == ("satisfied", day(165))


def test_effective_on_time_means_no_periodic_amounts(deal):
    fin, _, statement = deal
    statement.effective_date = day(90)
    statement.save()
    run("periodic_amounts", day(200))
    assert ledger(fin, K.PERIODIC_AMOUNT) == []


def test_the_workflows_payment_closes_the_row_the_sweep_keeps(deal, deal_admin):
    """One Periodic Amount, one ledger row: the sweep and the liquidated-damages workflow share it."""
    from deals.services.company.liquidated_damages import ld_obligations_sync, periodic_amount_mark_paid

    fin, holding, _ = deal
    run("periodic_amounts", day(125))
    ld_obligations_sync(financing=fin, as_of=day(125))
    rows = ledger(fin, K.PERIODIC_AMOUNT)
    assert len(rows) == 2  # day-120 Computation Date + the accruing part, not duplicated
    periodic_amount_mark_paid(
        financing=fin, investor=holding.investor, lateness="required_effective_date", trigger_date=day(90),
        computation_date=day(120), paid_date=day(125), reference="wire 1", user=deal_admin, as_of=day(125),
    )
    stats = run("periodic_amounts", day(126))
    # the payment is a settlement (deal admins only): the row is paid, and the sweep leaves it so
    paid = ledger(fin, K.PERIODIC_AMOUNT, status="paid")
    assert [o.period_key for o in paid] == [key(holding.investor_id, "R", day(90), day(120))]
    assert stats.created == 0


def test_required_effective_date_without_a_statement_is_tracked_on_the_financing(terms_version):
    fin = f.SeriesJFinancingFactory(initial_closing_date=CLOSING)
    f.PreferredHoldingFactory(financing=fin, shares=1000, closing_date=CLOSING)
    run("periodic_amounts", day(95))
    (red,) = ledger(fin, K.REQUIRED_EFFECTIVE)
    assert red.status == "open" and red.due_date == day(90)
    m.RegistrationStatement.objects.create(financing=fin, filed_date=day(91))
    run("periodic_amounts", day(96))
    red.refresh_from_db()
    assert red.status == "void"


@pytest.fixture
def effective_deal(deal):
    fin, holding, statement = deal
    statement.effective_date = datetime.date(2000, 5, 1)
    statement.save()
    # 26 days of suspension: the 21st..26th (06-25..06-30) are beyond RRA 3(h)(i)'s 20 days
    susp = m.SuspensionPeriod.objects.create(
        statement=statement, notice_date=datetime.date(2000, 6, 1), start_date=datetime.date(2000, 6, 5),
        end_date=datetime.date(2000, 6, 30),
    )
    return fin, holding, statement, susp


def test_suspension_days_beyond_twenty_are_flagged(effective_deal):
    *_, susp = effective_deal
    # the restriction is known ahead (the suspension is recorded): flagged from its first day on
    run("suspensions", datetime.date(2000, 6, 24))
    (flag,) = ledger(susp, K.SUSPENSION_EXCESS)
    assert flag.due_date == datetime.date(2000, 6, 25) and flag.status == "open"
    assert run("suspensions", datetime.date(2000, 6, 25)).changed == 0
    run("suspensions", datetime.date(2000, 7, 1))
    flag.refresh_from_db()
    assert (flag.status, flag.satisfied_date) == ("satisfied", datetime.date(2000, 7, 1))


def test_restricted_sale_date_periodic_amount_on_unconverted_principal(effective_deal):
    fin, holding, _, susp = effective_deal
    from deals.terms.suspensions import SuspensionPeriod as Proposed
    from deals.terms.suspensions import judge_suspension

    # the suspension workflow stores the engine's verdict; the damages read it
    susp.verdict = judge_suspension(proposed=Proposed(susp.start_date, susp.end_date), notice_given_on=susp.notice_date).as_dict()
    susp.save()
    run("periodic_amounts", datetime.date(2000, 7, 3))
    (line,) = open_periodic(fin)
    # days 06-26..07-01 (restriction removed 07-01): 6/30 of 2% of $1,000,000 unconverted
    assert line.amount == D("4000.00")
    assert line.period_key == key(holding.investor_id, "S", datetime.date(2000, 6, 25), datetime.date(2000, 7, 1))


def test_registration_period_end_is_a_milestone(effective_deal):
    _, _, statement, _ = effective_deal
    run("period_ends", datetime.date(2000, 7, 3))
    (end,) = ledger(statement, K.REGISTRATION_PERIOD_END)
    # last day of the month after May 2000 = 2000-06-30, + 2 years
    assert end.due_date == datetime.date(2002, 6, 30) and end.status == "open"
    run("period_ends", datetime.date(2002, 7, 1))
    end.refresh_from_db()
    assert end.status == "satisfied"


def test_increased_registered_shares_date_amendment_due_in_ten_business_days(deal):
    _, _, statement = deal
    irsd = datetime.date(2000, 4, 14)  # 10 business days later, Good Friday counted: 04-28
    amendment = m.RegistrationAmendment.objects.create(statement=statement, increased_registered_shares_date=irsd)
    run("increased_shares", datetime.date(2000, 4, 27))
    (due,) = ledger(amendment, K.AMENDMENT_DUE)
    assert due.due_date == datetime.date(2000, 4, 28) and due.status == "open"
    (red,) = ledger(amendment, K.REQUIRED_EFFECTIVE)
    # RRA 2(b)(i)(B): earlier of day 90 (06-05) and 60 days after the IRSD (06-13)
    assert red.due_date == day(90)
    amendment.filed_date = datetime.date(2000, 4, 28)
    amendment.save()
    run("increased_shares", datetime.date(2000, 5, 1))
    due.refresh_from_db()
    assert (due.status, due.satisfied_date) == ("satisfied", datetime.date(2000, 4, 28))


def test_the_books_take_the_accruing_figure_from_the_ledger_selector(deal, deal_admin):
    """``amount_due_on`` delegates accruing rows to ``obligation_amount_on`` (one author); an accruing
    Periodic Amount is not yet owed, so it cannot be settled (RRA 2(b)(iii)-(iv)); nothing is written."""
    from deals.selectors.settlements import amount_due_on
    from deals.services.conversions import WorkflowError
    from deals.services.ledger.settlements import settlement_record

    fin, _, _ = deal
    run("periodic_amounts", day(105))
    (row,) = open_periodic(fin)
    due = amount_due_on(row, day(110))
    assert (due.amount, due.balance, due.computed) == (obligation_amount_on(row, day(110)), D("13333.33"), True)
    assert "RRA 2(b)(iii)" in due.note
    with pytest.raises(WorkflowError, match="still accruing.*Computation Date 2000-07-05"):
        settlement_record(obligation_id=row.pk, kind="payment", date=day(105), amount="100", method="wire", reference="x",
                          by=deal_admin)
    assert not m.Settlement.objects.exists()
    row.refresh_from_db()
    assert (row.status, row.settled) == ("open", D("0"))
