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

from __future__ import annotations

import datetime
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from deals.models import (
    CapRemedy,
    Conversion,
    ConversionStatus,
    Debenture,
    EventOfDefault,
    Financing,
    IndemnificationClaim,
    InstrumentStatus,
    Issuer,
    NewTransactionOffer,
    Obligation,
    ObligationKind,
    ObligationStatus,
    OfferResponse,
    PreferredHolding,
    Redemption,
    RedemptionStatus,
    RegistrationAmendment,
    RegistrationStatement,
    SuspensionPeriod,
    SweepRun,
    Warrant,
    WarrantExercise,
)
from deals.selectors.terms import TermsBook, TermsUnavailable
from deals.services.calendar import business_date
from deals.services.roles import DEAL_ADMIN
from deals.terms import calendars, rofr
from deals.terms import events as ev
from deals.terms import registration as reg
from deals.terms.cap import cap_redemption_due_date, meeting_date
from deals.terms.conversion import accrued_interest, original_notice_due
from deals.terms.delivery import (
    late_payment,
    late_payment_per_unit,
    late_units,
    mandatory_purchase_amount,
    mandatory_purchase_due_date,
    revocation_right,
)
from deals.terms.errors import TermsError
from deals.terms.misc import INDEMNIFICATION_DATE, indemnification_survival
from deals.terms.params import DealTerms
from deals.terms.redemption import redemption_due_date, redemption_status
from deals.terms.rounding import to_cents
from deals.terms.suspensions import SuspensionPeriod as TermsSuspension
from deals.terms.suspensions import judge_suspension

log = logging.getLogger(__name__)

CHUNK = 20_000  # source rows per chunk (conversions); each chunk costs a fixed 2 queries
# Closed records are re-evaluated this long after they closed, so a delivery or
# payment recorded with a past date still updates its ledger rows.
CLOSED_LOOKBACK = datetime.timedelta(days=120)
# A run still "running" after this long is taken as abandoned (killed worker).
STALE_RUN_AFTER = datetime.timedelta(hours=1)
OPEN, SATISFIED, WAIVED, VOID = (
    ObligationStatus.OPEN.value,
    ObligationStatus.SATISFIED.value,
    ObligationStatus.WAIVED.value,
    ObligationStatus.VOID.value,
)
K = ObligationKind


class SweepAlreadyRunning(Exception):
    """Another sweep holds the lock (one running ``SweepRun`` at a time)."""

    def __init__(self, running: SweepRun | None):
        self.running = running
        when = f" (as of {running.as_of.isoformat()}, started {running.started_at:%Y-%m-%d %H:%M})" if running else ""
        super().__init__(f"A sweep is already running{when}; try again when it has finished.")


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


@dataclass
class RuleStats:
    rows: int = 0  # ledger rows the rule computed
    created: int = 0
    updated: int = 0
    voided: int = 0
    records_changed: int = 0  # source records the rule changed (expired warrants, void redemptions)
    queries: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what the rule could not compute, and why

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.voided + self.records_changed

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "voided": self.voided,
            "records_changed": self.records_changed,
            "queries": self.queries,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
        }


class Context:
    """What every rule shares within one run: the as-of date, the clock, the
    deal terms asked for (each answer remembered for the run) and content types."""

    def __init__(self, as_of: datetime.date):
        self.as_of = as_of
        self.now = timezone.now()
        self._book: TermsBook | None = None
        self._ct: dict[type, int] = {}

    @property
    def book(self) -> TermsBook:
        if self._book is None:
            self._book = TermsBook()  # one query for the run
        return self._book

    def terms(self, version_id: int) -> DealTerms:
        """The terms of the version a record was priced under (its ``terms_version``)."""
        return self.book.version(version_id).terms

    def terms_in_force(self, *, financing: int, day: datetime.date) -> DealTerms:
        """``deals.selectors.terms`` for the financing and day (the same rule as
        ``terms_in_force``). Raises ``TermsUnavailable``: rules note it and skip the record."""
        return self.book.in_force(financing=financing, day=day).terms

    def ct(self, model) -> int:
        if not self._ct:
            models = [
                Conversion, Financing, RegistrationStatement, RegistrationAmendment, SuspensionPeriod, PreferredHolding,
                OfferResponse, NewTransactionOffer, Warrant, Debenture, Redemption, EventOfDefault, CapRemedy, Issuer,
                IndemnificationClaim,
            ]
            self._ct = {m: c.pk for m, c in ContentType.objects.get_for_models(*models).items()}
        if model not in self._ct:
            self._ct[model] = ContentType.objects.get_for_model(model).pk
        return self._ct[model]


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


def _upsert(ct_id: int, rows: list[Row], ctx: Context) -> tuple[int, int]:
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
                f"INSERT INTO {table} AS o ({', '.join(_COLS)}, as_of, created_at, updated_at) "
                "SELECT e->>0, e->>1, %s, (e->>2)::bigint, e->>3, (e->>4)::bigint, (e->>5)::date, (e->>6)::numeric, e->>7, "
                "(e->>8)::date, e->>9, (e->10)::jsonb, %s, %s, %s FROM json_array_elements(%s::json) AS e "
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
            one = "(" + ", ".join(["%s"] * (len(_COLS) + 3)) + ")"
            for start in range(0, len(rows), SQLITE_BATCH):
                part = rows[start : start + SQLITE_BATCH]
                sql = (
                    f"INSERT INTO {table} ({', '.join(_COLS)}, as_of, created_at, updated_at) VALUES "
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


def _update_known(ct_id: int, rows: list[Row], ctx: Context) -> int:
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
    ct_id: int, kinds: Iterable[str], source_ids: Iterable[int], keep: set[tuple[str, int, str]], ctx: Context, reason: str
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


def _write(ctx: Context, stats: RuleStats, by_ct: dict[int, list[Row]]) -> None:
    for ct_id, rows in by_ct.items():
        c, u = _upsert(ct_id, rows, ctx)
        stats.rows += len(rows)
        stats.created += c
        stats.updated += u


def _milestone(due: datetime.date, as_of: datetime.date) -> tuple[str, datetime.date | None]:
    """A date that simply passes (end of a period, a warning): open until it has passed."""
    return (SATISFIED, due) if as_of > due else (OPEN, None)


def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d else None


def _money(value) -> str:
    return f"${Decimal(value):,.2f}"


def _chunks(qs, fields: tuple[str, ...]):
    """Yield lists of value tuples (id first) in id order, CHUNK rows at a time."""
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:CHUNK])
        if batch:
            yield batch
        if len(batch) < CHUNK:
            return
        last = batch[-1][0]


