"""Share delivery, late payments, revocation (SPA 5(c); Debenture 4(A)) and the original Notice of Conversion (Debenture Exhibit A)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.db.models.functions import Greatest, Least

from deals.models import Conversion, ConversionStatus, DealTermsVersion, Debenture, Financing, Obligation, PreferredHolding
from deals.models.financing import series_name
from deals.services.ledger import rows as build
from deals.services.ledger.sync import late_payment_row
from deals.services.ledger.writer import WORKING_STATUSES, Row
from deals.services.sweeps.context import (
    CHUNK,
    CLOSED_LOOKBACK,
    Context,
    K,
    RuleStats,
    _chunks,
    _write,
    read_needed,
    row_of,
)
from deals.terms.conversion import original_notice_due
from deals.terms.delivery import revocation_right

_WORKING_SQL = "(" + ", ".join(f"'{st}'" for st in WORKING_STATUSES) + ")"


def _sqlite_row(r: tuple) -> tuple:
    """Rule 1's raw chunk row from SQLite: dates and decimals back to Python types."""
    d = lambda v: datetime.date.fromisoformat(v) if isinstance(v, str) else (v or None)  # noqa: E731
    return (
        r[0], r[1], r[2], r[3], Decimal(str(r[4])), d(r[5]), r[6], d(r[7]), d(r[8]), d(r[9]), r[10], d(r[11]), r[12], r[13],
        bool(r[14]), bool(r[15]), r[16], r[17], bool(r[18]), r[19],
    )


# --- rule 1: share delivery, late payments, revocation (SPA 5(c); Debenture 4(A)) -------


CHANGED_MARGIN = datetime.timedelta(minutes=10)


