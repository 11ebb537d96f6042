"""Deadline sweeps: every contract deadline and growing amount, written to the
obligations ledger (``deals.models.Obligation``) once a business day.

Entry points (keyword-only, called alike by Celery tasks, the ``sweep``
management command and the dashboard's "run sweep now" button):

- ``sweep_run(as_of=..., triggered_by=..., user=...)``: claim the sweep lock,
  run every rule for one as-of date (the business date by default, read
  ONCE here and passed down), record a ``SweepRun``.
- ``sweep_claim`` + ``sweep_execute``: the same in two steps, so a view can
  hand the run's id to a Celery task and poll its progress.
- ``sweep_catch_up(until=...)``: every business day after the last
  successful run, in order, through ``until``.

How a rule works. One function per rule below (``RULES``). Each reads its
source rows in a fixed number of queries (large tables in id-ordered chunks
of ``CHUNK`` rows), computes every date and amount in Python with
``deals.terms``, and writes the ledger with one set-based upsert per chunk
(``_upsert``): ``INSERT .. ON CONFLICT (kind, content_type, object_id,
period_key) DO UPDATE .. WHERE <row is open and something differs>``. So

- a re-run for the same date rewrites nothing (0 rows changed);
- a sweep killed halfway is simply re-run (each rule commits on its own);
- closed rows (satisfied, waived, void) are final: a deal admin's "paid" or
  "waived" is never reopened by a sweep; rules close rows themselves when the
  source record says so (shares delivered, statement effective, ...).

Rows whose key can disappear (a Computation Date that moved because the
statement went effective early, a suspension span that changed) are voided
by ``_void_missing`` for the sources a rule evaluated in full.

The upsert is hand-written SQL (PostgreSQL: one statement per chunk over
``unnest`` arrays; SQLite: multi-row VALUES batches) because building
100,000 model instances for ``bulk_create`` costs more than the whole SQL
round trip; see bench/sweep.py. ``bulk_create`` also skips simple-history,
so does this: the ledger's own ``as_of``/``updated_at`` say which sweep
changed a row last.
"""

from deals.services.ledger.writer import Row
from deals.services.sweeps.context import CHUNK, CLOSED_LOOKBACK, Context, RuleStats
from deals.services.sweeps.digest import digest_new_overdue, new_overdue
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
from deals.services.sweeps.run import (
    RULE_NAMES,
    RULES,
    STALE_RUN_AFTER,
    Rule,
    SweepAlreadyRunning,
    run_rule,
    sweep_catch_up,
    sweep_claim,
    sweep_days_missed,
    sweep_execute,
    sweep_run,
)

__all__ = [
    "CHUNK", "CLOSED_LOOKBACK", "RULES", "RULE_NAMES", "STALE_RUN_AFTER", "Context", "Row", "Rule", "RuleStats",
    "SweepAlreadyRunning", "digest_new_overdue", "new_overdue", "rule_cap", "rule_debentures", "rule_defaults",
    "rule_increased_shares", "rule_original_notice", "rule_period_ends", "rule_periodic_amounts", "rule_rofr",
    "rule_share_delivery", "rule_suspensions", "rule_warrants", "run_rule", "sweep_catch_up", "sweep_claim",
    "sweep_days_missed", "sweep_execute", "sweep_run",
]