def _sqlite_row(r: tuple) -> tuple:
    """Rule 1's raw chunk row from SQLite: dates and decimals back to Python types."""
    d = lambda v: datetime.date.fromisoformat(v) if isinstance(v, str) else (v or None)  # noqa: E731
    return (
        r[0], r[1], r[2], r[3], Decimal(str(r[4])), d(r[5]), r[6], d(r[7]), d(r[8]), d(r[9]), r[10], d(r[11]), r[12], r[13],
        bool(r[14]), bool(r[15]), r[16], None if r[17] is None else to_cents(Decimal(str(r[17]))), r[18], bool(r[19]),
    )


# --- rule 1: share delivery, late payments, revocation (SPA 5(c); Debenture 4(A)) -------


def rule_share_delivery(ctx: Context) -> RuleStats:
    """SPA 5(c), Debenture 4(A): for every conversion awaiting delivery (or closed in the
    last 120 days): the delivery obligation (due on the Delivery Date); for the Series J,
    the late payment -- $100 per $10,000 per business day beyond 3 business days after the
    Delivery Date, $1,000 + $200 a day beyond 10 (``delivery.late_payment_per_unit``),
    counted through delivery, revocation or dishonour, else through the as-of date, so it
    grows each business day -- and the holder's right to revoke (from the day after the
    3rd business day after the Delivery Date).

    Two queries per 20,000 conversions: the chunk (with, per conversion, whether its
    delivery and revocation rows are current and its late-payment row's id and amount,
    as correlated sub-queries) and one write. Only what can have changed is computed in
    full and sent: a delivery or revocation row older than its conversion, a late payment
    whose amount moved (it moves each business day while the shares are late)."""
    stats = RuleStats()
    as_of = ctx.as_of
    ct = ctx.ct(Conversion)
    since = as_of - CLOSED_LOOKBACK
    # One raw statement per chunk: the conversions with their three ledger rows joined
    # (the ORM has no relation from Conversion to the generic ledger to join on).
    conv, ob = Conversion._meta.db_table, Obligation._meta.db_table
    deb, pref = Debenture._meta.db_table, PreferredHolding._meta.db_table
    joins = " ".join(
        f"LEFT JOIN {ob} {a} ON {a}.content_type_id = %(ct)s AND {a}.object_id = c.id AND {a}.kind = '{k}' AND {a}.period_key = ''"
        for a, k in (("sd", K.SHARE_DELIVERY.value), ("rv", K.REVOCATION_RIGHT.value), ("lp", K.LATE_PAYMENT.value))
    )
    sql = (
        "SELECT c.id, c.investor_id, c.preferred_id, c.terms_version_id, c.amount, c.delivery_date, c.status, c.delivered_date, "
        "c.revoked_date, c.dishonoured_date, c.shares_issuable, c.conversion_date, d.number, p.certificate_number, "
        "COALESCE(sd.updated_at >= c.updated_at, false), COALESCE(rv.updated_at >= c.updated_at, false), "
        "lp.id, lp.amount, lp.status, COALESCE(lp.updated_at >= c.updated_at, false) "
        f"FROM {conv} c LEFT JOIN {deb} d ON d.id = c.debenture_id LEFT JOIN {pref} p ON p.id = c.preferred_id {joins} "
        "WHERE c.id > %(last)s AND (c.status = %(pending)s OR c.delivered_date >= %(since)s OR c.revoked_date >= %(since)s "
        "OR c.dishonoured_date >= %(since)s) ORDER BY c.id LIMIT %(limit)s"
    )
    params = {"ct": ct, "pending": ConversionStatus.PENDING_DELIVERY.value, "since": since, "limit": CHUNK}
    ops = connection.ops

    def batches():
        last = 0
        while True:
            with connection.cursor() as cur:
                cur.execute(sql, {**params, "last": last, "since": ops.adapt_datefield_value(since)})
                batch = cur.fetchall()
            if connection.vendor != "postgresql":  # SQLite hands back text and numbers
                batch = [_sqlite_row(r) for r in batch]
            if batch:
                yield batch
            if len(batch) < CHUNK:
                return
            last = batch[-1][0]

    # the last business day counted: a weekend or holiday run adds no late day and rewrites nothing
    last_counted = as_of if calendars.is_business_day(as_of) else calendars.add_business_days(as_of, -1)
    late_cache: dict = {}
    units_cache: dict = {}
    right_cache: dict = {}
    for batch in batches():
        rows: list[Row] = []
        known: list[Row] = []  # late payments already in the ledger: updated by id
        for (pk, inv, pref, tv, amount, dd, status, delivered, revoked, dishonoured, shares, conv_date, deb_no, cert,
             sd_current, rv_current, lp_id, lp_amount, lp_status, lp_current) in batch:
            pending = status == ConversionStatus.PENDING_DELIVERY
            closed_on = delivered or revoked or dishonoured
            if not sd_current:  # the delivery itself (the clerk workflow writes the same row on submit)
                label = f"Debenture {deb_no}" if pref is None else f"Series J {cert}"
                if pending:
                    st, sat = OPEN, None
                elif status == ConversionStatus.DELIVERED:
                    st, sat = SATISFIED, delivered
                else:
                    st, sat = VOID, closed_on
                rows.append(Row(
                    K.SHARE_DELIVERY, "Debenture 4(A)" if pref is None else "SPA 5(c); Series J CoD Delivery Date", pk, dd,
                    investor_id=inv, status=st, satisfied_date=sat, description=f"Deliver {shares:,} shares for {label}",
                    details={"shares": shares, "conversion_date": conv_date.isoformat()},
                ))
            if pref is None:
                continue  # SPA 5(c) is a Series J clause; the Debenture has no late payments
            terms = ctx.terms(tv)
            if not rv_current:  # revocation right (SPA 5(c))
                key = (tv, dd)
                right = right_cache.get(key)
                if right is None:
                    r = revocation_right(terms=terms, delivery_date=dd, as_of=as_of)
                    right = right_cache[key] = (r.opens_on, r.as_dict() | {"as_of": None}, (
                        f"Holder may revoke the Notice of Conversion: shares not delivered within "
                        f"{terms.revocation_business_days} business days after the Delivery Date {dd.isoformat()}"
                    ))
                opens_on, details, text = right
                if pending and as_of >= opens_on:
                    rows.append(Row(K.REVOCATION_RIGHT, "SPA 5(c)", pk, opens_on, investor_id=inv, description=text, details=details))
                elif not pending and closed_on and closed_on >= opens_on:
                    rows.append(Row(
                        K.REVOCATION_RIGHT, "SPA 5(c)", pk, opens_on, investor_id=inv, status=VOID, satisfied_date=closed_on,
                        description=f"Revocation right ended on {closed_on.isoformat()} ({status.replace('_', ' ')})",
                    ))
            # late payment (SPA 5(c))
            if lp_id is not None and lp_status != OPEN:
                continue  # paid or waived: final
            if closed_on is not None:
                if lp_current:
                    continue
                full = late_payment(terms=terms, amount_converted=amount, delivery_date=dd, delivered_on=closed_on)
                if full.business_days_late > 0:
                    rows.append(Row(
                        K.LATE_PAYMENT, "SPA 5(c)", pk, closed_on, investor_id=inv, amount=full.amount,
                        description=f"Late payment: {full.business_days_late} business day(s) late, payable on demand",
                        details=full.as_dict(),
                    ))
                continue
            key = (tv, dd)
            lp = late_cache.get(key)
            if lp is None:
                grace_end = calendars.add_business_days(dd, terms.late_grace_business_days)
                n = calendars.count_business_days(grace_end, last_counted) if last_counted > grace_end else 0
                per_unit = late_payment_per_unit(n, terms)
                lp = late_cache[key] = (n, per_unit, calendars.add_business_days(grace_end, 1) if n else None, (
                    f"Late payment so far: {n} business day(s) late, {_money(per_unit)} per $10,000; grows each "
                    "business day until delivery; payable on demand"
                ), f'"business_days_late":{n},"clause":"SPA 5(c)","counted_through":"{last_counted.isoformat()}",'
                   f'"delivered":false,"grace_end":"{grace_end.isoformat()}","per_unit":"{per_unit}"')
            n, per_unit, first_late, text, details = lp
            if n <= 0:
                continue
            ukey = (tv, amount)
            units = units_cache.get(ukey)
            if units is None:
                units = units_cache[ukey] = late_units(amount, terms)
            value = to_cents(per_unit * units)
            if value == lp_amount:
                continue  # nothing moved since the last sweep
            row = Row(K.LATE_PAYMENT, "SPA 5(c)", pk, first_late, investor_id=inv, amount=value, description=text,
                      details="{" + details + f',"units":"{units}"' + "}")
            if lp_id is not None:
                row.id = lp_id
                known.append(row)
            else:
                rows.append(row)
        _write(ctx, stats, {ct: rows})
        stats.rows += len(known)
        stats.updated += _update_known(ct, known, ctx)
    return stats


