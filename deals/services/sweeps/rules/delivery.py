"""Share delivery, late payments, revocation (SPA 5(c); Debenture 4(A)) and the original Notice of Conversion (Debenture Exhibit A)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from deals.models import Conversion, ConversionStatus, Debenture, Obligation, PreferredHolding
from deals.services.ledger.writer import Row, _update_known
from deals.services.sweeps.context import (
    CHUNK,
    CLOSED_LOOKBACK,
    OPEN,
    SATISFIED,
    VOID,
    Context,
    K,
    RuleStats,
    _chunks,
    _iso,
    _money,
    _write,
)
from deals.terms import calendars
from deals.terms.conversion import original_notice_due
from deals.terms.delivery import late_payment, late_payment_per_unit, late_units, revocation_right
from deals.terms.rounding import to_cents


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
        "SELECT c.id, c.investor_id, c.preferred_id, c.terms_version_id, c.late_payment_base, c.delivery_date, c.status, c.delivered_date, "
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
            # late payment (SPA 5(c)), on the amount being converted (``Conversion.late_payment_base``)
            if amount <= 0:
                continue  # every preferred share became an Unconverted Share: nothing is being converted
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


