"""The obligations ledger's single writer (PostgreSQL and SQLite).

Every write to ``deals.models.Obligation`` goes through this module -- workflows
(``ledger_put``, ``ledger_close``) and sweep rules (``rows_write``,
``rows_update_known``, ``rows_void_missing``) alike -- and all raw SQL of the
ledger lives here. The rows themselves come from the builders in
``deals.services.ledger.rows`` (one per ``ObligationKind``).

The upsert: ``INSERT .. ON CONFLICT (kind, content_type, object_id, period_key)
DO UPDATE .. WHERE <row is still being worked and something differs>``. So

- writing the same row again changes nothing (0 rows, no history);
- closed rows (satisfied, paid, waived, void) are final: never reopened or rewritten;
- a part-paid row keeps its status; only its working (due date, amount, text) moves.

History (audit, issue 15 item 15): every row the writer inserts or changes gets a
``HistoricalObligation`` row with who and when, written set-based in the same
statement (PostgreSQL: a data-modifying CTE) or right after it (SQLite:
``INSERT .. SELECT`` by id), so history matches every row without building model
instances (bench/sweep.py measures it).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from deals.models import Obligation, ObligationStatus
from deals.terms.rounding import to_cents

OPEN, SATISFIED, WAIVED, VOID = (
    ObligationStatus.OPEN.value,
    ObligationStatus.SATISFIED.value,
    ObligationStatus.WAIVED.value,
    ObligationStatus.VOID.value,
)
PART_PAID = "part_paid"  # ObligationStatus.PART_PAID (settlement): money row with a part payment
#: Statuses whose working the writer still updates; every other status is closed and final.
WORKING_STATUSES = (OPEN, PART_PAID)


class Stamp(Protocol):
    """When and by whom a write happens: the as-of (business) date, the clock, and
    optionally ``user_id`` and ``reason`` for the history (a sweep's ``Context``)."""

    as_of: datetime.date
    now: datetime.datetime


@dataclass(frozen=True)
class WriteStamp:
    as_of: datetime.date
    now: datetime.datetime
    user_id: int | None = None
    reason: str = ""


@dataclass(slots=True)
class Row:
    """One ledger row as a builder makes it (``deals.models.Obligation`` columns)."""

    kind: str
    clause: str
    object_id: int
    due_date: datetime.date
    period_key: str = ""
    investor_id: int | None = None
    amount: Decimal | None = None
    status: str = OPEN
    satisfied_date: datetime.date | None = None
    description: str = ""
    details: dict | str = field(default_factory=dict)
    id: int | None = None  # the ledger row's id when the rule already knows it (``rows_update_known``)


_COLS = (
    "kind", "clause", "content_type_id", "object_id", "period_key", "investor_id", "due_date", "amount", "status",
    "satisfied_date", "description", "details",
)
_COMPARED = ("clause", "investor_id", "due_date", "amount", "status", "satisfied_date", "description", "details")
SQLITE_BATCH = 1000  # rows per statement (15 parameters each; SQLite allows 32,766)
PG_BATCH = 100_000  # rows per statement (one JSON parameter whatever the size)
ANALYZE_AFTER = 10_000  # new rows in one write above which PostgreSQL's statistics of the ledger are refreshed
_WORKING_SQL = "(" + ", ".join(f"'{s}'" for s in WORKING_STATUSES) + ")"


def _details_json(details: dict | str) -> str:
    return details if isinstance(details, str) else json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)


# --- history, set-based ----------------------------------------------------------------------


def _history_columns(model: type[models.Model]) -> tuple[str, str, list[str]]:
    """(table, history table, tracked column names) of a simple-history model."""
    hist = model.history.model
    cols = [f.column for f in hist.tracked_fields]
    return model._meta.db_table, hist._meta.db_table, cols


def history_insert_sql(model: type[models.Model], source: str) -> str:
    """``INSERT INTO <history> (..) SELECT .. FROM <source>``: the history row of every
    row in ``source`` (a table or CTE name with the model's columns and, for the history
    type, a boolean ``inserted`` column). Four parameters: date, reason, user id, and
    nothing else (the history type comes from ``inserted``)."""
    _, hist, cols = _history_columns(model)
    q = connection.ops.quote_name
    return (
        f"INSERT INTO {q(hist)} ({', '.join(q(c) for c in cols)}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join('s.' + q(c) for c in cols)}, %s, %s, "
        f"CASE WHEN s.inserted THEN '+' ELSE '~' END, %s FROM {source} AS s"
    )


