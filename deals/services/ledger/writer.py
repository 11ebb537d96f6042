"""The obligations ledger's single writer: the set-based SQL upsert the sweep uses
(PostgreSQL and SQLite). All raw SQL that writes ``deals.models.Obligation`` lives here."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.db import connection

from deals.models import Obligation, ObligationStatus
from deals.terms.rounding import to_cents

OPEN, SATISFIED, WAIVED, VOID = (
    ObligationStatus.OPEN.value,
    ObligationStatus.SATISFIED.value,
    ObligationStatus.WAIVED.value,
    ObligationStatus.VOID.value,
)


class Stamp(Protocol):
    """When a write happens: the as-of (business) date and the clock (a sweep's ``Context``)."""

    as_of: datetime.date
    now: datetime.datetime


# --- what a rule produces ----------------------------------------------------------


@dataclass(slots=True)


class Row:
    """One ledger row as a rule wants it (``deals.models.Obligation`` columns)."""

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
    id: int | None = None  # the ledger row's id when the rule already knows it (``_update_known``)


# --- the set-based writer ----------------------------------------------------------

_COLS = (
    "kind", "clause", "content_type_id", "object_id", "period_key", "investor_id", "due_date", "amount", "status",
    "satisfied_date", "description", "details",
)
_COMPARED = ("clause", "investor_id", "due_date", "amount", "status", "satisfied_date", "description", "details")
SQLITE_BATCH = 1000  # rows per statement (15 parameters each; SQLite allows 32,766)
PG_BATCH = 100_000  # rows per statement (one JSON parameter whatever the size)


def _details_json(details: dict | str) -> str:
    return details if isinstance(details, str) else json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)


def _upsert(ct_id: int, rows: list[Row], ctx: Stamp) -> tuple[int, int]:
    """Insert new ledger rows and update open rows that differ, in one statement per
    chunk (SQLite: per 1,000 rows). Returns (created, updated). Unchanged and
    closed rows are not written at all."""
    if not rows:
        return 0, 0
    table = connection.ops.quote_name(Obligation._meta.db_table)
    conflict = "(kind, content_type_id, object_id, period_key)"
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_COMPARED, "as_of", "updated_at"))
    created = updated = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # All rows travel as ONE json parameter (psycopg adapts a 20,000-element
            # Python list per column far slower than PostgreSQL parses the JSON).
            distinct = " OR ".join(f"o.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in _COMPARED)
            sql = (
                f"INSERT INTO {table} AS o ({', '.join(_COLS)}, as_of, created_at, updated_at, settled) "
                "SELECT e->>0, e->>1, %s, (e->>2)::bigint, e->>3, (e->>4)::bigint, (e->>5)::date, (e->>6)::numeric, e->>7, "
                "(e->>8)::date, e->>9, (e->10)::jsonb, %s, %s, %s, 0 FROM json_array_elements(%s::json) AS e "
                f"ON CONFLICT {conflict} DO UPDATE SET {sets} "
                f"WHERE o.status = 'open' AND ({distinct}) RETURNING o.created_at = o.updated_at"
            )
            dumps = json.JSONEncoder(separators=(",", ":")).encode
            for start in range(0, len(rows), PG_BATCH):
                payload = "[" + ",".join(
                    dumps([
                        r.kind, r.clause, r.object_id, r.period_key, r.investor_id, r.due_date.isoformat(),
                        None if r.amount is None else str(r.amount), r.status,
                        r.satisfied_date.isoformat() if r.satisfied_date else None, r.description[:300],
                    ])[:-1] + "," + _details_json(r.details) + "]"
                    for r in rows[start : start + PG_BATCH]
                ) + "]"
                cur.execute(sql, [ct_id, ctx.as_of, ctx.now, ctx.now, payload])
                flags = [f for (f,) in cur.fetchall()]
                created += sum(1 for f in flags if f)
                updated += sum(1 for f in flags if not f)
        else:
            distinct = " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in _COMPARED)
            ops = connection.ops
            now = ops.adapt_datetimefield_value(ctx.now)
            as_of = ops.adapt_datefield_value(ctx.as_of)
            one = "(" + ", ".join(["%s"] * (len(_COLS) + 3)) + ", 0)"  # settled: 0 on a new row
            for start in range(0, len(rows), SQLITE_BATCH):
                part = rows[start : start + SQLITE_BATCH]
                sql = (
                    f"INSERT INTO {table} ({', '.join(_COLS)}, as_of, created_at, updated_at, settled) VALUES "
                    + ", ".join([one] * len(part))
                    + f" ON CONFLICT {conflict} DO UPDATE SET {sets.replace('EXCLUDED.', 'excluded.')} "
                    f"WHERE {table}.status = 'open' AND ({distinct}) RETURNING created_at = updated_at"
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
                flags = [f for (f,) in cur.fetchall()]
                created += sum(1 for f in flags if f)
                updated += sum(1 for f in flags if not f)
    return created, updated


def _update_known(ct_id: int, rows: list[Row], ctx: Stamp) -> int:
    """Set amount, description and working of open ledger rows whose ids the rule already
    read and whose amount it found moved (PostgreSQL: one UPDATE joined by id, as a
    hand-written statement would be; elsewhere the upsert)."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return sum(_upsert(ct_id, rows, ctx))
    table = connection.ops.quote_name(Obligation._meta.db_table)
    sql = (
        f"UPDATE {table} AS o SET amount = u.amount, description = u.description, details = u.details, "
        "as_of = %s, updated_at = %s "
        "FROM (SELECT (e->>0)::bigint AS id, (e->>1)::numeric AS amount, e->>2 AS description, (e->3)::jsonb AS details "
        "FROM json_array_elements(%s::json) AS e) AS u "
        "WHERE o.id = u.id AND o.content_type_id = %s AND o.status = 'open' "
        "AND (o.amount IS DISTINCT FROM u.amount OR o.description IS DISTINCT FROM u.description)"
    )
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    changed = 0
    with connection.cursor() as cur:
        for start in range(0, len(rows), PG_BATCH):
            payload = "[" + ",".join(
                dumps([r.id, str(r.amount), r.description[:300]])[:-1] + "," + _details_json(r.details) + "]"
                for r in rows[start : start + PG_BATCH]
            ) + "]"
            cur.execute(sql, [ctx.as_of, ctx.now, payload, ct_id])
            changed += cur.rowcount
    return changed


def _void_missing(
    ct_id: int, kinds: Iterable[str], source_ids: Iterable[int], keep: set[tuple[str, int, str]], ctx: Stamp, reason: str
) -> int:
    """Void the open rows of ``kinds`` for these (fully evaluated) sources whose key
    the rule no longer produces. Two queries at most."""
    ids = list(source_ids)
    if not ids:
        return 0
    existing = Obligation.objects.filter(
        content_type_id=ct_id, kind__in=list(kinds), object_id__gte=min(ids), object_id__lte=max(ids), status=OPEN
    ).values_list("id", "kind", "object_id", "period_key")
    wanted = set(ids)
    stale = [pk for pk, kind, oid, key in existing if oid in wanted and (kind, oid, key) not in keep]
    if not stale:
        return 0
    return Obligation.objects.filter(id__in=stale, status=OPEN).update(
        status=VOID, satisfied_date=ctx.as_of, as_of=ctx.as_of, updated_at=ctx.now,
        description=reason,
    )

