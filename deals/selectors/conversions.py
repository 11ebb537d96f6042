"""Read queries for the conversion and exercise pages (prefetching lives here)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from deals.models import (
    Conversion,
    Debenture,
    Obligation,
    Redemption,
    RedemptionStatus,
    WarrantExercise,
)
from deals.selectors.instruments import instrument_key  # noqa: F401 (re-exported: views, API, what-if)
from deals.selectors.prices import prices_between
from deals.selectors.search import conversion_search, exercise_search
from deals.terms import calendars
from deals.terms.conversion import ConversionQuote


def conversions_filtered(
    *,
    status: str = "",
    investor=None,
    instrument: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str = "",
) -> QuerySet[Conversion]:
    """Conversions for the list page, newest first, with what each row shows (one query per page).

    Every filter has an index that also gives the order (issue 17): ``conversion_newest_first``,
    (status | investor | debenture | preferred, -conversion_date, -id). The snapshot JSON is
    deferred: the list never shows it. Search looks in the conversion's own reference columns
    (trigram indexes on PostgreSQL) and, through the small investor and instrument tables, in
    their names and numbers (``investor_id IN (...)``), never a join of every conversion."""
    qs = Conversion.objects.select_related("debenture", "preferred__financing", "investor").defer("snapshot")
    if status:
        qs = qs.filter(status=status)
    if investor is not None:
        qs = qs.filter(investor=investor)
    kind, _, pk = instrument.partition(":")
    if kind == "debenture" and pk.isdigit():
        qs = qs.filter(debenture_id=int(pk))
    elif kind == "preferred" and pk.isdigit():
        qs = qs.filter(preferred_id=int(pk))
    if date_from:
        qs = qs.filter(conversion_date__gte=date_from)
    if date_to:
        qs = qs.filter(conversion_date__lte=date_to)
    if q:
        qs = qs.filter(conversion_search(q))
    return qs.order_by("-conversion_date", "-id")


def exercises_filtered(
    *,
    status: str = "",
    investor=None,
    warrant=None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str = "",
) -> QuerySet[WarrantExercise]:
    qs = WarrantExercise.objects.select_related("warrant", "investor").defer("snapshot")
    if status:
        qs = qs.filter(status=status)
    if investor is not None:
        qs = qs.filter(investor=investor)
    if warrant is not None:
        qs = qs.filter(warrant=warrant)
    if date_from:
        qs = qs.filter(exercise_date__gte=date_from)
    if date_to:
        qs = qs.filter(exercise_date__lte=date_to)
    if q:
        qs = qs.filter(exercise_search(q))
    return qs.order_by("-exercise_date", "-id")


def obligations_of(record) -> QuerySet[Obligation]:
    ct = ContentType.objects.get_for_model(record)
    return Obligation.objects.filter(content_type=ct, object_id=record.pk).order_by("due_date", "id")


def conversion_obligations(conversion: Conversion) -> list[Obligation]:
    """The conversion's ledger rows and those of its buy-ins and cap remedies (3 queries)."""
    rows = list(obligations_of(conversion))
    buy_in_ids = [b.pk for b in conversion.buy_ins.all()]
    remedy_ids = [r.pk for r in conversion.cap_remedies.all()]
    more = Q(pk__in=[])
    if buy_in_ids:
        more |= Q(content_type=ContentType.objects.get_for_model(conversion.buy_ins.model), object_id__in=buy_in_ids)
    if remedy_ids:
        more |= Q(content_type=ContentType.objects.get_for_model(conversion.cap_remedies.model), object_id__in=remedy_ids)
    if buy_in_ids or remedy_ids:
        rows += list(Obligation.objects.filter(more))
    return sorted(rows, key=lambda o: (o.due_date, o.pk))


def pending_redemption(debenture) -> Redemption | None:
    return Redemption.objects.filter(debenture=debenture, status=RedemptionStatus.PENDING).first()


@dataclass(frozen=True)
class Timeline:
    """One line of a record's timeline."""

    day: datetime.date | None
    label: str
    detail: str = ""
    state: str = "done"  # done | due | overdue | void

    @property
    def icon(self) -> str:
        return {"done": "\u2714", "due": "\u25cb", "overdue": "!", "void": "\u2716"}[self.state]


def conversion_timeline(conversion: Conversion, obligations, today: datetime.date) -> list[Timeline]:
    """Notice received, Date of Conversion, Delivery Date, delivery, original, revocation/dishonour."""
    c = conversion
    rows = [
        Timeline(c.conversion_date, "Date of Conversion", "Debenture 4(A)" if c.is_debenture else "Series J CoD"),
        Timeline(c.notice_received_date, "Notice of Conversion received", c.get_notice_method_display()),
    ]
    if c.delivered_date:
        rows.append(Timeline(c.delivery_date, "Delivery Date", "shares due"))
        rows.append(Timeline(c.delivered_date, "Shares delivered", c.delivery_reference))
    else:
        state = "void" if c.status in ("revoked", "dishonoured") else ("overdue" if today > c.delivery_date else "due")
        rows.append(Timeline(c.delivery_date, "Delivery Date", "shares due, not yet delivered", state))
    if c.original_due_date:
        if c.original_received_date:
            late = c.original_received_date > c.original_due_date
            rows.append(
                Timeline(
                    c.original_received_date,
                    "Original Debenture and notice received",
                    f"due {c.original_due_date.isoformat()}" + (" -- late" if late else ""),
                )
            )
        else:
            state = "overdue" if today > c.original_due_date else "due"
            rows.append(Timeline(c.original_due_date, "Original due (Debenture Exhibit A)", "not yet received", state))
    for b in c.buy_ins.all():
        rows.append(Timeline(b.buy_in_date, "Buy-In recorded (SPA 5(d))", f"adjustment ${b.adjustment_amount:,.2f}"))
    for r in c.cap_remedies.all():
        rows.append(Timeline(r.chosen_date, f"Remedy {r.get_remedy_display()}", f"{r.unconverted_shares} Unconverted Share(s)"))
    if c.revoked_date:
        rows.append(Timeline(c.revoked_date, "Revoked by the holder (SPA 5(c))", "outstanding amount restored", "void"))
    if c.dishonoured_date:
        rows.append(Timeline(c.dishonoured_date, "Dishonoured (SPA 5(f))", "Mandatory Purchase Amount owed", "void"))
    return sorted(rows, key=lambda t: t.day or datetime.date.max)


