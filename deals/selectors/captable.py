"""The cap table as of a date, rebuilt from the records (no snapshot table): conversions,
exercises, cap remedies and paid redemptions dated on or before the date, instruments issued
by then. A fixed number of queries whatever the record count; the figures are the engine's
(``deals.terms.captable``)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connections
from django.db.models import BigIntegerField, Max, Min, Q, Sum
from django.db.models.functions import Cast

from deals.models import (
    CapRemedy,
    Conversion,
    Debenture,
    Financing,
    Investor,
    Issuer,
    PreferredHolding,
    Redemption,
    RedemptionStatus,
    Warrant,
    WarrantExercise,
)
from deals.selectors.terms import TermsBook, TermsUnavailable
from deals.services.conversions import WorkflowError, prices_mapping
from deals.terms import calendars
from deals.terms.captable import CapTable, FinancingPrice, HolderInput, Holdings, build_cap_table
from deals.terms.conversion import debenture_conversion_price, series_j_conversion_price
from deals.terms.errors import MissingPrices
from deals.terms.params import PREFERRED
from deals.terms.warrants import is_expired

OTHER_HOLDERS = "Other holders of Common Stock (Issuer's outstanding at signing, SPA 3(c))"


def live_conversions(day: datetime.date):
    """Conversions in effect on ``day``: dated on or before it and not revoked (SPA 5(c)) or
    dishonoured (SPA 5(f)) by then."""
    return Conversion.objects.filter(conversion_date__lte=day).exclude(
        Q(revoked_date__lte=day) | Q(dishonoured_date__lte=day)
    )


def _rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` query. On PostgreSQL read from the cursor as psycopg returns
    them: the ORM's converters for sums only copy them there (``Decimal(value)``, ``int(value)``,
    a call per cell: ~60 ms of ~20,000 instruments' rows at (b)). Other databases keep them
    (SQLite's sums of decimals are floats)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cap_table_as_of(day: datetime.date) -> CapTable:
    """SPA 3(c), 4(d)(ii), 4(g); Debenture 4(A); Series J CoD -- as of ``day``."""
    issuer = Issuer.objects.order_by("pk").first()
    if issuer is None:
        raise WorkflowError("No Issuer is recorded yet; a deal admin adds it in the admin.", code="no_issuer")
    # Terms belong to a financing (issue 18): the SPA's cap and reserve come from the (first)
    # Series J financing's terms; each holding is priced with ITS financing's terms in force.
    notes: list[str] = []
    book = TermsBook()  # one query: every financing's versions (with the financing)
    mine = [fin for fin in book.financings() if fin.issuer_id == issuer.pk]
    spa = next((fin for fin in mine if fin.kind == Financing.Kind.SERIES_J), None)
    deb_fin = next((fin for fin in mine if fin.kind == Financing.Kind.DEBENTURE), None)
    if spa is None:
        raise WorkflowError("No Series J financing with deal terms is recorded yet: the cap table follows SPA 3(c), "
                            "4(d)(ii), 4(g).", code="no_financing")
    terms = book.in_force(financing=spa, day=day).terms

    live = live_conversions(day).order_by()
    # The conversions in effect, read once through one index (conversion_captable_rollup, an
    # index-only scan on PostgreSQL, already in group order): per instrument the amount converted
    # (one SQL sum per instrument), shares issued, SPA 4(i) Unconverted Shares, and the lowest and
    # highest id of the holders who converted it -- the same: the shares are that holder's.
    common: dict[int, int] = defaultdict(int)
    deb_converted: dict[int, Decimal] = {}
    pref_converted: dict[int, tuple] = {}
    cap_from_conversions = 0
    shared_debentures, shared_preferred = [], []
    for debenture_id, preferred_id, amount, shares, unconverted, first, last in _rows(
        live.values_list("debenture_id", "preferred_id")  # in the index's order: no hash, no sort
        .annotate(a=Sum("amount"), n=Cast(Sum("shares_issuable"), BigIntegerField()),  # counts as int8, not numeric:
                  u=Cast(Sum("unconverted_shares"), BigIntegerField()),  # no Decimal per cell to parse
                  first=Min("investor_id"), last=Max("investor_id"))
        .values_list("debenture_id", "preferred_id", "a", "n", "u", "first", "last")
    ):
        if first == last:
            common[first] += int(shares)
        elif debenture_id is not None:
            shared_debentures.append(debenture_id)
        else:
            shared_preferred.append(preferred_id)
        if debenture_id is not None:
            deb_converted[debenture_id] = amount
        else:
            pref_converted[preferred_id] = (amount, unconverted)
            cap_from_conversions += shares
    # An instrument converted by more than one holder (a later holder converts): its shares per
    # holder. Asked even when there is none (``pk=None`` matches no row and keeps Django from
    # skipping the query): the count stays the same whatever the records.
    for investor_id, shares in (
        live.filter(Q(debenture_id__in=shared_debentures) | Q(preferred_id__in=shared_preferred) | Q(pk=None))
        .values_list("investor_id").annotate(n=Sum("shares_issuable")).values_list("investor_id", "n")
    ):
        common[investor_id] += int(shares)
    remedies = list(
        CapRemedy.objects.filter(chosen_date__lte=day)
        .values_list("conversion__preferred_id", "conversion__investor_id", "remedy", "unconverted_shares", "snapshot")
    )
    exercised: dict[int, int] = defaultdict(int)
    exercised_warrants: dict[int, tuple] = {}  # its holder, shares and expiry, for those issued by the day
    for warrant_id, investor_id, shares, holder_id, warrant_shares, issue_date, expiry_date in (
        WarrantExercise.objects.filter(exercise_date__lte=day).exclude(
            dishonoured_date__lte=day  # SPA 5(f): a dishonoured exercise is undone
        ).order_by().values_list("warrant_id", "investor_id", "shares", "warrant__investor_id", "warrant__shares",
                                 "warrant__issue_date", "warrant__expiry_date")
    ):
        exercised[warrant_id] += shares
        common[investor_id] += shares
        if issue_date <= day:
            exercised_warrants[warrant_id] = (holder_id, warrant_shares, expiry_date)
    redeemed = set(
        Redemption.objects.filter(status=RedemptionStatus.PAID, payment_date__lte=day).values_list("debenture_id", flat=True)
    )
    remedy_lp: dict[int, int] = defaultdict(int)
    cap_from_remedies = 0
    for preferred_id, investor_id, remedy, unconverted, snapshot in remedies:
        remedy_lp[preferred_id] += unconverted
        if remedy == CapRemedy.Remedy.X_PRICE:
            shares = int(snapshot.get("shares", 0))
            common[investor_id] += shares
            cap_from_remedies += shares

    # Each instrument's outstanding amount, one tuple per row (no model instances): the engine
    # rounds shares as converted per instrument, so the amounts stay one per instrument.
    debentures: dict[int, tuple[list, list]] = {}
    for pk, investor_id, principal, financing_id in (
        Debenture.objects.filter(issue_date__lte=day).order_by().values_list("pk", "investor_id", "principal", "financing_id")
    ):
        amount = Decimal(0) if pk in redeemed else principal - (deb_converted.get(pk) or 0)
        amounts, financings = debentures.setdefault(investor_id, ([], []))
        amounts.append(amount)
        financings.append(financing_id)
    preferred: dict[int, tuple[list, list]] = {}
    for pk, investor_id, shares, preference, financing_id in PreferredHolding.objects.filter(closing_date__lte=day).values_list(
        "pk", "investor_id", "shares", "liquidation_preference", "financing_id"
    ):  # in the model's order: a holder's preferences are summed in it
        stated = preference / shares
        converted_amount, unconverted = pref_converted.get(pk, (0, 0))
        converted = (converted_amount or 0) - (unconverted or 0) * stated
        amounts, financings = preferred.setdefault(investor_id, ([], []))
        amounts.append(preference - converted - remedy_lp.get(pk, 0) * stated)
        financings.append(financing_id)
    # Warrant shares left per holder: the warrants' shares summed per holder and expiry day (a
    # holder with expired warrants only still has a row), less what was exercised of each
    # unexpired one -- never more than its shares (what is left is never below 0).
    warrants: dict[int, int] = defaultdict(int)
    for investor_id, expiry_date, shares in (
        Warrant.objects.filter(issue_date__lte=day).order_by().values_list("investor_id", "expiry_date")
        .annotate(n=Sum("shares")).values_list("investor_id", "expiry_date", "n")
    ):
        warrants[investor_id] += 0 if is_expired(expiry_date, day) else int(shares)
    for warrant_id, (holder_id, shares, expiry_date) in exercised_warrants.items():
        if not is_expired(expiry_date, day):
            warrants[holder_id] -= min(shares, exercised[warrant_id])
    held = {fin for holdings in (debentures, preferred) for _, financings in holdings.values() for fin in financings}

    holder_ids = set(common).union(debentures, preferred, warrants)
    # every investor's name (one plain read: a filter by 1,000 holder ids cost 15-25 ms to bind
    # and plan at (b), the read itself 2-5 ms); the holders' are used
    names = dict(Investor.objects.order_by().values_list("pk", "legal_name"))
    none = ((), ())
    inputs = [HolderInput(None, OTHER_HOLDERS, common=issuer.shares_outstanding_at_signing)]
    inputs += [
        HolderInput(pk, names.get(pk, f"Investor #{pk}"), common.get(pk, 0), Holdings(*map(tuple, preferred.get(pk, none))),
                    Holdings(*map(tuple, debentures.get(pk, none))), warrants.get(pk, 0))
        for pk in sorted(holder_ids, key=lambda pk: (names.get(pk, ""), pk))
    ]
    prices = _financing_prices(book, [fin for fin in mine if fin.pk in held or fin in (spa, deb_fin)], day, notes)
    by_pk = {fp.key: fp for fp in prices}
    missing_terms = sorted(held - set(by_pk))
    if missing_terms:  # a financing of the Issuer's that has instruments but no terms version at all
        names = dict(Financing.objects.filter(pk__in=missing_terms).values_list("pk", "name"))
        for pk in missing_terms:
            notes.append(f"{names.get(pk, f'Financing #{pk}')}: no deal terms version is recorded; its shares as converted are not shown.")
    sj_price = by_pk[spa.pk].price
    deb_price = by_pk[deb_fin.pk].price if deb_fin is not None else None
    return build_cap_table(
        terms=terms,
        as_of=day,
        holders=inputs,
        series_j_price=sj_price,
        debenture_price=deb_price,
        authorized=issuer.authorized_common_shares,
        shares_outstanding_at_signing=issuer.shares_outstanding_at_signing,
        cap_shares_issued=int(cap_from_conversions) + sum(exercised.values()) + cap_from_remedies,
        notes=notes,
        prices=prices,
    )


def _financing_prices(book: TermsBook, financings, day: datetime.date, notes: list[str]) -> list[FinancingPrice]:
    """Each financing's conversion price for a Date of Conversion on ``day`` under ITS terms in
    force (issue 18): its own discount, look-back and Fixed Price. None, with a note, when its
    terms are not in force on the day or closing bids are missing. One price query for all."""
    plans = []
    for fin in financings:
        preferred = fin.terms_kind == PREFERRED
        fn, clause = (series_j_conversion_price, "SPA 1(b)(ix)") if preferred else (debenture_conversion_price, "Debenture 4(A)")
        try:
            fin_terms = book.in_force(financing=fin, day=day).terms
        except TermsUnavailable as err:
            notes.append(f"{fin.name}: {err.message} Its shares as converted are not shown.")
            plans.append((fin, fn, clause, None, []))
            continue
        lookback = fin_terms.preferred_lookback_days if preferred else fin_terms.debenture_lookback_days
        try:
            window = calendars.trading_days_before(day, lookback)
        except Exception as err:  # CalendarRangeError: the calendars cover 1999-2035
            raise WorkflowError(f"The cap table needs trading days before {day.isoformat()}: {err}", code="calendar", field="as_of")
        plans.append((fin, fn, clause, fin_terms, window))
    bids = prices_mapping([d for plan in plans for d in plan[4]])
    out = []
    for fin, fn, clause, fin_terms, window in plans:
        price = None
        if fin_terms is not None:
            try:
                price = fn(terms=fin_terms, prices={d: bids[d] for d in window if d in bids}, conversion_date=day)
            except MissingPrices as err:
                missing = ", ".join(d.isoformat() for d in err.dates)
                notes.append(f"{fin.name} ({clause}): no closing bid recorded for {missing}; its shares as converted are not shown.")
        out.append(FinancingPrice(fin.pk, fin.name, fin.terms_kind, fin_terms, price, clause))
    return out


# --- exports ------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Holder", "Common Stock", "Common %", "Preferred liquidation preference ($)", "Preferred as converted",
    "Debenture principal ($)", "Debentures as converted", "Warrant shares", "Fully diluted", "Fully diluted %",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula is prefixed with a quote (CSV/XLSX injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cap_table_export_rows(table: CapTable) -> list[list]:
    """Header, one row per holder, the totals -- numbers as numbers, text neutralised."""
    rows = [[f"Cap table as of {table.as_of.isoformat()}"], EXPORT_HEADER]
    for r in table.rows:
        rows.append([safe_cell(r.name), r.common, r.common_pct, r.series_j_amount, r.series_j_as_converted,
                     r.debenture_principal, r.debenture_as_converted, r.warrants, r.fully_diluted, r.fully_diluted_pct])
    rows.append(["Total", table.common, Decimal("100.00") if table.common else Decimal("0"), table.series_j_amount,
                 table.series_j_as_converted, table.debenture_principal, table.debenture_as_converted, table.warrants,
                 table.fully_diluted, Decimal("100.00") if table.fully_diluted else Decimal("0")])
    rows.append([])
    rows.append(["Authorized Common Stock (SPA 3(c))", table.authorized])
    rows.append(["Issued and outstanding", table.common])
    rows.append(["Reserved (SPA 4(g))", table.reserve.required_shares if table.reserve else None])
    rows.append(["Unissued", table.unissued])
    rows.append(["Headroom after the reserve", table.headroom])
    rows.append(["20% cap (SPA 4(d)(ii))", table.cap.cap_shares])
    rows.append(["Issued against the cap", table.cap.issued_before])
    rows.append(["Cap room", table.cap.room])
    for note in table.notes:
        rows.append([safe_cell(note)])
    return rows
