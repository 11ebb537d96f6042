"""Issue 17 (sweep): the ledger's writers read the Held Shares Value from the windows' totals
(``damages_overview(lines=False)``: a window nothing was sold from is the sum of its principals;
only investors who sold read their window's conversions for the first-in-first-out lines), and a
Series J conversion resyncs only its holder's Periodic Amounts when the others' rows are known
current (``ld_holder_sync``). Both must write exactly the rows the line-by-line, whole-financing
computation writes: compared here on generated books with several holders, conversions across
the periods, share sales, excused delays (RRA 2(b)(vi)(i), RRA 9) and Rule 144 dates
(RRA 2(b)(vi)(ii))."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deals.models import ExcusedDelay, Obligation, ObligationKind, PreferredHolding, SuspensionPeriod
from deals.services.company import liquidated_damages as svc
from deals.services.company._common import buyers
from deals.services.ledger.sync import registration_sync
from deals.services.sweeps import sweep_run
from deals.services.sweeps.context import Context
from deals.services.sweeps.rules.registration import rule_periodic_amounts

from .conftest import CLOSING, _user, make_conversion
from .test_damages_setbased import _random_deal

D = datetime.date
DATES = (D(2000, 6, 4), D(2000, 9, 1), D(2000, 12, 29), D(2001, 3, 1))


def _book(seed: int):
    """A random deal (``_random_deal``: sales, windows, revoked conversions) plus excused delays
    (one for one investor, one for all) and Rule 144 dates on some holdings."""
    rng = random.Random(seed)
    fin = _random_deal(rng, n_investors=rng.randint(3, 6), n_conversions=rng.randint(20, 60))
    holders = [h[0] for h in buyers(fin)]
    first = CLOSING + datetime.timedelta(days=rng.randint(90, 150))
    ExcusedDelay.objects.create(financing=fin, investor=holders[0], cause=ExcusedDelay.Cause.INITIAL_INVESTOR, first_day=first,
                                last_day=first + datetime.timedelta(days=rng.randint(3, 40)), reason="counsel", created_by=_user())
    first = CLOSING + datetime.timedelta(days=rng.randint(90, 200))
    ExcusedDelay.objects.create(financing=fin, investor=None, cause=ExcusedDelay.Cause.ASSIGNMENT, first_day=first,
                                last_day=first + datetime.timedelta(days=rng.randint(1, 20)), reason="assignment", created_by=_user())
    for h in PreferredHolding.objects.filter(financing=fin).order_by("id")[::2]:
        h.rule_144_from = CLOSING + datetime.timedelta(days=rng.randint(200, 330))
        h.save(update_fields=["rule_144_from"])
    return fin


def _figures(overview):
    return {
        d.investor.pk: [("error", s.error) if s.amounts is None
                        else (s.base.as_dict(held_lines=False), s.amounts.as_dict(), [r.paid for r in s.rows]) for s in d.schedules]
        for d in overview
    }


def _ledger():
    return sorted(
        Obligation.objects.filter(kind=ObligationKind.PERIODIC_AMOUNT).values_list(
            "kind", "object_id", "period_key", "investor_id", "clause", "due_date", "amount", "status", "satisfied_date",
            "description", "details",
        )
    )


def _written(fn):
    """The Periodic Amount rows and history after ``fn()``, then undone (a savepoint)."""
    hist = Obligation.history.model
    with transaction.atomic():
        before = hist.objects.count()
        fn()
        out = (_ledger(), hist.objects.count() - before)
        transaction.set_rollback(True)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_totals_give_the_figures_of_the_lines(deal, seed):
    fin = _book(seed)
    for as_of in DATES:
        new = svc.damages_overview(financing=fin, as_of=as_of, lines=False)
        old = svc.damages_overview(financing=fin, as_of=as_of)
        assert _figures(new) == _figures(old), (seed, as_of)


@pytest.mark.django_db
def test_both_ways_are_taken_on_the_generated_books(deal):
    """Not vacuous: across the books, windows valued from totals and windows with sales (FIFO lines) both occur,
    and excused days and Rule 144 dates shape some schedules."""
    from_totals = from_lines = excused = rule_144 = 0
    for seed in range(6):
        fin = _book(seed)
        for as_of in DATES:
            for d in svc.damages_overview(financing=fin, as_of=as_of, lines=False):
                rule_144 += d.rule_144_from is not None and any(s.amounts for s in d.schedules)
                for s in d.schedules:
                    h = s.base.held_shares_value if s.base else None
                    if h is not None and h.lines:
                        from_lines += 1
                    elif h is not None and h.conversions:
                        from_totals += 1
                    excused += any(line.excused_days for line in (s.amounts.lines if s.amounts else ()))
    assert from_totals and from_lines and excused and rule_144


def _writes(fin, as_of):
    """What ``ld_obligations_sync`` and the sweep's Periodic Amounts rule each write on ``as_of``."""
    return (_written(lambda: svc.ld_obligations_sync(financing=fin, as_of=as_of)),
            _written(lambda: rule_periodic_amounts(Context(as_of, user_id=None, reason="test"))))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_ld_sync_and_the_sweep_rule_write_the_rows_of_the_lines(deal, seed, monkeypatch):
    fin = _book(seed)
    real = svc.damages_overview
    for as_of in DATES[1:]:
        new = _writes(fin, as_of)
        with monkeypatch.context() as mp:  # the line-by-line computation wherever the writers call the overview
            mp.setattr(svc, "damages_overview", lambda **kw: real(**{**kw, "lines": True}))
            old = _writes(fin, as_of)
        assert new == old, (seed, as_of)
        assert new[0][0] and new[1][0]  # rows were written: the comparison is not vacuous