def history_record(model: type[models.Model], ids: Sequence[int], *, user_id: int | None, reason: str,
                   now: datetime.datetime | None = None, created: Iterable[int] = ()) -> int:
    """Write one history row per id (the row as it is now): for set-based writes
    (``.update()``, raw SQL) that bypass simple-history's signals. Returns rows written."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return 0
    table, hist, cols = _history_columns(model)
    q = connection.ops.quote_name
    now = now or timezone.now()
    fresh = set(created)
    written = 0
    with connection.cursor() as cur:
        for start in range(0, len(ids), SQLITE_BATCH):
            part = ids[start : start + SQLITE_BATCH]
            for kind, chunk in (("+", [i for i in part if i in fresh]), ("~", [i for i in part if i not in fresh])):
                if not chunk:
                    continue
                cur.execute(
                    f"INSERT INTO {q(hist)} ({', '.join(q(c) for c in cols)}, history_date, history_change_reason, "
                    f"history_type, history_user_id) SELECT {', '.join(q(c) for c in cols)}, %s, %s, %s, %s FROM {q(table)} "
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    [now, reason[:100], kind, user_id, *chunk],
                )
                written += cur.rowcount
    return written


# --- the set-based writer ----------------------------------------------------------------------



def rows_write(ct_id: int, rows: list[Row], ctx: Stamp) -> tuple[int, int]:
    """Insert new ledger rows and update working rows that differ, in one statement per
    chunk (SQLite: per 1,000 rows), with their history. Returns (created, updated).
    Unchanged and closed rows are not written at all."""
    if not rows:
        return 0, 0
    user_id, reason = getattr(ctx, "user_id", None), (getattr(ctx, "reason", "") or "")[:100]
    table = connection.ops.quote_name(Obligation._meta.db_table)
    conflict = "(kind, content_type_id, object_id, period_key)"
    # a part-paid row keeps its status when the builder says "open" (settlement owns it)
    status_pg = "CASE WHEN o.status = 'part_paid' AND EXCLUDED.status = 'open' THEN o.status ELSE EXCLUDED.status END"
    created = updated = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # All rows travel as ONE json parameter (``_pg_payload``).
            sets = ", ".join(
                f"{c} = {status_pg}" if c == "status" else f"{c} = EXCLUDED.{c}" for c in (*_COMPARED, "as_of", "updated_at")
            )
            distinct = " OR ".join(
                f"o.status IS DISTINCT FROM ({status_pg})" if c == "status" else f"o.{c} IS DISTINCT FROM EXCLUDED.{c}"
                for c in _COMPARED
            )
            sql = (
                "WITH up AS ("
                f"INSERT INTO {table} AS o ({', '.join(_COLS)}, as_of, created_at, updated_at, settled) "
                "SELECT e->>0, e->>1, %s, (e->>2)::bigint, e->>3, (e->>4)::bigint, (e->>5)::date, (e->>6)::numeric, e->>7, "
                "(e->>8)::date, e->>9, (e->10)::jsonb, %s, %s, %s, 0 FROM json_array_elements(%s::json) AS e "
                f"ON CONFLICT {conflict} DO UPDATE SET {sets} "
                f"WHERE o.status IN {_WORKING_SQL} AND ({distinct}) RETURNING o.*, (o.xmax = 0) AS inserted), "
                f"h AS ({history_insert_sql(Obligation, 'up')}) "
                "SELECT inserted FROM up"
            )
            for start in range(0, len(rows), PG_BATCH):
                payload = _pg_payload(rows[start : start + PG_BATCH])
                cur.execute(sql, [ct_id, ctx.as_of, ctx.now, ctx.now, payload, ctx.now, reason, user_id])
                flags = [f for (f,) in cur.fetchall()]
                created += sum(1 for f in flags if f)
                updated += sum(1 for f in flags if not f)
            if created >= ANALYZE_AFTER:
                # a bulk build (the first sweep of a grown book, a long catch-up): the planner's
                # statistics follow the ledger it grew, in this transaction, so the sweep's next
                # chunk joins it by index instead of hashing a ledger it believes empty (issue 17:
                # the first sweep at (c) spent 20 s and more per 20,000-conversion chunk)
                cur.execute(f"ANALYZE {table}")
        else:
            status_sq = status_pg.replace("o.status", f"{table}.status").replace("EXCLUDED.", "excluded.")
            sets = ", ".join(
                f"{c} = {status_sq}" if c == "status" else f"{c} = excluded.{c}" for c in (*_COMPARED, "as_of", "updated_at")
            )
            distinct = " OR ".join(
                f"{table}.status IS NOT ({status_sq})" if c == "status" else f"{table}.{c} IS NOT excluded.{c}" for c in _COMPARED
            )
            ops = connection.ops
            now = ops.adapt_datetimefield_value(ctx.now)
            as_of = ops.adapt_datefield_value(ctx.as_of)
            one = "(" + ", ".join(["%s"] * (len(_COLS) + 3)) + ", 0)"  # settled: 0 on a new row
            new_ids: list[int] = []
            changed_ids: list[int] = []
            for start in range(0, len(rows), SQLITE_BATCH):
                part = rows[start : start + SQLITE_BATCH]
                sql = (
                    f"INSERT INTO {table} ({', '.join(_COLS)}, as_of, created_at, updated_at, settled) VALUES "
                    + ", ".join([one] * len(part))
                    + f" ON CONFLICT {conflict} DO UPDATE SET {sets} "
                    f"WHERE {table}.status IN {_WORKING_SQL} AND ({distinct}) RETURNING id, created_at = updated_at"
                )
                params: list = []
                for r in part:
                    params += [
                        r.kind, r.clause, ct_id, r.object_id, r.period_key, r.investor_id,
                        ops.adapt_datefield_value(r.due_date),
                        None if r.amount is None else str(to_cents(r.amount)),
                        r.status, ops.adapt_datefield_value(r.satisfied_date), r.description[:300],
                        _details_json(r.details), as_of, now, now,
                    ]
                cur.execute(sql, params)
                for pk, fresh in cur.fetchall():
                    (new_ids if fresh else changed_ids).append(pk)
            created, updated = len(new_ids), len(changed_ids)
            history_record(Obligation, new_ids + changed_ids, user_id=user_id, reason=reason, now=ctx.now, created=new_ids)
    return created, updated


def _pg_payload(rows: list[Row]) -> str:
    """The rows as ONE json parameter (psycopg adapts a 20,000-element Python list per column
    far slower than PostgreSQL parses the JSON): ``[kind, clause, object_id, period_key,
    investor_id, due_date, amount, status, satisfied_date, description, details]`` each."""
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    return "[" + ",".join(
        dumps([
            r.kind, r.clause, r.object_id, r.period_key, r.investor_id, r.due_date.isoformat(),
            None if r.amount is None else str(r.amount), r.status,
            r.satisfied_date.isoformat() if r.satisfied_date else None, r.description[:300],
        ])[:-1] + "," + _details_json(r.details) + "]"
        for r in rows
    ) + "]"


def rows_that_change(ct_id: int, rows: list[Row]) -> list[Row]:
    """The rows ``rows_write`` would write: new keys, and working rows that differ in a compared
    column -- found by one read of the rows' keys (no row locked), so a day on which nothing moved
    sends nothing to the upsert, whose ON CONFLICT locks (and dirties) every row it matches,
    changed or not. Errs towards writing: a row it cannot prove equal is kept (the upsert's own
    comparison then decides), e.g. a ``details`` whose JSON text differs only in form."""
    if not rows:
        return rows
    q = Obligation.objects.filter(content_type_id=ct_id, kind__in={r.kind for r in rows},
                                  object_id__in={r.object_id for r in rows})
    investors = {r.investor_id for r in rows}
    if None not in investors:
        q = q.filter(investor_id__in=investors)
    have = {(k, o, p): rest for k, o, p, *rest in q.values_list("kind", "object_id", "period_key", *_COMPARED)}
    out = []
    for r in rows:
        old = have.get((r.kind, r.object_id, r.period_key))
        if old is None:
            out.append(r)
            continue
        clause, investor_id, due_date, amount, status, satisfied_date, description, details = old
        if status not in WORKING_STATUSES:
            continue  # closed rows are final: the upsert leaves them alone
        same = (
            clause == r.clause and investor_id == r.investor_id and due_date == r.due_date
            and (status == r.status or (status == PART_PAID and r.status == OPEN))  # part-paid keeps its status
            and satisfied_date == r.satisfied_date and description == r.description[:300]
            and (amount is None if r.amount is None else amount is not None and amount == to_cents(r.amount))
            and _details_json(details) == _details_json(r.details)
        )
        if not same:
            out.append(r)
    return out


def rows_update_known(ct_id: int, rows: list[Row], ctx: Stamp) -> int:
    """Set amount, description and working of working ledger rows whose ids the rule
    already read and whose amount it found moved (PostgreSQL: one UPDATE joined by id,
    with its history; elsewhere the upsert)."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return sum(rows_write(ct_id, rows, ctx))
    user_id, reason = getattr(ctx, "user_id", None), (getattr(ctx, "reason", "") or "")[:100]
    table = connection.ops.quote_name(Obligation._meta.db_table)
    sql = (
        f"WITH up AS (UPDATE {table} AS o SET amount = u.amount, description = u.description, details = u.details, "
        "as_of = %s, updated_at = %s "
        "FROM (SELECT (e->>0)::bigint AS id, (e->>1)::numeric AS amount, e->>2 AS description, (e->3)::jsonb AS details "
        "FROM json_array_elements(%s::json) AS e) AS u "
        f"WHERE o.id = u.id AND o.content_type_id = %s AND o.status IN {_WORKING_SQL} "
        "AND (o.amount IS DISTINCT FROM u.amount OR o.description IS DISTINCT FROM u.description) "
        f"RETURNING o.*, false AS inserted), h AS ({history_insert_sql(Obligation, 'up')}) SELECT count(*) FROM up"
    )
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    changed = 0
    with connection.cursor() as cur:
        for start in range(0, len(rows), PG_BATCH):
            payload = "[" + ",".join(
                dumps([r.id, str(r.amount), r.description[:300]])[:-1] + "," + _details_json(r.details) + "]"
                for r in rows[start : start + PG_BATCH]
            ) + "]"
            cur.execute(sql, [ctx.as_of, ctx.now, payload, ct_id, ctx.now, reason, user_id])
            changed += cur.fetchone()[0]
    return changed