def conversion_date_notes(instrument, conversion_date: datetime.date) -> list[str]:
    """What the review page notes about an accepted but unusual Date of Conversion (issue 15
    item 17), as the readings in docs/interpretations.md apply them:
    - a weekend or NYSE holiday: accepted as written; the look-back is the trading days strictly
      before it, the same window as the next trading day (Debenture 4(A); SPA 1(b)(ix));
    - a debenture after its Maturity Date while unpaid: accepted (Debenture 5: interest accrues
      "until payment in full"; nothing in 4(A) ends the option)."""
    notes = []
    day = conversion_date.isoformat()
    if not calendars.is_trading_day(conversion_date):
        kind = conversion_date.strftime("a %A") if conversion_date.weekday() >= 5 else "a day the NYSE is closed"
        window = "Debenture 4(A)" if isinstance(instrument, Debenture) else "SPA 1(b)(ix)"
        notes.append(
            f"The Date of Conversion {day} is {kind}, not a trading day. It is accepted as written (a faxed notice is "
            f"given the date delivered, SPA 10(a)); the look-back uses the trading days before it, the same window as the "
            f"next trading day would ({window})."
        )
    maturity = getattr(instrument, "maturity_date", None)
    if maturity is not None and conversion_date > maturity:
        notes.append(
            f"The Date of Conversion {day} is after the Maturity Date of {instrument.label}, {maturity.isoformat()}. It is accepted "
            "because the principal is unpaid: interest accrues until payment in full and nothing in Debenture 4(A) ends "
            "the holder's option (Debenture 5)."
        )
    return notes


def price_chart_data(quote: ConversionQuote, *, today: datetime.date, before: int = 10, after: int = 5) -> dict:
    """Closing bids around the Conversion Date for the review chart: the look-back window (to
    shade), the days used (to mark) and the fixed and discounted prices (to draw as lines)."""
    window = quote.market_price.window
    first = window[0].day
    start = calendars.add_trading_days(first, -before)
    end = min(calendars.add_trading_days(quote.conversion_date, after), max(today, quote.conversion_date))
    days = calendars.trading_days_between(start, end)
    bids = prices_between(start, end)
    used = {p.day for p in window if p.used}
    lookback = {p.day for p in window}
    labels = [d.isoformat() for d in days]
    return {
        "labels": labels,
        "bids": [str(bids[d]) if d in bids else None for d in days],
        "used": [str(bids[d]) if d in used and d in bids else None for d in days],
        "lookback": [d in lookback for d in days],
        "conversion_date": quote.conversion_date.isoformat(),
        "conversion_index": next((i for i, d in enumerate(days) if d >= quote.conversion_date), len(days) - 1),
        "fixed_price": str(quote.fixed_price),
        "discounted_price": str(quote.price.shown_discounted_price),
        "applied_price": str(quote.price.shown_price),
        "discount_pct": str(quote.price.discount_pct),
    }


def price_dates_used(dates) -> dict:
    """Which of ``dates`` a recorded conversion's price used (issue 12: a correction there needs
    four eyes): date -> ids of the conversions whose snapshot window lists that day. Candidates are
    conversions dated after the earliest date and within the longest look-back any terms version
    allows (trading days, as calendar days x 2 + 10); the snapshot decides."""
    import datetime

    from django.db.models import Max

    from deals.models import Conversion, DealTermsVersion

    wanted = {d.isoformat(): d for d in dates}
    if not wanted:
        return {}
    longest = DealTermsVersion.objects.aggregate(
        p=Max("preferred_lookback_days"), d=Max("debenture_lookback_days"), r=Max("cap_remedy_lookback_days"))
    span = max(v or 0 for v in longest.values()) * 2 + 10
    first, last = min(wanted.values()), max(wanted.values())
    qs = Conversion.objects.filter(conversion_date__gt=first,
                                   conversion_date__lte=last + datetime.timedelta(days=span)).values_list("pk", "snapshot")
    used: dict = {}
    for pk, snap in qs.iterator(chunk_size=500):
        for day in _window_days(snap):
            if day in wanted:
                used.setdefault(wanted[day], []).append(pk)
    return used


def _window_days(node):
    """Every ``day`` in a ``window`` list of a conversion snapshot (the look-back prices used)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("window", "days") and isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and isinstance(item.get("day"), str):
                        yield item["day"]
            else:
                yield from _window_days(value)
    elif isinstance(node, list):
        for item in node:
            yield from _window_days(item)