# --- rule 2: original Notice of Conversion (Debenture Exhibit A) ---------------------------


def rule_original_notice(ctx: Context) -> RuleStats:
    """Debenture Exhibit A: a faxed Notice of Conversion must be followed by the original
    Debenture and notice by the 5th business day after the Date of Conversion
    (``conversion.original_notice_due``). Open until received; flagged late after that day."""
    stats = RuleStats()
    as_of = ctx.as_of
    since = as_of - CLOSED_LOOKBACK
    qs = Conversion.objects.filter(debenture__isnull=False).filter(
        Q(original_due_date__isnull=False) | Q(notice_method="facsimile")
    ).filter(
        Q(original_received_date__isnull=True, status=ConversionStatus.PENDING_DELIVERY)
        | Q(original_received_date__isnull=True, status=ConversionStatus.DELIVERED)
        | Q(original_received_date__gte=since)
        | Q(revoked_date__gte=since)
        | Q(dishonoured_date__gte=since)
    )
    fields = ("investor_id", "terms_version_id", "conversion_date", "original_due_date", "original_received_date", "status",
              "revoked_date", "dishonoured_date", "debenture__number")
    ct = ctx.ct(Conversion)
    for batch in _chunks(qs, fields):
        rows = []
        for pk, inv, tv, conv_date, due, received, status, revoked, dishonoured, number in batch:
            due = due or original_notice_due(conv_date, ctx.terms(tv))
            if received:
                st, sat = SATISFIED, received
            elif status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED):
                st, sat = VOID, revoked or dishonoured
            else:
                st, sat = OPEN, None
            late = (received > due) if received else as_of > due
            rows.append(Row(
                K.ORIGINAL_NOTICE, "Debenture Exhibit A", pk, due, investor_id=inv, status=st, satisfied_date=sat,
                description=f"Original Debenture {number} and Notice of Conversion due from the holder",
                details={"original_due": due.isoformat(), "received": _iso(received), "late": late},
            ))
        _write(ctx, stats, {ct: rows})
    return stats


# --- rules 3-5 share the registration facts ------------------------------------------------


@dataclass
class _Registration:
    financing: Financing
    statement: RegistrationStatement | None
    amendments: list[RegistrationAmendment]
    suspensions: list[SuspensionPeriod]
    holdings: list[PreferredHolding]


def _registrations() -> list[_Registration]:
    """Series J financings with their primary statement, amendments, suspensions and holdings (5 queries)."""
    financings = list(Financing.objects.filter(kind=Financing.Kind.SERIES_J, initial_closing_date__isnull=False).order_by("id"))
    ids = [f.pk for f in financings]
    statements: dict[int, RegistrationStatement] = {}
    for s in RegistrationStatement.objects.filter(financing_id__in=ids).order_by("id"):
        statements.setdefault(s.financing_id, s)
    sids = [s.pk for s in statements.values()]
    amendments = defaultdict(list)
    for a in RegistrationAmendment.objects.filter(statement_id__in=sids).order_by("id"):
        amendments[a.statement_id].append(a)
    suspensions = defaultdict(list)
    for s in SuspensionPeriod.objects.filter(statement_id__in=sids).order_by("start_date", "id"):
        suspensions[s.statement_id].append(s)
    holdings = defaultdict(list)
    for h in PreferredHolding.objects.filter(financing_id__in=ids).order_by("id"):
        holdings[h.financing_id].append(h)
    out = []
    for f in financings:
        st = statements.get(f.pk)
        out.append(_Registration(f, st, amendments[st.pk] if st else [], suspensions[st.pk] if st else [], holdings[f.pk]))
    return out


def _effective(d: datetime.date | None, as_of: datetime.date) -> datetime.date | None:
    """An effective date counts only once it has happened (a date recorded ahead is ignored)."""
    return d if d is not None and d <= as_of else None


def _restricted_spans(susp: list[SuspensionPeriod], terms: DealTerms) -> list[tuple[SuspensionPeriod, object]]:
    """RRA 3(h): each suspension judged against the earlier ones of its statement."""
    out = []
    earlier: list[TermsSuspension] = []
    for s in susp:
        proposed = TermsSuspension(s.start_date, s.end_date)
        verdict = judge_suspension(
            proposed=proposed, existing=tuple(earlier), notice_given_on=s.notice_date,
            notice_required=getattr(s, "notice_required", True), terms=terms,
        )
        out.append((s, verdict))
        earlier.append(proposed)
    return out