def _close_ids(ids: list[int], *, status: str, on: datetime.date, ctx: Stamp, description: str | None = None) -> int:
    """Close working rows by id (status + date), with history. Closed rows are left alone."""
    if not ids:
        return 0
    values = {"status": status, "satisfied_date": on, "as_of": ctx.as_of, "updated_at": ctx.now}
    if description is not None:
        values["description"] = description
    qs = Obligation.objects.filter(id__in=ids, status__in=WORKING_STATUSES)
    changed = list(qs.values_list("id", flat=True))
    n = Obligation.objects.filter(id__in=changed).update(**values)
    history_record(Obligation, changed, user_id=getattr(ctx, "user_id", None), reason=getattr(ctx, "reason", "") or "",
                   now=ctx.now)
    return n


def rows_void_missing(
    ct_id: int, kinds: Iterable[str], source_ids: Iterable[int], keep: set[tuple[str, int, str]], ctx: Stamp, reason: str
) -> int:
    """Void the open rows of ``kinds`` for these (fully evaluated) sources whose key
    the rule no longer produces. Three queries at most."""
    ids = list(source_ids)
    if not ids:
        return 0
    existing = Obligation.objects.filter(
        content_type_id=ct_id, kind__in=list(kinds), object_id__gte=min(ids), object_id__lte=max(ids), status=OPEN
    ).values_list("id", "kind", "object_id", "period_key")
    wanted = set(ids)
    stale = [pk for pk, kind, oid, key in existing if oid in wanted and (kind, oid, key) not in keep]
    return _close_ids(stale, status=VOID, on=ctx.as_of, ctx=ctx, description=reason)