@pytest.mark.django_db
def test_the_totals_read_no_window_line_when_nothing_was_sold(deal):
    """The sweep's quiet day: with no sales the overview reads no conversion row, only the grouped aggregate."""
    from deals.models import ShareSale

    fin = _book(2)
    ShareSale.objects.filter(financing=fin).delete()
    with CaptureQueriesContext(connection) as q:
        svc.damages_overview(financing=fin, as_of=D(2001, 3, 1), lines=False)
    on_conversions = [x["sql"] for x in q.captured_queries if 'FROM "deals_conversion"' in x["sql"]]
    assert len(on_conversions) == 1 and "GROUP BY" in on_conversions[0]


# --- a conversion resyncs its holder only -----------------------------------------------------------------


def _post_effective_window(fin, as_of):
    """A Restricted Sale Date after the Effective Date (its 30-day window moves the Held Shares Value)."""
    statement = fin.registration_statements.order_by("id").first()
    for t in svc.triggers(financing=fin, as_of=as_of):
        if t.lateness == svc.Lateness.RESTRICTED_SALE_DATE and t.trigger_date > statement.effective_date:
            return t.trigger_date
    return None


def _converted_book(seed):
    """A book swept on a date with a post-effective Restricted Sale Date, then one holder converts
    inside that window (the conversion's own writes: the record and the holding's outstanding)."""
    from django.db.models import F

    as_of = D(2001, 3, 1)
    fin = _book(seed)
    rsd = _post_effective_window(fin, as_of)
    assert rsd is not None
    run = sweep_run(as_of=as_of, triggered_by="test", rules=["periodic_amounts"])
    assert run.status == "succeeded"
    holding = PreferredHolding.objects.filter(financing=fin).order_by("id")[1]
    make_conversion(holding, rsd - datetime.timedelta(days=5), "12345.67", 6_000, status="pending_delivery")
    PreferredHolding.objects.filter(pk=holding.pk).update(
        liquidation_preference_outstanding=F("liquidation_preference_outstanding") - Decimal("12345.67"))
    return fin, holding, as_of


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [0, 1, 4])
def test_a_conversion_resyncs_its_holder_with_the_rows_of_a_full_sync(deal, seed, monkeypatch):
    fin, holding, as_of = _converted_book(seed)
    assert svc.ld_others_current(financing=fin, as_of=as_of, investor_id=holding.investor_id)
    before = _ledger()
    asked = []
    real = svc.ld_obligations_sync
    monkeypatch.setattr(svc, "ld_obligations_sync", lambda **kw: asked.append(kw.get("investor_ids")) or real(**kw))
    holder = _written(lambda: registration_sync(fin, as_of=as_of, investor_id=holding.investor_id))
    full = _written(lambda: registration_sync(fin, as_of=as_of))
    assert asked == [[holding.investor_id], None]  # the holder's rows only, then everyone's
    assert holder == full
    assert holder[1] > 0 and {r[3] for r in holder[0] if r not in before} == {holding.investor_id}  # its rows moved


@pytest.mark.django_db
def test_the_holder_sync_falls_back_to_the_full_sync_when_others_may_be_stale(deal):
    fin, holding, as_of = _converted_book(0)
    inv = holding.investor_id
    assert svc.ld_others_current(financing=fin, as_of=as_of, investor_id=inv)
    # no sweep for that day
    assert not svc.ld_others_current(financing=fin, as_of=as_of + datetime.timedelta(days=1), investor_id=inv)
    # another holder's holding edited since the sweep (a transfer, an admin edit)
    other = PreferredHolding.objects.filter(financing=fin).exclude(investor_id=inv).order_by("id").first()
    with transaction.atomic():
        other.save(update_fields=["updated_at"])
        assert not svc.ld_others_current(financing=fin, as_of=as_of, investor_id=inv)
        transaction.set_rollback(True)
    # a suspension recorded since the sweep
    with transaction.atomic():
        SuspensionPeriod.objects.filter(statement__financing=fin).first().save()
        assert not svc.ld_others_current(financing=fin, as_of=as_of, investor_id=inv)
        # ... and the holder sync then writes what the full sync writes
        assert _written(lambda: registration_sync(fin, as_of=as_of, investor_id=inv)) == _written(
            lambda: registration_sync(fin, as_of=as_of))
        transaction.set_rollback(True)
    # the holder's own holding may move (its conversion does)
    with transaction.atomic():
        PreferredHolding.objects.filter(pk=holding.pk).first().save(update_fields=["updated_at"])
        assert svc.ld_others_current(financing=fin, as_of=as_of, investor_id=inv)
        transaction.set_rollback(True)