# --- rule 3: Periodic Amounts (RRA 2(b)) ------------------------------------------------------


def rule_periodic_amounts(ctx: Context) -> RuleStats:
    """RRA 2(b)(i)-(iv), (vii): the Required Effective Date (90 days after the Initial
    Closing Date; RRA 2(b)(i)(B)-(C) for amendments) passed without effectiveness, or a
    Restricted Sale Date (a restriction outside a Permitted Suspension Period, RRA 3(h)):
    2% of the base per 30 days, prorated daily, determined at each Computation Date and
    payable monthly.

    The figures are the liquidated-damages workflow's (``company.liquidated_damages.
    damages_overview``, which calls ``registration.periodic_amounts``), written under the
    same keys as its ``ld_obligations_sync`` (source: the financing; one row per investor,
    lateness and Computation Date), so the ledger holds each Periodic Amount once and a
    payment recorded there closes the row the sweep keeps. The sweep adds the part
    accruing towards the next Computation Date. The overview (it reads the financing's
    conversions) runs only for a financing with a lateness; a handful of queries."""
    from deals.services.company.liquidated_damages import damages_overview, periodic_amount_key, triggers

    stats = RuleStats()
    as_of = ctx.as_of
    regs = _registrations()
    rows: list[Row] = []
    fin_rows: list[Row] = []
    st_rows: list[Row] = []
    complete: list[int] = []  # financings whose schedules all computed (stale rows may be voided)
    for r in regs:
        f = r.financing
        try:
            terms = ctx.terms_in_force(financing=f.pk, day=f.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        red = reg.anticipated_initial_effective_date(f.initial_closing_date, terms)
        effective = _effective(r.statement.effective_date if r.statement else None, as_of)
        # the deadline itself (the registration workflow writes the same row on the statement)
        status, sat = (SATISFIED, effective) if effective else (OPEN, None)
        (st_rows if r.statement else fin_rows).append(Row(
            K.REQUIRED_EFFECTIVE, "RRA 2(b)(i)(A)", (r.statement or f).pk, red, status=status, satisfied_date=sat,
            description=(
                f"Registration statement to be declared effective by {red.isoformat()} "
                f"({terms.required_effective_days} days after the Initial Closing Date)"
            ),
        ))
        if not triggers(financing=f, as_of=as_of):
            complete.append(f.pk)
            continue
        ok = True
        for d in damages_overview(financing=f, as_of=as_of):
            for sch in d.schedules:
                t = sch.trigger
                if sch.amounts is None:
                    ok = False
                    stats.notes.append(f"{d.investor}: {t.label}: {sch.error}")
                    continue
                base = sch.base.as_dict() if sch.base else None
                for line in sch.amounts.lines:
                    rows.append(Row(
                        K.PERIODIC_AMOUNT, "RRA 2(b)(iii)-(iv)", f.pk, line.due_date,
                        period_key=periodic_amount_key(d.investor.pk, t.lateness, t.trigger_date, line.computation_date),
                        investor_id=d.investor.pk, amount=line.amount,
                        description=(
                            f"Periodic Amount for {line.first_day.isoformat()}..{line.computation_date.isoformat()} "
                            f"({line.days} days on {line.base}): {t.label}"
                        ),
                        details={"line": line.as_dict(), "base": base},
                    ))
                a = sch.amounts.accruing
                if a is not None:
                    next_cd = a.first_day + datetime.timedelta(days=terms.periodic_period_days - 1)
                    rows.append(Row(
                        K.PERIODIC_AMOUNT, "RRA 2(b)(iii)-(iv)", f.pk, reg.periodic_amount_due_date(next_cd),
                        period_key=periodic_amount_key(d.investor.pk, t.lateness, t.trigger_date, next_cd),
                        investor_id=d.investor.pk, amount=a.amount,
                        description=(
                            f"Periodic Amount accruing: {a.days} day(s) from {a.first_day.isoformat()} so far, on {a.base}; "
                            f"determined on the next Computation Date {next_cd.isoformat()} or on cure: {t.label}"
                        ),
                        details={"line": a.as_dict(), "base": base, "accruing": True},
                    ))
        if ok:
            complete.append(f.pk)
    ct_f = ctx.ct(Financing)
    _write(ctx, stats, {ct_f: rows + fin_rows, ctx.ct(RegistrationStatement): st_rows})
    keep = {(row.kind, row.object_id, row.period_key) for row in rows + fin_rows}
    stats.voided += _void_missing(
        ct_f, [K.PERIODIC_AMOUNT, K.REQUIRED_EFFECTIVE], complete, keep, ctx,
        "No longer payable as computed: a Computation Date moved (effectiveness or end of restriction recorded), "
        "or the deadline is tracked on the registration statement",
    )
    return stats


# --- rule 4: Increased Registered Shares Date (RRA 2(a)(ii)) --------------------------------


def rule_increased_shares(ctx: Context) -> RuleStats:
    """RRA 2(a)(ii), 2(b)(i)(B)-(C): for each recorded Increased Registered Shares Date,
    the amendment due within 10 business days (statement not yet effective) and the new
    Required Effective Date; and, when registrable shares now exceed the shares registered
    with no Increased Registered Shares Date recorded, a flag on the statement (the date
    the sweep first saw it counts as the Increased Registered Shares Date)."""
    stats = RuleStats()
    as_of = ctx.as_of
    regs = _registrations()
    amend_rows: list[Row] = []
    flag_rows: list[Row] = []
    for r in regs:
        f = r.financing
        try:
            terms = ctx.terms_in_force(financing=f.pk, day=f.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        effective = r.statement.effective_date if r.statement else None
        for a in r.amendments:
            irsd = a.increased_registered_shares_date
            if not irsd:
                continue
            snap = getattr(a, "snapshot", None) or {}
            route = reg.IncreaseRoute.ADDITIONAL_STATEMENT if (effective and effective <= irsd) else reg.IncreaseRoute.AMEND
            due, working = reg.anticipated_subsequent_effective_date(
                increased_registered_shares_date=irsd, initial_closing_date=f.initial_closing_date, route=route, terms=terms
            )
            if route is reg.IncreaseRoute.AMEND:
                amend_due = calendars.add_business_days(irsd, terms.amendment_business_days)
                filed = _effective(a.filed_date, as_of)
                amend_rows.append(Row(
                    K.AMENDMENT_DUE, "RRA 2(a)(ii)(A)", a.pk, amend_due, status=SATISFIED if filed else OPEN, satisfied_date=filed,
                    description=(
                        f"Amend the statement to register {snap['increased_shares_amount']:,} shares"
                        if "increased_shares_amount" in snap
                        else f"Amend the statement within {terms.amendment_business_days} business days of {irsd.isoformat()}"
                    ),
                    details=snap,
                ))
            a_eff = _effective(a.effective_date, as_of)
            amend_rows.append(Row(
                K.REQUIRED_EFFECTIVE, "RRA 2(b)(i)(B)" if route is reg.IncreaseRoute.AMEND else "RRA 2(b)(i)(C)", a.pk, due,
                status=SATISFIED if a_eff else OPEN, satisfied_date=a_eff,
                description=snap.get("required_effective_date_working", working), details=snap,
            ))
        # a new Increased Registered Shares Date not yet recorded by the company
        if r.statement is not None:
            pending = [a for a in r.amendments if a.increased_registered_shares_date and not _effective(a.effective_date, as_of)]
            flag = _detect_increase(f, as_of) if not pending else None
            if flag is not None:
                registrable, registered = flag
                flag_rows.append(Row(
                    K.AMENDMENT_DUE, "RRA 2(a)(ii)", r.statement.pk, calendars.add_business_days(as_of, terms.amendment_business_days),
                    period_key="unrecorded",
                    description=(
                        f"Registrable shares {registrable:,} exceed the {registered:,} registered: record the Increased "
                        f"Registered Shares Date and amend or file within {terms.amendment_business_days} business days"
                    ),
                    details={"registrable": registrable, "registered": registered, "first_seen": as_of.isoformat()},
                ))
    _write(ctx, stats, {ctx.ct(RegistrationAmendment): amend_rows})
    # the flag keeps the date it was first seen: only create it, never move it
    ct_s = ctx.ct(RegistrationStatement)
    seen = set(Obligation.objects.filter(
        content_type_id=ct_s, kind=K.AMENDMENT_DUE, period_key="unrecorded", status=OPEN
    ).values_list("object_id", flat=True))
    _write(ctx, stats, {ct_s: [row for row in flag_rows if row.object_id not in seen]})
    keep = {(row.kind, row.object_id, row.period_key) for row in flag_rows}
    stats.voided += _void_missing(
        ct_s, [K.AMENDMENT_DUE], [r.statement.pk for r in regs if r.statement], keep, ctx,
        "Increased Registered Shares Date recorded (or registrable no longer exceeds registered)",
    )
    return stats


def _detect_increase(financing: Financing, as_of: datetime.date) -> tuple[int, int] | None:
    """(registrable, registered) if today is an Increased Registered Shares Date by the
    registration workflow's live overview (RRA 2(a)(ii)); None if not, or if it cannot tell."""
    try:
        from deals.services.company.registration import registration_overview
    except ImportError:  # the company-side workflows are optional here
        return None
    try:
        ov = registration_overview(financing=financing, as_of=as_of)
    except Exception:  # prices missing etc.: nothing to flag from the sweep
        log.info("Increased Registered Shares check skipped for %s", financing, exc_info=True)
        return None
    if getattr(ov, "is_increased_registered_shares_date", False):
        return int(ov.registrable_now), int(ov.registered)
    return None


# --- rule 5: suspensions outside a Permitted Suspension Period (RRA 3(h)) -----------------


def rule_suspensions(ctx: Context) -> RuleStats:
    """RRA 3(h), 2(b)(ii): each suspension judged against the earlier ones of its statement
    (``suspensions.judge_suspension``); every run of days outside a Permitted Suspension
    Period is flagged from its first day (a Restricted Sale Date) until sales resume."""
    stats = RuleStats()
    as_of = ctx.as_of
    rows: list[Row] = []
    ids = []
    for r in _registrations():
        try:
            terms = ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        for s, verdict in _restricted_spans(r.suspensions, terms):
            ids.append(s.pk)
            for first, last in verdict.restricted_spans:
                if first > as_of:
                    continue
                st, sat = _milestone(last, as_of)
                rows.append(Row(
                    K.SUSPENSION_EXCESS, "RRA 3(h), 2(b)(ii)", s.pk, first, period_key=first.isoformat(), status=st,
                    satisfied_date=last + datetime.timedelta(days=1) if sat else None,
                    description=(
                        f"Sales restricted outside a Permitted Suspension Period {first.isoformat()}..{last.isoformat()}: "
                        "Restricted Sale Date, Periodic Amounts run"
                    ),
                    details={"breaches": [b.as_dict() for b in verdict.breaches]},
                ))
    ct = ctx.ct(SuspensionPeriod)
    _write(ctx, stats, {ct: rows})
    keep = {(row.kind, row.object_id, row.period_key) for row in rows}
    stats.voided += _void_missing(ct, [K.SUSPENSION_EXCESS], ids, keep, ctx, "The suspension no longer breaks RRA 3(h) on these days")
    return stats


# --- rule 6: right of first refusal (SPA 4(j)) ---------------------------------------------


def rule_rofr(ctx: Context) -> RuleStats:
    """SPA 4(j)(i)-(ii): each Buyer's answer is due by close of business on the 3rd business
    day after receipt (the Right of First Refusal Expiration Date); the Company may close
    the rest with a New Investor within 20 days of it; the right runs through the 240th day
    after the Effective Date (``rofr.rofr_timeline``, ``rofr.rofr_last_day``)."""
    stats = RuleStats()
    as_of = ctx.as_of
    offers = {o.pk: o for o in NewTransactionOffer.objects.all()}
    offer_terms: dict[int, DealTerms] = {}
    for offer in offers.values():
        try:  # SPA 4(j) periods of the financing the offer is made under, as of the offer
            offer_terms[offer.pk] = ctx.terms_in_force(financing=offer.financing_id, day=offer.sent_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
    responses = list(OfferResponse.objects.all())
    resp_rows, offer_rows, fin_rows = [], [], []
    closed_offer = {NewTransactionOffer.Status.SUPERSEDED, NewTransactionOffer.Status.LAPSED}
    expiration: dict[int, datetime.date] = {}
    for resp in responses:
        offer = offers[resp.offer_id]
        if offer.pk not in offer_terms:
            continue
        terms = offer_terms[offer.pk]
        due = resp.answer_due or rofr.rofr_timeline(offer_received_on=resp.received_date, terms=terms).expiration_date
        expiration[offer.pk] = max(expiration.get(offer.pk, due), due)
        if resp.answer != OfferResponse.Answer.PENDING:
            st, sat, text = SATISFIED, resp.answered_date, f"Answered: {resp.get_answer_display().lower()}"
        elif offer.status in closed_offer:
            st, sat, text = VOID, None, f"Offer {offer.get_status_display().lower()}"
        elif as_of > due:
            st, sat, text = VOID, due, "No answer by the Right of First Refusal Expiration Date: not exercised (SPA 4(j)(ii))"
        else:
            st, sat, text = OPEN, None, f"Answer due by close of business on {due.isoformat()}"
        resp_rows.append(Row(K.ROFR_ANSWER, "SPA 4(j)(i)", resp.pk, due, investor_id=resp.investor_id, status=st, satisfied_date=sat,
                             description=f"First-refusal answer on New Transaction Offer {offer.pk}: {text}"))
    for offer in offers.values():
        if offer.pk not in offer_terms:
            continue
        terms = offer_terms[offer.pk]
        exp = expiration.get(offer.pk) or rofr.rofr_timeline(offer_received_on=offer.sent_date, terms=terms).expiration_date
        deadline = exp + datetime.timedelta(days=terms.rofr_consummation_days)
        if offer.status == NewTransactionOffer.Status.CONSUMMATED:
            st, sat, text = SATISFIED, offer.consummated_date, "consummated"
        elif offer.status in closed_offer:
            st, sat, text = VOID, None, offer.get_status_display().lower()
        elif as_of > deadline:
            st, sat, text = VOID, deadline, "window closed without consummation; a new offer is needed (SPA 4(j)(ii))"
        else:
            st, sat, text = OPEN, None, f"the Company may close with a New Investor through {deadline.isoformat()}"
        offer_rows.append(Row(K.ROFR_CONSUMMATION, "SPA 4(j)(ii)", offer.pk, deadline, status=st, satisfied_date=sat,
                              description=f"New Transaction Offer {offer.pk} ({_money(offer.amount)}): {text}",
                              details={"expiration_date": exp.isoformat(), "consummation_deadline": deadline.isoformat()}))
    for r in _registrations():
        eff = _effective(r.statement.effective_date if r.statement else None, as_of)
        try:
            last = rofr.rofr_last_day(eff, ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date))
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        if last is None:
            continue
        st, sat = _milestone(last, as_of)
        fin_rows.append(Row(K.ROFR_PERIOD_END, "SPA 4(j)(i), (v)", r.financing.pk, last, status=st, satisfied_date=sat,
                            description=(f"Right of First Refusal and dilution protection end: "
                                         f"240 days after the Effective Date {eff.isoformat()}")))
    _write(ctx, stats, {ctx.ct(OfferResponse): resp_rows, ctx.ct(NewTransactionOffer): offer_rows, ctx.ct(Financing): fin_rows})
    return stats


# --- rule 7: warrants (SPA 4(h)) -------------------------------------------------------------


def rule_warrants(ctx: Context) -> RuleStats:
    """SPA 4(h): a Warrant may be exercised through the last day of the month of the 5th
    anniversary of the Closing and is expired after it (``warrants.is_expired``). The
    ledger row warns 30 and 7 days ahead; the sweep marks expired warrants as such."""
    from deals.terms.warrants import is_expired

    stats = RuleStats()
    as_of = ctx.as_of
    rows = []
    for pk, inv, number, remaining, expiry, status in Warrant.objects.values_list(
        "pk", "investor_id", "number", "shares_remaining", "expiry_date", "status"
    ).order_by("pk"):
        days_left = (expiry - as_of).days
        warning = "7 days" if 0 <= days_left <= 7 else "30 days" if 0 <= days_left <= 30 else None
        if remaining == 0 or status == InstrumentStatus.EXERCISED:
            st, sat, text = SATISFIED, None, "fully exercised"
        elif is_expired(expiry, as_of):
            st, sat, text = SATISFIED, expiry, f"expired on {expiry.isoformat()} with {remaining:,} shares unexercised"
        else:
            st, sat = OPEN, None
            text = f"{remaining:,} shares exercisable through {expiry.isoformat()}" + (f" -- expires within {warning}" if warning else "")
        rows.append(Row(K.WARRANT_EXPIRY, "SPA 4(h)", pk, expiry, investor_id=inv, status=st, satisfied_date=sat,
                        description=f"Warrant {number}: {text}", details={"warning": warning if st == OPEN else None}))
    _write(ctx, stats, {ctx.ct(Warrant): rows})
    with transaction.atomic():
        stats.records_changed += Warrant.objects.filter(
            status=InstrumentStatus.OUTSTANDING, expiry_date__lt=as_of, shares_remaining__gt=0
        ).update(status=InstrumentStatus.EXPIRED, updated_at=ctx.now)
    return stats


# --- rule 8: debentures -- maturity and redemption payments (Debenture 4(B)) ------------------


def rule_debentures(ctx: Context) -> RuleStats:
    """Debenture: principal and interest due at maturity (interest keeps accruing until
    paid); Debenture 4(B)(ii): a redemption is payable within 10 business days of the
    Notice of Redemption, and a late payment voids the notice and ends the right to redeem
    (``redemption.redemption_status``); the holder may convert instead for 5 business days."""
    stats = RuleStats()
    as_of = ctx.as_of
    mat_rows = []
    for pk, inv, number, outstanding, issue, maturity, paid_through, status, fin in Debenture.objects.values_list(
        "pk", "investor_id", "number", "principal_outstanding", "issue_date", "maturity_date", "interest_paid_through", "status",
        "financing_id",
    ).order_by("pk"):
        if outstanding > 0 and status == InstrumentStatus.OUTSTANDING:
            try:
                terms_now = ctx.terms_in_force(financing=fin, day=as_of)
            except TermsUnavailable as err:
                stats.notes.append(f"Debenture {number}: {err}")
                continue
            interest = accrued_interest(terms=terms_now, principal=outstanding, issue_date=issue,
                                        to_date=max(maturity, as_of), paid_through=paid_through)
            mat_rows.append(Row(
                K.MATURITY, "Debenture (Maturity Date)", pk, maturity, investor_id=inv, amount=outstanding + interest.amount,
                description=(f"Debenture {number}: principal {_money(outstanding)} + interest {_money(interest.amount)} "
                             f"to {interest.end.isoformat()}" + (" (accruing until paid)" if as_of > maturity else "")),
                details=interest.as_dict(),
            ))
        else:
            mat_rows.append(Row(K.MATURITY, "Debenture (Maturity Date)", pk, maturity, investor_id=inv, status=SATISFIED,
                                description=f"Debenture {number}: {status.replace('_', ' ')}, nothing outstanding"))
    red_rows, window_rows, voided = [], [], []
    since = as_of - CLOSED_LOOKBACK
    for (pk, inv, number, tv, notice, due, convert_until, total, paid, status) in Redemption.objects.filter(
        Q(status=RedemptionStatus.PENDING) | Q(payment_date__gte=since) | Q(notice_date__gte=since)
    ).values_list("pk", "debenture__investor_id", "debenture__number", "terms_version_id", "notice_date", "payment_due_date",
                  "convert_until", "total_amount", "payment_date", "status").order_by("pk"):
        terms = ctx.terms(tv)
        due = due or redemption_due_date(notice, terms)
        rs = redemption_status(terms=terms, notice_date=notice, as_of=as_of, paid_on=paid)
        if status == RedemptionStatus.CONVERTED:
            st, sat, text = VOID, None, "the holder converted instead"
        elif paid and not rs.late:
            st, sat, text = SATISFIED, paid, rs.note
        elif rs.void:
            st, sat, text = VOID, paid or due, rs.note
            if status == RedemptionStatus.PENDING:
                voided.append(pk)
        else:
            st, sat, text = OPEN, None, rs.note
        red_rows.append(Row(K.REDEMPTION_PAYMENT, "Debenture 4(B)(ii)", pk, due, investor_id=inv, amount=total, status=st,
                            satisfied_date=sat, description=f"Redemption of Debenture {number}: {text}", details=rs.as_dict()))
        if status == RedemptionStatus.PENDING:
            wst, wsat = _milestone(convert_until, as_of)
        else:
            wst, wsat = SATISFIED, None
        window_rows.append(Row(K.REDEMPTION_CONVERT_WINDOW, "Debenture 4(B)(ii)", pk, convert_until, investor_id=inv,
                               status=wst, satisfied_date=wsat,
                               description=f"Holder of Debenture {number} may convert instead through {convert_until.isoformat()}"))
    _write(ctx, stats, {ctx.ct(Debenture): mat_rows, ctx.ct(Redemption): red_rows + window_rows})
    if voided:
        with transaction.atomic():
            stats.records_changed += Redemption.objects.filter(pk__in=voided, status=RedemptionStatus.PENDING).update(
                status=RedemptionStatus.VOID, updated_at=ctx.now
            )
    return stats


# --- rule 9: Events of Default cure periods (Debenture 10) -------------------------------------


def rule_defaults(ctx: Context) -> RuleStats:
    """Debenture 10: the last day a cure still prevents an Event of Default
    (``events.cure_deadline``; the recorded ``cure_deadline`` wins, it may reflect a
    proposed sale date). Uncured after it, the row stays open: the Event of Default exists."""
    stats = RuleStats()
    as_of = ctx.as_of
    rows = []
    for e in EventOfDefault.objects.select_related("debenture").order_by("pk"):
        cure_by = e.cure_deadline
        if cure_by is None:
            try:
                terms = ctx.terms_in_force(financing=e.financing_id, day=e.occurred_date)
                cure_by = ev.cure_deadline(ev.EventOfDefault(e.kind), occurred_on=e.occurred_date, notice_on=e.written_notice_date,
                                           terms=terms).cure_by
            except TermsUnavailable as err:
                stats.notes.append(str(err))
                cure_by = None
            except (ValueError, TermsError):
                cure_by = None
        if cure_by is None:
            continue
        S = EventOfDefault.Status
        if e.status == S.CURED:
            st, sat, text = SATISFIED, e.cured_date, "cured"
        elif e.status == S.WAIVED:
            st, sat, text = WAIVED, e.waived_date, f"waived in writing by {e.waived_by}"
        elif e.status == S.ACCELERATED:
            st, sat, text = VOID, e.accelerated_date, "accelerated"
        elif as_of > cure_by:
            st, sat, text = OPEN, None, f"uncured after {cure_by.isoformat()}: an Event of Default"
        else:
            st, sat, text = OPEN, None, f"cure period runs through {cure_by.isoformat()}"
        rows.append(Row(K.CURE_PERIOD, f"Debenture 10({e.kind})" if len(e.kind) == 1 else "Debenture 10", e.pk, cure_by,
                        investor_id=e.debenture.investor_id if e.debenture_id else None, status=st, satisfied_date=sat,
                        description=f"Event of Default 10({e.kind}) of {e.occurred_date.isoformat()}: {text}"))
    _write(ctx, stats, {ctx.ct(EventOfDefault): rows})
    return stats


# --- rule 10: cap -- Meeting Date, Cap Limitation Redemption Amount, Mandatory Purchase --------


def rule_cap(ctx: Context) -> RuleStats:
    """SPA 4(d)(ii): the Meeting Date (earlier of 75 days after issuances reach 10% of the
    shares outstanding at signing and the next stockholders' meeting); SPA 4(i)(y): the Cap
    Limitation Redemption Amount within 30 days of the Redemption Date; SPA 5(f): the
    Mandatory Purchase Amount within 5 business days of the holder's notice, with
    dividends accruing through payment (so it grows after the due date)."""
    stats = RuleStats()
    as_of = ctx.as_of
    issuances = [
        (d, int(n or 0))
        for d, n in Conversion.objects.filter(status__in=[ConversionStatus.PENDING_DELIVERY, ConversionStatus.DELIVERED])
        .values("conversion_date").annotate(n=Sum("shares_issuable")).values_list("conversion_date", "n")
    ] + [
        (d, int(n or 0))
        for d, n in WarrantExercise.objects.values("exercise_date").annotate(n=Sum("shares")).values_list("exercise_date", "n")
    ]
    issuer_rows = []
    for issuer in Issuer.objects.order_by("pk"):
        spa = Financing.objects.filter(issuer=issuer, kind=Financing.Kind.SERIES_J).order_by("pk").values_list("pk", flat=True).first()
        if spa is None:  # SPA 4(d)(ii) is a covenant of the Series J purchase
            continue
        try:
            terms = ctx.terms_in_force(financing=spa, day=as_of)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        md = meeting_date(terms=terms, issuances=[i for i in issuances if i[0] <= as_of],
                          next_stockholders_meeting=issuer.next_stockholders_meeting,
                          shares_outstanding_at_signing=issuer.shares_outstanding_at_signing)
        if md.meeting_date is None:
            continue
        st, sat = _milestone(md.meeting_date, as_of)
        why = "75 days after issuances reached 10%" if md.basis == "x" else "next stockholders' meeting"
        issuer_rows.append(Row(K.MEETING_DATE, "SPA 4(d)(ii)", issuer.pk, md.meeting_date, status=st, satisfied_date=sat,
                               description=f"Meeting Date ({why}): stockholder approval for issuances beyond the 20% cap",
                               details=md.as_dict()))
    cap_rows = []
    for rem in CapRemedy.objects.filter(remedy=CapRemedy.Remedy.Y_REDEMPTION).select_related("conversion").order_by("pk"):
        due = rem.due_date or cap_redemption_due_date(rem.chosen_date, ctx.terms(rem.conversion.terms_version_id))
        cap_rows.append(Row(
            K.CAP_REDEMPTION, "SPA 4(i)(y)", rem.pk, due, investor_id=rem.conversion.investor_id, amount=rem.amount,
            description=f"Cap Limitation Redemption Amount for {rem.unconverted_shares} Unconverted Share(s); M is final at payment",
            details={k: v for k, v in (rem.snapshot or {}).items() if k != "conversion_price"},
        ))
    # SPA 5(f): recompute dividends through payment for open Mandatory Purchase Amounts
    ct_c = ctx.ct(Conversion)
    open_mp = dict(
        Obligation.objects.filter(content_type_id=ct_c, kind=K.MANDATORY_PURCHASE, status=OPEN).values_list("object_id", "details")
    )
    mp_rows = []
    for pk, inv, tv, notice, closing in Conversion.objects.filter(pk__in=list(open_mp), status=ConversionStatus.DISHONOURED).values_list(
        "pk", "investor_id", "terms_version_id", "dishonoured_date", "preferred__closing_date"
    ):
        details = open_mp[pk] or {}
        try:
            unconverted = Decimal(details["unconverted_liquidation_preference"])
        except (KeyError, TypeError, ArithmeticError):
            continue
        t = ctx.terms(tv)
        due = mandatory_purchase_due_date(notice, t)
        mp = mandatory_purchase_amount(terms=t, unconverted_liquidation_preference=unconverted, issue_date=closing,
                                       notice_date=notice, payment_date=max(due, as_of))
        mp_rows.append(Row(
            K.MANDATORY_PURCHASE, "SPA 5(f)", pk, due, investor_id=inv, amount=mp.amount,
            description=f"Mandatory Purchase Amount: {mp.premium_pct}% of {_money(unconverted)} + dividends",
            details=mp.as_dict(),
        ))
    _write(ctx, stats, {ctx.ct(Issuer): issuer_rows, ctx.ct(CapRemedy): cap_rows, ct_c: mp_rows})
    return stats


# --- rule 11: Registration Period end; indemnification survival ------------------------------


def rule_period_ends(ctx: Context) -> RuleStats:
    """RRA 3(a): the Registration Period ends two years after the last day of the month
    following the Effective Date (or earlier, ``registration.registration_period``);
    Indemnification 6: obligations operative for three years after October 31, 2006."""
    stats = RuleStats()
    as_of = ctx.as_of
    st_rows = []
    for r in _registrations():
        eff = _effective(r.statement.effective_date if r.statement else None, as_of)
        if eff is None:
            continue
        try:
            terms = ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        period = reg.registration_period(effective_date=eff, terms=terms)
        st, sat = _milestone(period.ends_on, as_of)
        st_rows.append(Row(K.REGISTRATION_PERIOD_END, period.clause, r.statement.pk, period.ends_on, status=st, satisfied_date=sat,
                           description=f"Registration Period ends ({period.ended_by})", details=period.as_dict()))
    survival = indemnification_survival()
    claim_rows, issuer_rows = [], []
    for claim in IndemnificationClaim.objects.order_by("pk"):
        due = claim.survival_deadline or survival.last_operative_day
        st, sat = _milestone(due, as_of)
        claim_rows.append(Row(K.INDEMNIFICATION_SURVIVAL, survival.clause, claim.pk, due, status=st, satisfied_date=sat,
                              description=f"Claim by {claim.claimant}: indemnification operative through {due.isoformat()}"))
    if as_of >= INDEMNIFICATION_DATE:
        due = survival.last_operative_day
        st, sat = _milestone(due, as_of)
        issuer_rows = [Row(K.INDEMNIFICATION_SURVIVAL, survival.clause, i.pk, due, status=st, satisfied_date=sat,
                           description=f"Indemnification Agreement operative through {due.isoformat()} (3 years after "
                                       f"{INDEMNIFICATION_DATE.isoformat()})", details=survival.as_dict())
                       for i in Issuer.objects.order_by("pk")]
    _write(ctx, stats, {ctx.ct(RegistrationStatement): st_rows, ctx.ct(IndemnificationClaim): claim_rows, ctx.ct(Issuer): issuer_rows})
    return stats


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


# --- the deal admins' digest -------------------------------------------------------------------


def new_overdue(run: SweepRun):
    """Open obligations that became overdue with this run: due before its as-of date and
    either due on or after the previous run's as-of date or created by this run."""
    previous = (
        SweepRun.objects.exclude(pk=run.pk).filter(as_of__lte=run.as_of, finished_at__isnull=False)
        .order_by("-as_of", "-started_at").values_list("as_of", flat=True).first()
    )
    qs = Obligation.objects.filter(status=OPEN, due_date__lt=run.as_of)
    if previous is not None:
        qs = qs.filter(Q(due_date__gte=previous) | Q(created_at__gte=run.started_at))
    return qs.select_related("investor").order_by("due_date", "id")


def digest_new_overdue(*, run: SweepRun, limit: int = 50) -> int:
    """Email the deal admins the obligations newly overdue after a sweep (one message,
    sent after commit). Returns how many items were reported."""
    items = list(new_overdue(run)[: limit + 1])
    if not items:
        return 0
    User = get_user_model()
    recipients = sorted(set(
        User.objects.filter(Q(groups__name=DEAL_ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))
    if not recipients:
        return len(items[:limit])
    total = new_overdue(run).count() if len(items) > limit else len(items)
    lines = [
        f"{o.due_date.isoformat()}  {o.get_kind_display()}  {o.investor or '-'}  "
        f"{_money(o.amount) if o.amount is not None else ''}  {o.description}  [{o.clause}]"
        for o in items[:limit]
    ]
    if total > limit:
        lines.append(f"... and {total - limit} more: see the Deadlines page.")
    subject = f"[NHTC back office] {total} obligation(s) newly overdue as of {run.as_of.isoformat()}"
    body = (
        f"The deadline sweep as of {run.as_of.isoformat()} found {total} obligation(s) newly overdue:\n\n"
        + "\n".join(lines)
        + "\n\nThe full ledger is on the Deadlines page."
    )
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False))
    return total