# --- the workflows' entry points ----------------------------------------------------------------


def _stamp(as_of: datetime.date | None, user, reason: str) -> WriteStamp:
    from deals.services.calendar import business_date

    uid = getattr(user, "pk", None) if user is not None and getattr(user, "is_authenticated", False) else None
    return WriteStamp(as_of=as_of or business_date(), now=timezone.now(), user_id=uid, reason=reason)


def ledger_put(*, source: models.Model, rows: Iterable[Row | None], as_of: datetime.date | None = None, user=None,
               reason: str = "workflow") -> tuple[int, int]:
    """Write a record's rows (from the builders) in the caller's transaction: insert new
    keys, update working rows that differ, leave closed rows alone. Returns (created, updated)."""
    wanted = [r for r in rows if r is not None]
    if not wanted:
        return 0, 0
    ct_id = ContentType.objects.get_for_model(source).pk
    return rows_write(ct_id, wanted, _stamp(as_of, user, reason))


def ledger_close(
    *,
    source: models.Model,
    kinds: list[str] | None = None,
    status: str = SATISFIED,
    on: datetime.date,
    as_of: datetime.date | None = None,
    user=None,
    reason: str = "workflow",
    period_key: str | None = None,
    description: str | None = None,
) -> int:
    """Close the working rows of a record (all kinds, or the given ones; one period if
    given), with history. Closed rows stay as they are. Returns rows changed.
    ``description``: the text the closed rows then carry (as the sweep's ``rows_void_missing``)."""
    qs = Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk, status__in=WORKING_STATUSES
    )
    if period_key is not None:
        qs = qs.filter(period_key=period_key)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return _close_ids(list(qs.values_list("id", flat=True)), status=status, on=on, ctx=_stamp(as_of, user, reason),
                      description=description)


def obligations_for(source: models.Model):
    """The ledger rows of one record, oldest due first."""
    return Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    ).order_by("due_date", "id")
