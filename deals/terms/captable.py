"""The capitalization table as of a date: Common Stock outstanding, the Series J and the
Debentures as converted at that date's conversion prices, warrants, fully diluted holdings,
authorized/issued/reserved headroom (SPA 3(c), 4(g)) and the 20% cap (SPA 4(d)(ii)).

Pure arithmetic on what the caller loaded for the date: positions per holder and each
financing's conversion price (``conversion.series_j_conversion_price`` /
``debenture_conversion_price`` under that financing's terms, with the date as the Date of
Conversion). Terms belong to a financing (issue 18): a position names its financing and is
priced with that financing's price and rounding (a Series K holding with Series K terms).
Shares as converted are computed per instrument with the contract's rounding, then summed: a
holder's instruments of a class (``Holdings``: one amount and financing per instrument) are
grouped by financing, each group priced once and its amounts rounded one by one
(``conversion.conversion_shares_each``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .cap import CapCheck, cap_check
from .conversion import ConversionPrice, conversion_shares_each
from .errors import InvalidInput
from .params import DealTerms
from .reserve import ReserveCheck, reserve_check

PCT_QUANTUM = Decimal("0.01")


def share_pct(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, 2 decimals half up (0 when ``whole`` is 0)."""
    if whole <= 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PCT_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Holdings:
    """A holder's instruments of one class as of the date, one entry per instrument: its
    outstanding amount (a Series J holding's liquidation preference, a Debenture's principal
    left) and its financing -- the key of a FinancingPrice; None: the class's default price."""

    amounts: Sequence[Decimal] = ()
    financings: Sequence[int | str | None] = ()

    @property
    def amount(self) -> Decimal:
        return sum(self.amounts, Decimal("0"))


@dataclass(frozen=True, slots=True)
class FinancingPrice:
    """One financing's conversion price for a Date of Conversion on the cap table's date, with
    the terms in force that priced it (``price`` None: closing bids missing or no terms)."""

    key: int | str
    name: str
    kind: str  # "preferred" | "debenture" (``params.KIND_GROUPS``)
    terms: DealTerms | None
    price: ConversionPrice | None
    clause: str = ""

    def as_dict(self) -> dict:
        return {
            "financing_id": self.key, "financing": self.name, "kind": self.kind, "clause": self.clause,
            "conversion_price": str(self.price.applied_price) if self.price else None,
        }


@dataclass(frozen=True, slots=True)
class HolderInput:
    holder_id: int | None
    name: str
    common: int = 0
    series_j: Holdings = Holdings()
    debentures: Holdings = Holdings()
    warrants: int = 0


@dataclass(frozen=True, slots=True)
class HolderRow:
    holder_id: int | None
    name: str
    common: int
    series_j_amount: Decimal
    series_j_as_converted: int | None
    debenture_principal: Decimal
    debenture_as_converted: int | None
    warrants: int
    fully_diluted: int
    fully_diluted_pct: Decimal
    common_pct: Decimal

    def as_dict(self) -> dict:
        return {
            "holder_id": self.holder_id,
            "name": self.name,
            "common": self.common,
            "series_j_liquidation_preference": str(self.series_j_amount),
            "series_j_as_converted": self.series_j_as_converted,
            "debenture_principal": str(self.debenture_principal),
            "debenture_as_converted": self.debenture_as_converted,
            "warrants": self.warrants,
            "fully_diluted": self.fully_diluted,
            "fully_diluted_pct": str(self.fully_diluted_pct),
            "common_pct": str(self.common_pct),
        }


@dataclass(frozen=True, slots=True)
class CapTable:
    as_of: date
    rows: tuple[HolderRow, ...]
    series_j_price: ConversionPrice | None
    debenture_price: ConversionPrice | None
    common: int
    series_j_amount: Decimal
    series_j_as_converted: int | None
    debenture_principal: Decimal
    debenture_as_converted: int | None
    warrants: int
    fully_diluted: int
    authorized: int
    reserve: ReserveCheck | None
    unissued: int
    headroom: int  # authorized - issued - required reserve (negative: shortfall)
    cap: CapCheck
    cap_used_pct: Decimal
    notes: tuple[str, ...] = field(default=())
    prices: tuple[FinancingPrice, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "rows": [r.as_dict() for r in self.rows],
            "series_j_conversion_price": str(self.series_j_price.applied_price) if self.series_j_price else None,
            "debenture_conversion_price": str(self.debenture_price.applied_price) if self.debenture_price else None,
            "conversion_prices": [p.as_dict() for p in self.prices],
            "totals": {
                "common": self.common,
                "series_j_liquidation_preference": str(self.series_j_amount),
                "series_j_as_converted": self.series_j_as_converted,
                "debenture_principal": str(self.debenture_principal),
                "debenture_as_converted": self.debenture_as_converted,
                "warrants": self.warrants,
                "fully_diluted": self.fully_diluted,
            },
            "shares": {
                "authorized": self.authorized,
                "issued": self.common,
                "reserved": self.reserve.required_shares if self.reserve else None,
                "unissued": self.unissued,
                "headroom": self.headroom,
                "reserve": self.reserve.as_dict() if self.reserve else None,
            },
            "cap": {**self.cap.as_dict(), "used_pct": str(self.cap_used_pct)},
            "notes": list(self.notes),
        }


def _as_converted(
    holdings: Holdings, price: ConversionPrice | None, terms: DealTerms,
    by_financing: Mapping[int | str, FinancingPrice], known: dict, default_key: str,
) -> int | None:
    """Each instrument at its own financing's price and rounding (the class default when it names
    none); None when any outstanding instrument's price is unknown. ``known``: per financing (or
    ``default_key`` for the class default), the shares of the amounts already worked out."""
    amounts, financings = holdings.amounts, holdings.financings
    if len(amounts) != len(financings):
        raise InvalidInput("Holdings need one financing per amount.")
    outstanding: dict[int | str | None, list[Decimal]] = {}
    for amount, financing in zip(amounts, financings, strict=True):
        if amount > 0:
            outstanding.setdefault(financing, []).append(amount)
    total = 0
    for financing, group in outstanding.items():
        fp = by_financing.get(financing) if financing is not None else None
        p_price, p_terms = (fp.price, fp.terms) if fp is not None else (price, terms)
        if financing is not None and fp is None:
            p_price = None  # a financing the caller could not price
        if p_price is None or p_terms is None:
            return None
        known_here = known.setdefault(default_key if financing is None else financing, {})
        total += conversion_shares_each(group, p_price.applied_price, p_terms, known=known_here)
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
    known: dict = {}  # holdings of one financing repeat amounts: each distinct one rounded once
    for h in holders:
        sj = _as_converted(h.series_j, series_j_price, terms, by_financing, known, "series_j default")
        deb = _as_converted(h.debentures, debenture_price, terms, by_financing, known, "debentures default")
        partial.append((h, sj, deb, h.common + (sj or 0) + (deb or 0) + h.warrants))
    fd_total = sum(p[3] for p in partial)
    common_total = sum(h.common for h in holders)
    rows = tuple(
        HolderRow(
            holder_id=h.holder_id,
            name=h.name,
            common=h.common,
            series_j_amount=h.series_j.amount,
            series_j_as_converted=sj,
            debenture_principal=h.debentures.amount,
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
