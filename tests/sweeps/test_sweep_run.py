"""sweep_run / sweep_catch_up: idempotency, catch-up, lock, isolation of failing
rules, query counts independent of row counts, the deal admins' digest."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone

from deals import models as m
from deals.selectors.ledger import obligation_amount_on
from deals.services import sweeps
from deals.services.roles import DEAL_ADMIN, ensure_groups
from deals.services.sweeps import SweepAlreadyRunning, sweep_catch_up, sweep_days_missed, sweep_run

from .conftest import build_scenario, reset_scenario_state, snapshot_ledger

pytestmark = pytest.mark.django_db
FRI, SAT, SUN, MEMORIAL, TUE = (datetime.date(2000, 5, d) for d in (26, 27, 28, 29, 30))


@pytest.fixture
def scenario(staff_user, terms_version):
    return build_scenario(user=staff_user, terms_version=terms_version, n=2)


def test_second_run_for_the_same_date_changes_nothing(scenario):
    first = sweep_run(as_of=TUE, triggered_by="test")
    before = snapshot_ledger()
    second = sweep_run(as_of=TUE, triggered_by="test")
    assert first.status == second.status == "succeeded", (first.errors, second.errors)
    assert first.stats["changed"] > 0
    assert second.stats["changed"] == 0
    assert all(r["created"] == r["updated"] == r["voided"] == 0 for r in second.stats["rules"].values())
    assert snapshot_ledger() == before


def test_catch_up_over_memorial_day_weekend_equals_day_by_day(scenario):
    for d in (FRI, SAT, SUN, MEMORIAL, TUE):
        sweep_run(as_of=d, triggered_by="day by day")
    day_by_day = snapshot_ledger()
    reset_scenario_state()
    sweep_run(as_of=FRI, triggered_by="test")
    assert sweep_days_missed(until=TUE) == [TUE]  # the weekend and Memorial Day are not business days
    runs = sweep_catch_up(until=TUE)
    assert [r.as_of for r in runs] == [TUE]
    assert snapshot_ledger() == day_by_day
    # the late payment grew by one business day over the long weekend (Fri: 1, Tue: 2)
    late = m.Obligation.objects.filter(kind="late_payment").first()
    assert obligation_amount_on(late, TUE) == 2 * obligation_amount_on(late, FRI) > 0


def test_catch_up_runs_each_missed_business_day_in_order(scenario):
    sweep_run(as_of=datetime.date(2000, 5, 22), triggered_by="test")
    runs = sweep_catch_up(until=TUE)
    assert [r.as_of for r in runs] == [datetime.date(2000, 5, d) for d in (23, 24, 25, 26, 30)]
    assert sweep_catch_up(until=TUE) == []  # up to date


def test_catch_up_without_history_sweeps_just_the_day(scenario):
    assert [r.as_of for r in sweep_catch_up(until=TUE)] == [TUE]


def test_a_failing_rule_is_recorded_and_the_others_still_run(scenario, monkeypatch):
    def broken(ctx):
        raise RuntimeError("engine exploded")

    rules = tuple(sweeps.Rule(r.name, r.label, r.clause, broken) if r.name == "warrants" else r for r in sweeps.RULES)
    monkeypatch.setattr(sweeps.run, "RULES", rules)
    run = sweep_run(as_of=TUE, triggered_by="test")
    assert run.status == "failed"
    assert run.errors == [{"rule": "warrants", "error": "RuntimeError: engine exploded"}]
    assert run.stats["rules"]["share_delivery"]["created"] > 0
    assert run.stats["rules_done"] == len(rules)
    assert m.Obligation.objects.filter(kind="late_payment").exists()


def test_a_sweep_killed_halfway_is_simply_re_run(scenario, monkeypatch):
    clean = None
    sweep_run(as_of=TUE, triggered_by="clean")
    clean = snapshot_ledger()
    reset_scenario_state()
    done = []

    def crash_after_three(ctx):
        raise KeyboardInterrupt  # the process dies mid-run

    rules = tuple(sweeps.Rule(r.name, r.label, r.clause, crash_after_three) if i == 3 else r for i, r in enumerate(sweeps.RULES))
    monkeypatch.setattr(sweeps.run, "RULES", rules)
    with pytest.raises(KeyboardInterrupt):
        sweep_run(as_of=TUE, triggered_by="killed")
    done.append(m.SweepRun.objects.get(status="running"))
    monkeypatch.undo()
    if connection.vendor == "postgresql":
        pass  # the interrupted run released its advisory lock: the way is free at once
    else:
        # SQLite: the process is alive, so the abandoned run holds the lock until it is stale
        with pytest.raises(SweepAlreadyRunning):
            sweep_run(as_of=TUE)
        m.SweepRun.objects.filter(pk=done[0].pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    rerun = sweep_run(as_of=TUE, triggered_by="re-run")
    assert rerun.status == "succeeded"
    assert m.SweepRun.objects.get(pk=done[0].pk).status == "failed"
    assert snapshot_ledger() == clean


def test_only_one_sweep_runs_at_a_time(db):
    m.SweepRun.objects.create(as_of=TUE, status="running", triggered_by="beat")
    with pytest.raises(SweepAlreadyRunning, match="already running"):
        sweep_run(as_of=TUE)
    assert m.SweepRun.objects.count() == 1


def _counts(n, user, terms_version, fin=None):
    fin = build_scenario(user=user, terms_version=terms_version, n=n, fin=fin)
    ContentType.objects.clear_cache()
    run = sweep_run(as_of=TUE, triggered_by=f"n={n}")
    assert run.status == "succeeded", run.errors
    return {name: r["queries"] for name, r in run.stats["rules"].items()}, run, fin


def test_queries_per_rule_do_not_depend_on_row_count(staff_user, terms_version):
    small, run_small, fin = _counts(3, staff_user, terms_version)
    reset_scenario_state()
    big, run_big, _ = _counts(30, staff_user, terms_version, fin=fin)  # 33 of each in the same deal
    assert run_big.stats["rules"]["share_delivery"]["rows"] > run_small.stats["rules"]["share_delivery"]["rows"] * 5
    assert big == small


def test_share_delivery_rule_query_count_is_pinned(staff_user, terms_version, django_assert_num_queries):
    build_scenario(user=staff_user, terms_version=terms_version, n=10)
    from .conftest import run

    run("share_delivery", FRI)  # warm the content-type cache
    ctx = sweeps.Context(TUE)
    ctx.ct(m.Conversion)
    assert ctx.book  # loads the terms versions (once per run)
    # the last sweep that ran the rule (none here: everything is read), 1 conversions chunk and
    # nothing to write: the late payments grew (in the selector) but no row changed state,
    # whatever the number of conversions (up to CHUNK)
    with django_assert_num_queries(2):
        sweeps.rule_share_delivery(ctx)
    # after a sweep: its run, the terms' business-day spans, the chunk of what moved since
    sweep_run(as_of=FRI, triggered_by="test", rules=["share_delivery"])
    with django_assert_num_queries(3):
        assert sweeps.rule_share_delivery(sweeps.Context(TUE)).read == 0


def test_deal_admins_get_a_digest_of_new_overdue_items_only(scenario, django_user_model, django_capture_on_commit_callbacks):
    ensure_groups()
    admin = django_user_model.objects.create_user(username="da", email="da@example.com", password="x")
    admin.groups.add(Group.objects.get(name=DEAL_ADMIN))
    django_user_model.objects.create_user(username="clerk2", email="clerk@example.com", password="x")
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(as_of=datetime.date(2000, 5, 23), triggered_by="test")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(as_of=TUE, triggered_by="test")
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["da@example.com"]
    assert "newly overdue as of 2000-05-30" in msg.subject
    # share delivery (due 05-22) was already overdue on 05-23: not new; the redemption payment
    # became void rather than overdue; the cure period (due 05-30) is due, not overdue
    assert "Share delivery" not in msg.body
    assert "Late payment" in msg.body  # first late day 05-26
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(as_of=TUE, triggered_by="again")
    assert mail.outbox == []


def test_the_digest_reads_its_two_parts_in_due_order_and_counts_both(db, django_user_model, django_capture_on_commit_callbacks):
    """``new_overdue``: due since the previous run, or due earlier but created by this run (each
    part its own index on PostgreSQL); merged in due order, counted past the limit."""
    from deals.services.sweeps.digest import digest_new_overdue

    ensure_groups()
    django_user_model.objects.create_user(username="da", email="da@example.com", password="x").groups.add(
        Group.objects.get(name=DEAL_ADMIN))
    ct = ContentType.objects.get_for_model(m.Issuer)
    day = datetime.date
    m.SweepRun.objects.create(as_of=day(2000, 6, 1), finished_at=timezone.now(), status="ok")
    old = {}
    for key, due in (("before-created-earlier", day(2000, 5, 1)), ("since-previous", day(2000, 6, 5))):
        old[key] = m.Obligation.objects.create(kind="meeting_date", clause="x", content_type=ct, object_id=1, period_key=key,
                                               due_date=due, description=key)
    run = m.SweepRun.objects.create(as_of=day(2000, 6, 8))
    for key, due in (("before-created-now", day(2000, 5, 2)), ("not-yet-due", day(2000, 6, 8)), ("paid", day(2000, 6, 6))):
        m.Obligation.objects.create(kind="meeting_date", clause="x", content_type=ct, object_id=1, period_key=key, due_date=due,
                                    description=key, status="open" if key != "paid" else "satisfied")
    m.Obligation.objects.filter(pk=old["before-created-earlier"].pk).update(created_at=run.started_at - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_new_overdue(run=run, limit=1) == 2  # "before-created-now" and "since-previous"
    body = mail.outbox[-1].body
    assert "before-created-now" in body and "since-previous" not in body  # the earlier due date first
    assert "... and 1 more" in body and "before-created-earlier" not in body and "not-yet-due" not in body
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_new_overdue(run=run, limit=5) == 2
    body = mail.outbox[-1].body
    assert body.index("before-created-now") < body.index("since-previous") and "paid" not in body
