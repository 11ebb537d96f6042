"""The cap table rollup as it was before issue 17 (commit 904bedb): one ``InstrumentPosition`` per
holding, each priced in ``build_cap_table``. Kept verbatim, only renamed, as the reference the
set-based rollup in ``deals.selectors.captable`` must agree with figure for figure
(tests/api/test_cap_table_rollup.py). Not used by the app."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

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
from deals.models.financing import series_name
from deals.selectors.terms import TermsBook, TermsUnavailable
from deals.services.conversions import WorkflowError, prices_mapping
from deals.terms import calendars
from deals.terms.cap import cap_check
from deals.terms.captable import CapTable, FinancingPrice, HolderRow, share_pct
from deals.terms.conversion import ConversionPrice, conversion_shares, debenture_conversion_price, series_j_conversion_price
from deals.terms.errors import InvalidInput, MissingPrices
from deals.terms.params import PREFERRED, DealTerms
from deals.terms.reserve import reserve_check
from deals.terms.warrants import is_expired

OTHER_HOLDERS = "Other holders of Common Stock (Issuer's outstanding at signing, SPA 3(c))"


@dataclass(frozen=True, slots=True)
class InstrumentPosition:
    label: str
    amount: Decimal
    financing: int | str | None = None


@dataclass(frozen=True, slots=True)
class HolderInput:
    holder_id: int | None
    name: str
    common: int = 0
    series_j: Sequence[InstrumentPosition] = ()
    debentures: Sequence[InstrumentPosition] = ()
    warrants: int = 0


def _as_converted(
    positions: Sequence[InstrumentPosition], price: ConversionPrice | None, terms: DealTerms,
    by_financing: Mapping[int | str, FinancingPrice],
) -> int | None:
    """Each position at its own financing's price and rounding (the class default when it names
    none); None when any outstanding position's price is unknown."""
    total = 0
    for p in positions:
        if p.amount <= 0:
            continue
        fp = by_financing.get(p.financing) if p.financing is not None else None
        p_price, p_terms = (fp.price, fp.terms) if fp is not None else (price, terms)
        if p.financing is not None and fp is None:
            p_price = None  # a financing the caller could not price
        if p_price is None or p_terms is None:
            return None
        total += conversion_shares(p.amount, p_price.applied_price, p_terms)
    return total


def build_cap_table(
    *,
    terms: DealTerms,
    as_of: date,
    holders: Sequence[HolderInput],
    series_j_price: ConversionPrice | None,
    debenture_price: ConversionPrice | None,
    authorized: int,
    shares_outstanding_at_signing: int,
    cap_shares_issued: int,
    notes: Sequence[str] = (),
    prices: Sequence[FinancingPrice] = (),
) -> CapTable:
    """SPA 3(c), 4(d)(ii), 4(g); Debenture 4(A); Series J CoD. Fully diluted = Common + both
    classes as converted + warrant shares; a class whose price is unknown (missing closing bids)
    counts 0 in the total and says so in ``notes``. ``prices``: each financing's price, used for
    the positions that name it (``terms`` stays the SPA's: the cap and the reserve)."""
    if authorized < 0 or shares_outstanding_at_signing <= 0 or cap_shares_issued < 0:
        raise InvalidInput("Authorized, outstanding-at-signing and cap counts must be positive.")
    notes = list(notes)
    partial = []
    by_financing = {p.key: p for p in prices}
    for h in holders:
        sj = _as_converted(h.series_j, series_j_price, terms, by_financing)
        deb = _as_converted(h.debentures, debenture_price, terms, by_financing)
        partial.append((h, sj, deb, h.common + (sj or 0) + (deb or 0) + h.warrants))
    fd_total = sum(p[3] for p in partial)
    common_total = sum(h.common for h in holders)
    rows = tuple(
        HolderRow(
            holder_id=h.holder_id,
            name=h.name,
            common=h.common,
            series_j_amount=sum((p.amount for p in h.series_j), Decimal("0")),
            series_j_as_converted=sj,
            debenture_principal=sum((p.amount for p in h.debentures), Decimal("0")),
            debenture_as_converted=deb,
            warrants=h.warrants,
            fully_diluted=fd,
            fully_diluted_pct=share_pct(fd, fd_total),
            common_pct=share_pct(h.common, common_total),
        )
        for h, sj, deb, fd in partial
    )
    sj_total = None if any(r.series_j_as_converted is None for r in rows) else sum(r.series_j_as_converted for r in rows)
    deb_total = None if any(r.debenture_as_converted is None for r in rows) else sum(r.debenture_as_converted for r in rows)
    warrants = sum(r.warrants for r in rows)
    conversion_total = (sj_total or 0) + (deb_total or 0)
    if sj_total is None or deb_total is None:
        notes.append("Shares as converted are left out where a conversion price could not be computed (see above).")
    reserve = None
    if common_total <= authorized:
        reserve = reserve_check(
            terms=terms, conversion_shares=conversion_total, warrant_shares=warrants,
            issued_shares=common_total, authorized_shares=authorized,
        )
    else:
        notes.append(f"Issued Common Stock {common_total:,} exceeds the {authorized:,} authorized shares (SPA 3(c)).")
    required = reserve.required_shares if reserve else 0
    cap = cap_check(
        terms=terms, requested_shares=0, shares_issued_before=cap_shares_issued,
        shares_outstanding_at_signing=shares_outstanding_at_signing,
    )
    return CapTable(
        as_of=as_of,
        rows=rows,
        series_j_price=series_j_price,
        debenture_price=debenture_price,
        common=common_total,
        series_j_amount=sum((r.series_j_amount for r in rows), Decimal("0")),
        series_j_as_converted=sj_total,
        debenture_principal=sum((r.debenture_principal for r in rows), Decimal("0")),
        debenture_as_converted=deb_total,
        warrants=warrants,
        fully_diluted=fd_total,
        authorized=authorized,
        reserve=reserve,
        unissued=authorized - common_total,
        headroom=authorized - common_total - required,
        cap=cap,
        cap_used_pct=share_pct(cap_shares_issued, cap.cap_shares),
        notes=tuple(notes),
        prices=tuple(prices),
    )


