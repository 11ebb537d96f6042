"""Claim, execute and catch up: the sweep run and its ``RULES``."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from deals.models import SweepRun
from deals.services.calendar import business_date
from deals.services.sweeps.context import Context, RuleStats
from deals.services.sweeps.digest import digest_new_overdue
from deals.services.sweeps.rules import (
    rule_cap,
    rule_debentures,
    rule_defaults,
    rule_increased_shares,
    rule_original_notice,
    rule_period_ends,
    rule_periodic_amounts,
    rule_rofr,
    rule_share_delivery,
    rule_suspensions,
    rule_warrants,
)
from deals.terms import calendars

log = logging.getLogger(__name__)

STALE_RUN_AFTER = datetime.timedelta(hours=1)


class SweepAlreadyRunning(Exception):
    """Another sweep holds the lock (one running ``SweepRun`` at a time)."""

    def __init__(self, running: SweepRun | None):
        self.running = running
        when = f" (as of {running.as_of.isoformat()}, started {running.started_at:%Y-%m-%d %H:%M})" if running else ""
        super().__init__(f"A sweep is already running{when}; try again when it has finished.")


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)


class Rule:
    name: str
    label: str
    clause: str
    func: Callable[[Context], RuleStats]


RULES: tuple[Rule, ...] = (
    Rule("share_delivery", "Share delivery, late payments, revocation", "SPA 5(c); Debenture 4(A)", rule_share_delivery),
    Rule("original_notice", "Original Notice of Conversion", "Debenture Exhibit A", rule_original_notice),
    Rule("periodic_amounts", "Periodic Amounts", "RRA 2(b)", rule_periodic_amounts),
    Rule("increased_shares", "Increased Registered Shares Date", "RRA 2(a)(ii)", rule_increased_shares),
    Rule("suspensions", "Suspensions outside a Permitted Suspension Period", "RRA 3(h)", rule_suspensions),
    Rule("rofr", "Right of first refusal", "SPA 4(j)", rule_rofr),
    Rule("warrants", "Warrant expiry", "SPA 4(h)", rule_warrants),
    Rule("debentures", "Debenture maturity and redemption payments", "Debenture 4(B)", rule_debentures),
    Rule("defaults", "Event of Default cure periods", "Debenture 10", rule_defaults),
    Rule("cap", "Meeting Date, Cap Limitation Redemption, Mandatory Purchase", "SPA 4(d)(ii), 4(i), 5(f)", rule_cap),
    Rule("period_ends", "Registration Period end, indemnification survival", "RRA 3(a); Indemnification 6", rule_period_ends),
)
RULE_NAMES = tuple(r.name for r in RULES)


def run_rule(rule: Rule, ctx: Context) -> RuleStats:
    """Run one rule in its own transaction, counting its queries."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counter), transaction.atomic():
        if connection.vendor == "postgresql":
            # The chunk queries look expensive to the planner (correlated look-ups per row)
            # and JIT compilation would cost more than running them.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
        stats = rule.func(ctx)
    stats.queries = count[0]
    stats.seconds = time.perf_counter() - started
    return stats


def sweep_claim(*, as_of: datetime.date | None = None, triggered_by: str = "", user=None) -> SweepRun:
    """Take the sweep lock: create the one ``running`` SweepRun (a partial unique
    constraint allows only one). A run left running for over an hour is marked failed
    first (its worker died). Raises ``SweepAlreadyRunning``."""
    as_of = as_of or business_date()
    now = timezone.now()
    SweepRun.objects.filter(status=SweepRun.Status.RUNNING, started_at__lt=now - STALE_RUN_AFTER).update(
        status=SweepRun.Status.FAILED, finished_at=now, errors=[{"rule": "", "error": "abandoned: still running after 1 hour"}]
    )
    try:
        with transaction.atomic():
            return SweepRun.objects.create(
                as_of=as_of, triggered_by=triggered_by[:100], user=user if user and user.is_authenticated else None,
                stats={"rules_total": len(RULES), "rules_done": 0, "rules": {}},
            )
    except IntegrityError:
        raise SweepAlreadyRunning(SweepRun.objects.filter(status=SweepRun.Status.RUNNING).first())


def sweep_execute(*, run_id: int, rules: Iterable[str] | None = None) -> SweepRun:
    """Run every rule for the claimed run's as-of date; each rule commits on its own and a
    failing rule records its error while the others still run. Progress is saved after
    each rule (the dashboard polls it). Re-executing a finished run does nothing."""
    run = SweepRun.objects.get(pk=run_id)
    if run.status != SweepRun.Status.RUNNING:
        return run
    ctx = Context(run.as_of)
    wanted = set(rules) if rules is not None else set(RULE_NAMES)
    selected = [r for r in RULES if r.name in wanted]
    stats = {"rules_total": len(selected), "rules_done": 0, "rules": {}}
    errors: list[dict] = []
    for rule in selected:
        try:
            result = run_rule(rule, ctx)
            stats["rules"][rule.name] = result.as_dict()
        except Exception as err:  # one rule's failure must not stop the others
            log.exception("Sweep rule %s failed for %s", rule.name, run.as_of)
            errors.append({"rule": rule.name, "error": f"{type(err).__name__}: {err}"})
            stats["rules"][rule.name] = {"error": str(err)[:500]}
        stats["rules_done"] += 1
        run.stats, run.errors = stats, errors
        run.save(update_fields=["stats", "errors"])
    stats["changed"] = sum(v.get("created", 0) + v.get("updated", 0) + v.get("voided", 0) + v.get("records_changed", 0)
                           for v in stats["rules"].values())
    run.stats = stats
    run.status = SweepRun.Status.FAILED if errors else SweepRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["stats", "status", "finished_at", "errors"])
    digest_new_overdue(run=run)
    return run


def sweep_run(*, as_of: datetime.date | None = None, triggered_by: str = "", user=None, rules: Iterable[str] | None = None) -> SweepRun:
    """Claim the lock and run the sweep for ``as_of`` (the business date by default, read
    once here). Raises ``SweepAlreadyRunning`` if another sweep is running."""
    run = sweep_claim(as_of=as_of, triggered_by=triggered_by, user=user)
    return sweep_execute(run_id=run.pk, rules=rules)


def sweep_days_missed(*, until: datetime.date) -> list[datetime.date]:
    """The as-of dates a catch-up would sweep: every business day after the last successful
    run through ``until`` (and ``until`` itself); just ``until`` if there was none."""
    last = SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED).order_by("-as_of").values_list("as_of", flat=True).first()
    if last is None:
        return [until]
    if last >= until:
        return []
    days = list(calendars.business_days_between(last + datetime.timedelta(days=1), until))
    if not days or days[-1] != until:
        days.append(until)
    return days


def sweep_catch_up(*, until: datetime.date | None = None, triggered_by: str = "catch-up", user=None) -> list[SweepRun]:
    """Sweep every missed business day in order, after the last successful run, through
    ``until`` (the business date by default). Stops at the first day another sweep holds
    the lock (raises ``SweepAlreadyRunning``); a day with a failing rule is recorded and
    the catch-up goes on (the next catch-up retries from the last successful day)."""
    until = until or business_date()
    return [sweep_run(as_of=day, triggered_by=triggered_by, user=user) for day in sweep_days_missed(until=until)]