def _since_last_sweep(ctx: Context, params: dict) -> str:
    """Only what can have moved since the last sweep that ran this rule (``Context.previous_sweep``):
    a conversion changed after that run started (the workflows that change one write its rows
    themselves; this reads them again), or a pending one whose Delivery Date puts the day its
    revocation right opens or its late payment starts (SPA 5(c): N business days after the
    Delivery Date, N from each terms version) after that run's as-of date and by today. N business
    days span at least N + 1 and at most 2N + 10 calendar days (weekends, holidays). "Changed
    since" starts ``CHANGED_MARGIN`` before that run did: a change saved before it started but
    committed after it read, or stamped by a machine whose clock is behind, is still read. Without
    a previous run (the first sweep) every conversion of the 120-day look-back is read."""
    prev = ctx.previous_sweep("share_delivery")
    if prev is None:
        return ""
    spans = DealTermsVersion.objects.aggregate(
        lo=Least(Min("revocation_business_days"), Min("late_grace_business_days")),
        hi=Greatest(Max("revocation_business_days"), Max("late_grace_business_days")),
    )
    if spans["lo"] is None or spans["hi"] is None:
        return ""
    prev_as_of, prev_started = prev
    params.update({
        "changed_since": connection.ops.adapt_datetimefield_value(prev_started - CHANGED_MARGIN),
        "window_from": connection.ops.adapt_datefield_value(prev_as_of - datetime.timedelta(days=2 * spans["hi"] + 11)),
        "window_to": connection.ops.adapt_datefield_value(ctx.as_of - datetime.timedelta(days=spans["lo"] + 1)),
    })
    return ("AND (c.updated_at >= %(changed_since)s OR (c.status = %(pending)s AND c.delivery_date > %(window_from)s "
            "AND c.delivery_date <= %(window_to)s)) ")


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
    as correlated sub-queries) and one write. Only what can have changed is read, computed
    and sent: a row older than its conversion or missing (a revocation right that opens, a
    late payment that starts to accrue); a conversion whose rows are all current is left
    out in SQL, so a quiet day reads next to nothing (issue 17).
    Rows come from the builders (``deals.services.ledger.rows``) the workflows use."""
    stats = RuleStats()
    as_of = ctx.as_of
    ct = ctx.ct(Conversion)
    since = as_of - CLOSED_LOOKBACK
    # One raw statement per chunk: the conversions with their three ledger rows joined
    # (the ORM has no relation from Conversion to the generic ledger to join on).
    conv, ob = Conversion._meta.db_table, Obligation._meta.db_table
    deb, pref, fin = Debenture._meta.db_table, PreferredHolding._meta.db_table, Financing._meta.db_table
    joins = " ".join(
        f"LEFT JOIN {ob} {a} ON {a}.content_type_id = %(ct)s AND {a}.object_id = c.id AND {a}.kind = '{k}' AND {a}.period_key = ''"
        for a, k in (("sd", K.SHARE_DELIVERY.value), ("rv", K.REVOCATION_RIGHT.value), ("lp", K.LATE_PAYMENT.value))
    )
    sql = (
        "SELECT c.id, c.investor_id, c.preferred_id, c.terms_version_id, c.late_payment_base, c.delivery_date, c.status, c.delivered_date, "
        "c.revoked_date, c.dishonoured_date, c.shares_issuable, c.conversion_date, d.number, p.certificate_number, "
        "COALESCE(sd.updated_at >= c.updated_at, false), COALESCE(rv.updated_at >= c.updated_at, false), "
        "lp.id, lp.status, COALESCE(lp.updated_at >= c.updated_at, false), pf.name "
        f"FROM {conv} c LEFT JOIN {deb} d ON d.id = c.debenture_id LEFT JOIN {pref} p ON p.id = c.preferred_id "
        f"LEFT JOIN {fin} pf ON pf.id = p.financing_id {joins} "
        "WHERE c.id > %(last)s AND (c.status = %(pending)s OR c.delivered_date >= %(since)s OR c.revoked_date >= %(since)s "
        "OR c.dishonoured_date >= %(since)s) "
        # a quiet day (issue 17): skip in SQL the conversions the loop below would skip -- every row
        # current (written after the conversion last changed), the late payment current or closed
        "AND NOT ((COALESCE(sd.updated_at >= c.updated_at, false) AND (c.preferred_id IS NULL OR ("
        "COALESCE(rv.updated_at >= c.updated_at, false) AND (c.late_payment_base <= 0 "
        f"OR COALESCE(lp.updated_at >= c.updated_at, false) OR COALESCE(lp.status NOT IN {_WORKING_SQL}, false))))) "
        # -- or the conversion is closed (delivered, revoked, dishonoured: no date moves it again) and
        # its rows were settled when it closed: the delivery row written since or closed, and a
        # revocation right or late payment either closed, current, or never opened (the closing
        # workflow writes them through the same builders, so one that opened exists). Without
        # this, every conversion delivered on time (no revocation right, no late payment) was read
        # again each day for the 120 days of CLOSED_LOOKBACK: all 1,000,000 at (c).
        "OR (c.status <> %(pending)s AND sd.id IS NOT NULL "
        f"AND (sd.updated_at >= c.updated_at OR sd.status NOT IN {_WORKING_SQL}) AND (c.preferred_id IS NULL OR ("
        f"(rv.id IS NULL OR rv.updated_at >= c.updated_at OR rv.status NOT IN {_WORKING_SQL}) AND (c.late_payment_base <= 0 "
        f"OR lp.id IS NULL OR lp.updated_at >= c.updated_at OR lp.status NOT IN {_WORKING_SQL}))))) "
        "{narrow}ORDER BY c.id LIMIT %(limit)s"
    )
    params = {"ct": ct, "pending": ConversionStatus.PENDING_DELIVERY.value, "since": since, "limit": CHUNK}
    sql = sql.replace("{narrow}", _since_last_sweep(ctx, params))
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

    row_cache: dict = {}

    def cached(key, make, **kwargs):
        """Rows depend on (terms, dates, amount) far more often than on the conversion: build once."""
        if key not in row_cache:
            row_cache[key] = make(**kwargs)
        return row_cache[key]

    for batch in batches():
        stats.read += len(batch)
        rows: list[Row] = []
        for (pk, inv, pref, tv, amount, dd, status, delivered, revoked, dishonoured, shares, conv_date, deb_no, cert,
             sd_current, rv_current, lp_id, lp_status, lp_current, pref_financing) in batch:
            pending = status == ConversionStatus.PENDING_DELIVERY
            closed_on = delivered or revoked or dishonoured
            if not sd_current:  # the delivery itself (the workflow writes the same row through the same builder)
                rows.append(build.share_delivery(
                    object_id=pk, investor_id=inv, due_date=dd, shares=shares,
                    what=f"Debenture {deb_no}" if pref is None else f"{series_name(pref_financing)} {cert}",
                    clause=build.conversion_delivery_clause(pref is None), pending=pending,
                    delivered_on=delivered if status == ConversionStatus.DELIVERED else None, closed_on=closed_on,
                    conversion_date=conv_date,
                ))
            if pref is None:
                continue  # SPA 5(c) is a Series J clause; the Debenture has no late payments
            terms = ctx.terms(tv)
            if not rv_current:  # revocation right (SPA 5(c)): appears the day it opens, void on close
                right = cached(("rv", tv, dd), revocation_right, terms=terms, delivery_date=dd, as_of=as_of)
                row = build.revocation_right(
                    conversion_id=pk, investor_id=inv, opens_on=right.opens_on, revocation_days=terms.revocation_business_days,
                    delivery_date=dd, details=right.as_dict() | {"as_of": None}, pending=pending, closed_on=closed_on,
                    status_label=status.replace("_", " "), as_of=as_of,
                )
                if row is not None:
                    rows.append(row)
            # late payment (SPA 5(c)): written when it starts to accrue and when it becomes final;
            # the amount in between is the selector's (deals.selectors.ledger)
            if amount <= 0:
                continue  # every preferred share became an Unconverted Share: nothing is being converted
            if lp_current or (lp_id is not None and lp_status not in WORKING_STATUSES):
                continue
            row = cached(
                ("lp", tv, amount, dd, closed_on), late_payment_row, conversion_id=0, investor_id=None, terms=terms,
                terms_version_id=tv, amount=amount, delivery_date=dd, closed_on=closed_on, as_of=as_of,
            )
            if row is not None:
                rows.append(replace(row, object_id=pk, investor_id=inv))
        _write(ctx, stats, {ct: rows})
    return stats


# --- rule 2: original Notice of Conversion (Debenture Exhibit A) ---------------------------


def rule_original_notice(ctx: Context) -> RuleStats:
    """Debenture Exhibit A: a faxed Notice of Conversion must be followed by the original
    Debenture and notice by the 5th business day after the Date of Conversion
    (``conversion.original_notice_due``). Open until received; flagged late after that day."""
    stats = RuleStats()
    as_of = ctx.as_of
    since = as_of - CLOSED_LOOKBACK
    ct = ctx.ct(Conversion)
    # a quiet day (issue 17): leave out in SQL the conversions whose row is closed (``read_needed``)
    # or current -- written after the conversion last changed, its ``late`` flag already what today
    # makes it (late once the due date has passed)
    row = row_of(ctx, Conversion, K.ORIGINAL_NOTICE)
    as_today = Q(details__late=True, due_date__lt=as_of) | Q(details__late=False, due_date__gte=as_of)
    # -- and, whenever written: an open row with the due date the conversion stores and today's
    # flag, of a conversion whose original is not in and that is not void -- what the builder would
    # write again. A delivery changes the conversion but not this row (which the writer then leaves
    # as it was, with its older time): without this, every delivered conversion still owing its
    # original was read again every day (issue 17, (c)).
    same = row.filter(as_today, status__in=WORKING_STATUSES, due_date=OuterRef("original_due_date"))
    qs = Conversion.objects.filter(debenture__isnull=False).filter(
        Q(original_due_date__isnull=False) | Q(notice_method="facsimile")
    ).filter(
        Q(original_received_date__isnull=True, status=ConversionStatus.PENDING_DELIVERY)
        | Q(original_received_date__isnull=True, status=ConversionStatus.DELIVERED)
        | Q(original_received_date__gte=since)
        | Q(revoked_date__gte=since)
        | Q(dishonoured_date__gte=since)
    )
    qs = read_needed(qs, row, row.filter(as_today, updated_at__gte=OuterRef("updated_at"))).exclude(
        Q(original_received_date__isnull=True) & ~Q(status__in=(ConversionStatus.REVOKED, ConversionStatus.DISHONOURED))
        & Exists(same)
    )
    fields = ("investor_id", "terms_version_id", "conversion_date", "original_due_date", "original_received_date", "status",
              "revoked_date", "dishonoured_date", "debenture__number")
    for batch in _chunks(qs, fields):
        stats.read += len(batch)
        rows = []
        for pk, inv, tv, conv_date, due, received, status, revoked, dishonoured, number in batch:
            rows.append(build.original_notice(
                conversion_id=pk, investor_id=inv, due=due or original_notice_due(conv_date, ctx.terms(tv)), number=number,
                received=received, void=status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED),
                voided_on=revoked or dishonoured, as_of=as_of,
            ))
        _write(ctx, stats, {ct: rows})
    return stats