def live_conversions(day: datetime.date):
    """Conversions in effect on ``day``: dated on or before it and not revoked (SPA 5(c)) or
    dishonoured (SPA 5(f)) by then."""
    return Conversion.objects.filter(conversion_date__lte=day).exclude(
        Q(revoked_date__lte=day) | Q(dishonoured_date__lte=day)
    )


def cap_table_as_of_before(day: datetime.date) -> CapTable:
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

    live = live_conversions(day)
    conv_shares = dict(live.values("investor_id").annotate(n=Sum("shares_issuable")).values_list("investor_id", "n"))
    deb_converted = dict(
        live.filter(debenture__isnull=False).values("debenture_id").annotate(a=Sum("amount")).values_list("debenture_id", "a")
    )
    pref_converted = {
        row["preferred_id"]: (row["a"], row["u"])
        for row in live.filter(preferred__isnull=False).values("preferred_id").annotate(a=Sum("amount"), u=Sum("unconverted_shares"))
    }
    cap_from_conversions = live.filter(preferred__isnull=False).aggregate(n=Sum("shares_issuable"))["n"] or 0
    remedies = list(
        CapRemedy.objects.filter(chosen_date__lte=day)
        .values("conversion__preferred_id", "conversion__investor_id", "remedy", "unconverted_shares", "snapshot")
    )
    exercised = defaultdict(int)
    exercised_by_investor = defaultdict(int)
    for warrant_id, investor_id, shares in WarrantExercise.objects.filter(exercise_date__lte=day).exclude(
        dishonoured_date__lte=day  # SPA 5(f): a dishonoured exercise is undone
    ).values_list(
        "warrant_id", "investor_id", "shares"
    ):
        exercised[warrant_id] += shares
        exercised_by_investor[investor_id] += shares
    redeemed = set(
        Redemption.objects.filter(status=RedemptionStatus.PAID, payment_date__lte=day).values_list("debenture_id", flat=True)
    )

    holders: dict[int, dict] = defaultdict(lambda: {"common": 0, "series_j": [], "debentures": [], "warrants": 0})
    for investor_id, shares in conv_shares.items():
        holders[investor_id]["common"] += int(shares)
    for investor_id, shares in exercised_by_investor.items():
        holders[investor_id]["common"] += shares
    remedy_lp = defaultdict(int)
    cap_from_remedies = 0
    for r in remedies:
        remedy_lp[r["conversion__preferred_id"]] += r["unconverted_shares"]
        if r["remedy"] == CapRemedy.Remedy.X_PRICE:
            shares = int(r["snapshot"].get("shares", 0))
            holders[r["conversion__investor_id"]]["common"] += shares
            cap_from_remedies += shares

    held: set[int] = set()  # financings with a position on the day
    for d in Debenture.objects.filter(issue_date__lte=day).values("pk", "investor_id", "number", "principal", "financing_id"):
        amount = Decimal(0) if d["pk"] in redeemed else d["principal"] - (deb_converted.get(d["pk"]) or 0)
        holders[d["investor_id"]]["debentures"].append(InstrumentPosition(f"Debenture {d['number']}", amount, d["financing_id"]))
        held.add(d["financing_id"])
    series_of = {}
    for p in PreferredHolding.objects.filter(closing_date__lte=day).values(
        "pk", "investor_id", "certificate_number", "shares", "liquidation_preference", "financing_id", "financing__name"
    ):
        stated = p["liquidation_preference"] / p["shares"]
        converted_amount, unconverted = pref_converted.get(p["pk"], (0, 0))
        converted = (converted_amount or 0) - (unconverted or 0) * stated
        amount = p["liquidation_preference"] - converted - remedy_lp.get(p["pk"], 0) * stated
        series = series_of.setdefault(p["financing_id"], series_name(p["financing__name"]))
        holders[p["investor_id"]]["series_j"].append(
            InstrumentPosition(f"{series} {p['certificate_number']}", amount, p["financing_id"])
        )
        held.add(p["financing_id"])
    for w in Warrant.objects.filter(issue_date__lte=day).values("pk", "investor_id", "shares", "expiry_date"):
        remaining = 0 if is_expired(w["expiry_date"], day) else w["shares"] - exercised.get(w["pk"], 0)
        holders[w["investor_id"]]["warrants"] += max(0, remaining)

    names = dict(Investor.objects.filter(pk__in=list(holders)).values_list("pk", "legal_name"))
    inputs = [HolderInput(None, OTHER_HOLDERS, common=issuer.shares_outstanding_at_signing)]
    inputs += [
        HolderInput(pk, names.get(pk, f"Investor #{pk}"), h["common"], tuple(h["series_j"]), tuple(h["debentures"]), h["warrants"])
        for pk, h in sorted(holders.items(), key=lambda kv: names.get(kv[0], ""))
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


def xlsx_before(rows) -> bytes:
    """The XLSX export as openpyxl wrote it (deals/views/captable.py before issue 17)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Cap table"
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, never a formula
    ws.column_dimensions["A"].width = 48
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
