"""Conversion of the Debenture and the Series J Convertible Preferred.

Debenture 4(A):
- Conversion price ("Conversion Rate") = the lesser of $1.4375 and 80% of the
  Market Price (average closing bid of the 5 trading days immediately
  preceding the Conversion Date).
- Shares = amount / conversion price, rounded to the nearest whole share.
- Interest (Debenture, first paragraph; 4(A)): 6% a year on the principal,
  accruing from the first business day after the Debenture's date, paid on
  conversion of the converted principal in cash or, at the holder's option,
  in Common Stock at the conversion price.
- Eligibility: one-half of the principal from 90 days after Closing, the
  balance from 120 days, everything from the effective date of the
  Registration Statement if that is earlier.
- Conversion Date: the day the Debenture and the executed notice reach the
  Company, or the date in a faxed notice if the original Debenture arrives
  within 3 business days of it. Exhibit A: the original Debenture and notice
  are due by the 5th business day after the Date of Conversion.

Series J (Certificate of Designations, SPA Annex I -- not in the seeds): the
same shape with the ``preferred_*`` deal terms: lesser of the Fixed Price and
a discount of the SPA 1(b)(ix) Market Price (3 lowest of 20 closing bids),
dividends at a yearly rate on the liquidation preference converted.

Rounding: the Market Price average is exact; the discounted price is exact too
(Debenture 4(A) rounds only the share count) unless
``DealTerms.conversion_price_precision`` is 4dp; interest and dividends to
cents; shares per ``DealTerms.share_rounding``. Prices are shown rounded to
$0.0001 (``ConversionPrice.shown_price``). See docs/interpretations.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from .accruals import (  # noqa: F401 -- re-exported: callers import accruals from here too
    CLAUSE_DEB_INTEREST,
    CLAUSE_SERIES_J_DIVIDENDS,
    Accrual,
    accrued_dividends,
    accrued_interest,
    day_count_fraction,
    debenture_interest_start,
)
from .calendars import add_business_days
from .cap import AuthorizedCheck, CapCheck, UnconvertedSplit, authorized_check, cap_check, issuance_room, unconverted_shares
from .delivery import debenture_delivery_date, series_j_delivery_date
from .errors import InvalidInput, NotEligible
from .params import NHTC_SHARES_OUTSTANDING_AT_SIGNING, DealTerms, PricePrecision
from .prices import MarketPrice, market_price
from .reserve import ReserveCheck, reserve_check
from .rounding import pct, to_cents, to_price, to_shares

CLAUSE_DEB = "Debenture 4(A)"
CLAUSE_DEB_EXHIBIT_A = "Debenture Exhibit A"
CLAUSE_SERIES_J = "Series J Certificate of Designations (preferred-stock terms; see the contract readings), SPA 1(b)(ix)"

ZERO = Decimal(0)
CENTS_ZERO = Decimal("0.00")


class Instrument(str, Enum):
    DEBENTURE = "debenture"
    SERIES_J = "series_j"


class PaymentForm(str, Enum):
    """How accrued interest or dividends are paid on conversion (holder's option)."""

    CASH = "cash"
    SHARES = "shares"


class PriceBasis(str, Enum):
    """Which side of "the lesser of" set the conversion price."""

    FIXED = "fixed"  # the fixed price is lower or equal
    MARKET = "market"  # the discounted market price is lower


# --- conversion price -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversionPrice:
    """The lesser of a fixed price and a discount of the market price, with the working."""

    fixed_price: Decimal
    discount_pct: Decimal
    market: MarketPrice
    discounted_price: Decimal  # discount x exact market average (exact, or 4 dp half up per the deal term)
    applied_price: Decimal  # what the amount is divided by
    basis: PriceBasis
    clause: str
    precision: PricePrecision = PricePrecision.EXACT

    @property
    def shown_price(self) -> Decimal:
        """The applied price rounded to $0.0001 for pages, notices and the record's price column;
        the share count is computed from ``applied_price``."""
        return to_price(self.applied_price)

    @property
    def shown_discounted_price(self) -> Decimal:
        return to_price(self.discounted_price)

    def as_dict(self) -> dict:
        return {
            "fixed_price": str(self.fixed_price),
            "discount_pct": str(self.discount_pct),
            "market": self.market.as_dict(),
            "discounted_price": str(self.discounted_price),
            "applied_price": str(self.applied_price),
            "shown_price": str(self.shown_price),
            "precision": self.precision.value,
            "basis": self.basis.value,
            "clause": self.clause,
        }


def lesser_price(
    *,
    fixed_price: Decimal,
    discount_pct: Decimal,
    market: MarketPrice,
    clause: str,
    precision: PricePrecision = PricePrecision.EXACT,
) -> ConversionPrice:
    """Debenture 4(A) / Series J CoD: the lesser of the fixed price and ``discount_pct`` of the
    market price (the exact average). The clause rounds only shares ("rounded to the nearest whole
    share"), so by default the discounted price stays exact; ``PricePrecision.FOUR_DP`` rounds it
    once to $0.0001 half up (``DealTerms.conversion_price_precision``). On a tie the fixed price
    is named."""
    if fixed_price <= 0 or discount_pct <= 0:
        raise InvalidInput("The fixed price and the discount percentage must be positive.")
    discounted = pct(discount_pct) * market.average
    if precision is PricePrecision.FOUR_DP:
        discounted = to_price(discounted)
    if fixed_price <= discounted:
        return ConversionPrice(
            fixed_price, discount_pct, market, discounted, fixed_price, PriceBasis.FIXED, clause, precision
        )
    return ConversionPrice(
        fixed_price, discount_pct, market, discounted, discounted, PriceBasis.MARKET, clause, precision
    )


def debenture_conversion_price(
    *, terms: DealTerms, prices: Mapping[date, Decimal], conversion_date: date
) -> ConversionPrice:
    """Debenture 4(A): lesser of $1.4375 and 80% of the average closing bid of the 5 trading days
    immediately preceding the Conversion Date."""
    mp = market_price(
        prices,
        conversion_date,
        terms.debenture_lookback_method,
        terms.debenture_lookback_days,
        terms.debenture_lookback_lowest,
        clause=CLAUSE_DEB,
    )
    return lesser_price(
        fixed_price=terms.debenture_fixed_price,
        discount_pct=terms.debenture_discount_pct,
        market=mp,
        clause=CLAUSE_DEB,
        precision=terms.conversion_price_precision,
    )


def series_j_conversion_price(
    *, terms: DealTerms, prices: Mapping[date, Decimal], conversion_date: date
) -> ConversionPrice:
    """Series J CoD (deal terms) with the SPA 1(b)(ix) Market Price: lesser of the Fixed Price and
    the discount of the average of the 3 lowest closing bids in the 20 trading days before."""
    mp = market_price(
        prices,
        conversion_date,
        terms.preferred_lookback_method,
        terms.preferred_lookback_days,
        terms.preferred_lookback_lowest,
    )
    return lesser_price(
        fixed_price=terms.preferred_fixed_price,
        discount_pct=terms.preferred_discount_pct,
        market=mp,
        clause=CLAUSE_SERIES_J,
        precision=terms.conversion_price_precision,
    )


def conversion_shares(amount: Decimal, price: Decimal, terms: DealTerms) -> int:
    """Debenture 4(A): shares for ``amount`` at ``price``, "rounded to the nearest whole share"
    (``DealTerms.share_rounding``; default ties up)."""
    if price <= 0:
        raise InvalidInput(f"The conversion price must be positive, not {price}.")
    if amount < 0:
        raise InvalidInput(f"The amount to convert cannot be negative ({amount}).")
    return to_shares(amount / price, terms.share_rounding)


def conversion_shares_each(
    amounts: Sequence[Decimal], price: Decimal, terms: DealTerms, *, known: dict[Decimal, int] | None = None,
) -> int:
    """Debenture 4(A): ``conversion_shares`` of each amount at one ``price``, summed -- each
    amount rounded to whole shares on its own (``to_shares``' rule, ``DealTerms.share_rounding``),
    never the rounded sum. One pass for the many holdings of one financing (the cap table).
    ``known``: the shares of the amounts already worked out at this price and terms, filled in as
    it goes -- the cap table passes one per financing, so an amount many holdings share is
    divided and rounded once (the same figure each time)."""
    if price <= 0:
        raise InvalidInput(f"The conversion price must be positive, not {price}.")
    if amounts and (lowest := min(amounts)) < 0:
        raise InvalidInput(f"The amount to convert cannot be negative ({lowest}).")
    if known is None:
        known = {}
    rounding = terms.share_rounding
    total = 0
    for amount in amounts:
        shares = known.get(amount)
        if shares is None:
            shares = known[amount] = to_shares(amount / price, rounding)
        total += shares
    return total


# --- Conversion Date (Debenture 4(A), Exhibit A) ------------------------------


class ConversionDateBasis(str, Enum):
    FAX_DATE = "fax_date"  # original received within the fax window: the faxed date stands
    FAX_DATE_PENDING = "fax_date_pending"  # original not yet received, fax window still open
    DELIVERY = "delivery"  # the date the original Debenture and notice were delivered
    AWAITING_ORIGINAL = "awaiting_original"  # fax window passed without the original: no date yet


@dataclass(frozen=True, slots=True)
class ConversionDate:
    """Debenture 4(A) Conversion Date and the Exhibit A deadline for the original."""

    conversion_date: date | None
    basis: ConversionDateBasis
    fax_date: date | None
    original_received: date | None
    fax_window_end: date | None  # original must arrive by this day for the fax date to stand
    original_due: date  # Exhibit A: 5th business day after the Date of Conversion
    original_late: bool | None  # None while the original is outstanding and not yet late
    clause: str = f"{CLAUSE_DEB}, {CLAUSE_DEB_EXHIBIT_A}"

    def as_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "conversion_date": iso(self.conversion_date),
            "basis": self.basis.value,
            "fax_date": iso(self.fax_date),
            "original_received": iso(self.original_received),
            "fax_window_end": iso(self.fax_window_end),
            "original_due": self.original_due.isoformat(),
            "original_late": self.original_late,
            "clause": self.clause,
        }


def original_notice_due(date_of_conversion: date, terms: DealTerms) -> date:
    """Debenture Exhibit A: the original Debenture and Notice of Conversion must be received by
    the 5th business day following the Date of Conversion."""
    return add_business_days(date_of_conversion, terms.original_notice_business_days)


def debenture_conversion_date(
    *,
    terms: DealTerms,
    fax_date: date | None = None,
    original_received: date | None = None,
    as_of: date | None = None,
) -> ConversionDate:
    """Debenture 4(A): the Conversion Date is the date the Debenture and executed notice are
    delivered, or the date set forth in a faxed notice if the Debenture is received within 3
    business days of it. ``fax_date`` is the date written in the faxed notice; ``as_of`` tells
    whether a missing original is still within its window."""
    if fax_date is None:
        if original_received is None:
            raise InvalidInput("Give the faxed notice's date or the date the original was received.")
        due = original_notice_due(original_received, terms)
        return ConversionDate(
            original_received, ConversionDateBasis.DELIVERY, None, original_received, None, due, False
        )
    window_end = add_business_days(fax_date, terms.fax_original_business_days)
    due = original_notice_due(fax_date, terms)
    if original_received is not None:
        if original_received < fax_date:
            raise InvalidInput("The original cannot arrive before the date of the faxed notice.")
        late = original_received > due
        if original_received <= window_end:
            return ConversionDate(
                fax_date, ConversionDateBasis.FAX_DATE, fax_date, original_received, window_end, due, late
            )
        return ConversionDate(
            original_received,
            ConversionDateBasis.DELIVERY,
            fax_date,
            original_received,
            window_end,
            due,
            late,
        )
    if as_of is None or as_of <= window_end:
        return ConversionDate(
            fax_date, ConversionDateBasis.FAX_DATE_PENDING, fax_date, None, window_end, due, None
        )
    return ConversionDate(
        None,
        ConversionDateBasis.AWAITING_ORIGINAL,
        fax_date,
        None,
        window_end,
        due,
        True if as_of > due else None,
    )


# --- eligibility (Debenture 4(A)) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Tranche:
    """From ``eligible_from`` the cumulative convertible amount is ``cumulative``."""

    eligible_from: date
    cumulative: Decimal
    reason: str

    def as_dict(self) -> dict:
        return {
            "eligible_from": self.eligible_from.isoformat(),
            "cumulative": str(self.cumulative),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Eligibility:
    """How much may be converted on ``as_of``, why, and when more becomes eligible."""

    as_of: date
    principal: Decimal
    converted: Decimal
    outstanding: Decimal
    eligible_total: Decimal  # cumulative eligible amount on as_of
    convertible_now: Decimal  # eligible_total - converted, within outstanding
    reason: str
    tranches: tuple[Tranche, ...]
    next_date: date | None
    next_amount: Decimal | None  # convertible on next_date (given nothing else converts)
    clause: str

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "principal": str(self.principal),
            "converted": str(self.converted),
            "outstanding": str(self.outstanding),
            "eligible_total": str(self.eligible_total),
            "convertible_now": str(self.convertible_now),
            "reason": self.reason,
            "tranches": [t.as_dict() for t in self.tranches],
            "next_date": self.next_date.isoformat() if self.next_date else None,
            "next_amount": str(self.next_amount) if self.next_amount is not None else None,
            "clause": self.clause,
        }

    def eligible_on(self, amount: Decimal) -> date | None:
        """The first date on which ``amount`` (more) can be converted, or None if never."""
        needed = self.converted + amount
        if needed > self.principal:
            return None
        for t in self.tranches:
            if t.cumulative >= needed:
                return t.eligible_from
        return None


def debenture_tranches(
    *, terms: DealTerms, principal: Decimal, closing_date: date, effective_date: date | None = None
) -> tuple[Tranche, ...]:
    """Debenture 4(A): the dates from which cumulative amounts become convertible -- one-half
    90 days after Closing, the balance 120 days after, all of it from the Registration
    Statement's effective date if that comes first. Sorted by date."""
    first = closing_date + timedelta(days=terms.debenture_first_tranche_days)
    full = closing_date + timedelta(days=terms.debenture_full_conversion_days)
    half = to_cents(principal * pct(terms.debenture_first_tranche_pct))
    whole = to_cents(principal)
    tranches = [
        Tranche(
            first,
            half,
            f"{terms.debenture_first_tranche_days} days after Closing: "
            f"{terms.debenture_first_tranche_pct}% of principal",
        ),
        Tranche(full, whole, f"{terms.debenture_full_conversion_days} days after Closing: balance"),
    ]
    if effective_date is not None:
        tranches.append(Tranche(effective_date, whole, "effective date of the Registration Statement"))
    tranches.sort(key=lambda t: (t.eligible_from, -t.cumulative))
    # drop tranches that add nothing (e.g. the 90/120-day dates after an earlier effective date)
    out: list[Tranche] = []
    best = ZERO
    for t in tranches:
        if t.cumulative > best:
            out.append(t)
            best = t.cumulative
    return tuple(out)


def debenture_eligibility(
    *,
    terms: DealTerms,
    principal: Decimal,
    as_of: date,
    closing_date: date,
    effective_date: date | None = None,
    converted_principal: Decimal = ZERO,
) -> Eligibility:
    """Debenture 4(A): principal convertible on ``as_of`` given what was already converted, and
    when more becomes convertible. An ``effective_date`` after ``as_of`` is treated as known
    (it shows as a future tranche)."""
    if principal <= 0:
        raise InvalidInput(f"The principal must be positive, not {principal}.")
    if converted_principal < 0 or converted_principal > principal:
        raise InvalidInput(f"Converted principal {converted_principal} is outside 0..{principal}.")
    tranches = debenture_tranches(
        terms=terms, principal=principal, closing_date=closing_date, effective_date=effective_date
    )
    eligible = ZERO
    reason = f"before {tranches[0].eligible_from.isoformat()}: nothing is convertible yet"
    nxt: Tranche | None = None
    for t in tranches:
        if t.eligible_from <= as_of:
            eligible, reason = t.cumulative, t.reason
        elif nxt is None:
            nxt = t
    outstanding = principal - converted_principal
    now = max(ZERO, eligible - converted_principal)
    next_date = nxt.eligible_from if nxt is not None else None
    next_amount = max(ZERO, nxt.cumulative - converted_principal) if nxt is not None else None
    return Eligibility(
        as_of,
        principal,
        converted_principal,
        outstanding,
        eligible,
        now,
        reason,
        tranches,
        next_date,
        next_amount,
        CLAUSE_DEB,
    )


def series_j_eligibility(
    *, liquidation_preference: Decimal, as_of: date, closing_date: date, converted: Decimal = ZERO
) -> Eligibility:
    """Series J (CoD, not in the seeds): no holding period is known, so the whole outstanding
    liquidation preference is convertible from the Closing Date (see docs/interpretations.md)."""
    if liquidation_preference <= 0:
        raise InvalidInput(f"The liquidation preference must be positive, not {liquidation_preference}.")
    if converted < 0 or converted > liquidation_preference:
        raise InvalidInput(f"Converted amount {converted} is outside 0..{liquidation_preference}.")
    tranches = (Tranche(closing_date, liquidation_preference, "Closing Date (no holding period known)"),)
    issued = as_of >= closing_date
    eligible = liquidation_preference if issued else ZERO
    return Eligibility(
        as_of,
        liquidation_preference,
        converted,
        liquidation_preference - converted,
        eligible,
        max(ZERO, eligible - converted),
        tranches[0].reason if issued else "before the Closing Date",
        tranches,
        None if issued else closing_date,
        None if issued else liquidation_preference - converted,
        CLAUSE_SERIES_J,
    )


def check_amount(amount: Decimal, eligibility: Eligibility) -> None:
    """Debenture 4(A) / Series J: ``amount`` must be positive, within the outstanding amount
    and within what is eligible now (``NotEligible`` names the date it becomes eligible)."""
    if not amount > 0:
        raise InvalidInput(f"The amount to convert must be positive, not {amount}.")
    if amount > eligibility.outstanding:
        raise InvalidInput(f"The amount {amount} exceeds the outstanding {eligibility.outstanding}.")
    if amount > eligibility.convertible_now:
        raise NotEligible(
            amount, eligibility.convertible_now, eligibility.eligible_on(amount), eligibility.clause
        )


# --- quotes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversionQuote:
    """Everything a conversion needs, with the working; ``as_dict`` is the computation snapshot."""

    instrument: Instrument
    conversion_date: date
    amount: Decimal
    eligibility: Eligibility
    price: ConversionPrice
    shares: int  # for ``amount``
    accrual: Accrual
    accrual_payment: PaymentForm
    accrual_cash: Decimal
    accrual_shares: int
    total_shares: int
    cap: CapCheck
    unconverted: UnconvertedSplit | None  # Series J, whole preferred shares only
    reserve: ReserveCheck
    delivery_date: date
    original_notice_due: date | None  # Debenture Exhibit A
    clauses: tuple[str, ...]
    authorized: AuthorizedCheck | None = None  # SPA 3(c), 4(i)(i)

    @property
    def market_price(self) -> MarketPrice:
        return self.price.market

    @property
    def fixed_price(self) -> Decimal:
        return self.price.fixed_price

    @property
    def discounted_price(self) -> Decimal:
        return self.price.discounted_price

    @property
    def applied_price(self) -> Decimal:
        return self.price.applied_price

    @property
    def price_basis(self) -> PriceBasis:
        return self.price.basis

    @property
    def converted_fraction(self) -> Decimal:
        """Share of the requested amount actually converted: 1, or for a Series J conversion
        that meets the cap, convertible / requested preferred shares (SPA 4(i))."""
        split = self.unconverted
        if split is None or split.unconverted_preferred == 0 or split.preferred_shares == 0:
            return Decimal(1)
        return Decimal(split.convertible_preferred) / Decimal(split.preferred_shares)

    @property
    def amount_converted(self) -> Decimal:
        """Principal or liquidation preference actually converted (Unconverted Shares left out)."""
        return to_cents(self.amount * self.converted_fraction)

    @property
    def accrual_converted(self) -> Decimal:
        """Interest or dividends taken in shares for the part actually converted; 0 when paid in cash."""
        if self.accrual_payment is not PaymentForm.SHARES:
            return CENTS_ZERO
        return to_cents(self.accrual.amount * self.converted_fraction)

    @property
    def late_payment_base(self) -> Decimal:
        """SPA 5(c): "for each $10,000 of Liquidation Preference or Dividend Amount being
        converted" -- the liquidation preference actually converted plus the dividends taken in
        shares on it; not the requested amount, not cash dividends, not Unconverted Shares."""
        return self.amount_converted + self.accrual_converted

    def as_dict(self) -> dict:
        return {
            "instrument": self.instrument.value,
            "conversion_date": self.conversion_date.isoformat(),
            "amount": str(self.amount),
            "eligibility": self.eligibility.as_dict(),
            "market_price": self.price.market.as_dict(),
            "fixed_price": str(self.price.fixed_price),
            "discount_pct": str(self.price.discount_pct),
            "discounted_price": str(self.price.discounted_price),
            "applied_price": str(self.price.applied_price),
            "shown_price": str(self.price.shown_price),
            "precision": self.price.precision.value,
            "price_basis": self.price.basis.value,
            "shares": self.shares,
            "accrual": self.accrual.as_dict(),
            "accrual_payment": self.accrual_payment.value,
            "accrual_cash": str(self.accrual_cash),
            "accrual_shares": self.accrual_shares,
            "total_shares": self.total_shares,
            "late_payment_base": str(self.late_payment_base),
            "cap": self.cap.as_dict(),
            "unconverted": self.unconverted.as_dict() if self.unconverted else None,
            "reserve": self.reserve.as_dict(),
            "authorized": self.authorized.as_dict() if self.authorized else None,
            "delivery_date": self.delivery_date.isoformat(),
            "original_notice_due": self.original_notice_due.isoformat() if self.original_notice_due else None,
            "clauses": list(self.clauses),
        }


def _shares_split(
    amount: Decimal, accrual: Accrual, payment: PaymentForm, price: Decimal, terms: DealTerms
) -> tuple[int, Decimal, int, int]:
    """(shares for amount, accrual cash, accrual shares, total shares). With shares elected the
    total is rounded once on amount + accrual, and the accrual shares are the difference."""
    shares = to_shares(amount / price, terms.share_rounding)
    if payment is PaymentForm.SHARES:
        total = to_shares((amount + accrual.amount) / price, terms.share_rounding)
        return shares, CENTS_ZERO, total - shares, total
    return shares, accrual.amount, 0, shares


def _share_limits(
    *,
    terms: DealTerms,
    total: int,
    outstanding_shares: int,
    cap_shares_issued: int,
    shares_outstanding_at_signing: int | None,
    stockholder_approval: bool,
    issued_shares: int | None,
    authorized_shares: int | None,
    warrant_shares: int,
) -> tuple[CapCheck, ReserveCheck, AuthorizedCheck]:
    """The share limits every conversion quote checks: the 20% cap (SPA 4(d)(ii), 4(i)), the
    reserve for all outstanding conversions and warrants (SPA 4(g)) and the authorized shares
    (SPA 3(c), 4(i)(i)). ``total`` is the shares this conversion asks for; ``outstanding_shares``
    what the whole outstanding amount would convert into."""
    cap = cap_check(
        terms=terms,
        requested_shares=total,
        shares_issued_before=cap_shares_issued,
        shares_outstanding_at_signing=shares_outstanding_at_signing,
        stockholder_approval=stockholder_approval,
    )
    reserve = reserve_check(
        terms=terms,
        conversion_shares=outstanding_shares,
        warrant_shares=warrant_shares,
        issued_shares=NHTC_SHARES_OUTSTANDING_AT_SIGNING if issued_shares is None else issued_shares,
        authorized_shares=authorized_shares,
    )
    authorized = authorized_check(
        requested_shares=total, authorized_shares=reserve.authorized_shares, issued_shares=reserve.issued_shares
    )
    return cap, reserve, authorized


def quote_debenture_conversion(
    *,
    terms: DealTerms,
    amount: Decimal,
    conversion_date: date,
    principal: Decimal,
    closing_date: date,
    prices: Mapping[date, Decimal],
    converted_principal: Decimal = ZERO,
    dated_date: date | None = None,
    issued_date: date | None = None,
    effective_date: date | None = None,
    interest_payment: PaymentForm = PaymentForm.CASH,
    interest_paid_through: date | None = None,
    notice_delivered: date | None = None,
    cap_shares_issued: int = 0,
    shares_outstanding_at_signing: int | None = None,
    stockholder_approval: bool = False,
    issued_shares: int | None = None,
    authorized_shares: int | None = None,
    warrant_shares: int = 0,
) -> ConversionQuote:
    """Debenture 4(A) (with the interest paragraph and Exhibit A): a full conversion quote.

    ``amount`` is the principal to convert; ``principal`` the Debenture's face;
    ``converted_principal`` what was converted before. ``dated_date`` is the
    Debenture's date, "the date hereof" (interest starts the next business day;
    default the Closing Date), ``issued_date`` its date of initial issuance
    (interest never starts before it). ``notice_delivered`` (default the Conversion Date) starts
    the 3-business-day delivery period. Cap (SPA 4(d)(ii), 4(i)) and reserve
    (SPA 3(c), 4(g)) checks are reported, not enforced; ``issued_shares`` is
    the Common Stock issued now (default: shares outstanding at signing).
    """
    elig = debenture_eligibility(
        terms=terms,
        principal=principal,
        as_of=conversion_date,
        closing_date=closing_date,
        effective_date=effective_date,
        converted_principal=converted_principal,
    )
    check_amount(amount, elig)
    cp = debenture_conversion_price(terms=terms, prices=prices, conversion_date=conversion_date)
    accrual = accrued_interest(
        terms=terms,
        principal=amount,
        dated_date=closing_date if dated_date is None else dated_date,
        issued_date=issued_date,
        to_date=conversion_date,
        paid_through=interest_paid_through,
    )
    price = cp.applied_price
    shares, cash, acc_shares, total = _shares_split(amount, accrual, interest_payment, price, terms)
    cap, reserve, authorized = _share_limits(
        terms=terms,
        total=total,
        outstanding_shares=to_shares(elig.outstanding / price, terms.share_rounding) + acc_shares,
        cap_shares_issued=cap_shares_issued,
        shares_outstanding_at_signing=shares_outstanding_at_signing,
        stockholder_approval=stockholder_approval,
        issued_shares=issued_shares,
        authorized_shares=authorized_shares,
        warrant_shares=warrant_shares,
    )
    delivered = conversion_date if notice_delivered is None else notice_delivered
    return ConversionQuote(
        instrument=Instrument.DEBENTURE,
        conversion_date=conversion_date,
        amount=amount,
        eligibility=elig,
        price=cp,
        shares=shares,
        accrual=accrual,
        accrual_payment=interest_payment,
        accrual_cash=cash,
        accrual_shares=acc_shares,
        total_shares=total,
        cap=cap,
        unconverted=None,
        reserve=reserve,
        delivery_date=debenture_delivery_date(delivered, terms),
        original_notice_due=original_notice_due(conversion_date, terms),
        authorized=authorized,
        clauses=(
            "Debenture 4(A) (eligibility, Market Price, Conversion Rate, rounding, Conversion Date, "
            "delivery)",
            "Debenture interest paragraph (6% from the first business day after its date)",
            "Debenture Exhibit A (original due by the 5th business day)",
            "SPA 4(d)(ii), 4(i) (Cap Regulations)",
            "SPA 3(c), 4(g) (authorized and reserved shares)",
        ),
    )


def quote_preferred_conversion(
    *,
    terms: DealTerms,
    amount: Decimal,
    conversion_date: date,
    liquidation_preference: Decimal,
    closing_date: date,
    prices: Mapping[date, Decimal],
    converted: Decimal = ZERO,
    issue_date: date | None = None,
    dividend_payment: PaymentForm = PaymentForm.CASH,
    dividends_paid_through: date | None = None,
    cap_shares_issued: int = 0,
    shares_outstanding_at_signing: int | None = None,
    stockholder_approval: bool = False,
    issued_shares: int | None = None,
    authorized_shares: int | None = None,
    warrant_shares: int = 0,
) -> ConversionQuote:
    """Series J conversion (CoD deal terms; SPA 1(b)(ix) Market Price; SPA 4(d)(ii), 4(i) cap;
    SPA 3(c), 4(g) reserve; SPA 5(c) Delivery Date default).

    ``amount`` is the liquidation preference to convert; ``liquidation_preference``
    the holder's total; ``converted`` what was converted before. Dividends accrue
    on ``amount`` from ``issue_date`` (default the Closing Date). When ``amount``
    is a whole number of $1,000 shares, ``unconverted`` splits them under the cap
    into convertible shares and Unconverted Shares (SPA 4(i)).
    """
    elig = series_j_eligibility(
        liquidation_preference=liquidation_preference,
        as_of=conversion_date,
        closing_date=closing_date,
        converted=converted,
    )
    check_amount(amount, elig)
    cp = series_j_conversion_price(terms=terms, prices=prices, conversion_date=conversion_date)
    accrual = accrued_dividends(
        terms=terms,
        liquidation_preference=amount,
        issue_date=closing_date if issue_date is None else issue_date,
        to_date=conversion_date,
        paid_through=dividends_paid_through,
    )
    price = cp.applied_price
    shares, cash, acc_shares, total = _shares_split(amount, accrual, dividend_payment, price, terms)
    cap, reserve, authorized = _share_limits(
        terms=terms,
        total=total,
        outstanding_shares=to_shares(elig.outstanding / price, terms.share_rounding) + acc_shares,
        cap_shares_issued=cap_shares_issued,
        shares_outstanding_at_signing=shares_outstanding_at_signing,
        stockholder_approval=stockholder_approval,
        issued_shares=issued_shares,
        authorized_shares=authorized_shares,
        warrant_shares=warrant_shares,
    )
    split = None
    n_pref, rem = divmod(amount, terms.preferred_stated_value)
    # SPA 4(i): the Cap Regulations (20% cap unless approved; authorized shares always) split the
    # preferred shares into those that convert now and Unconverted Shares.
    if rem == 0 and (not stockholder_approval or not authorized.fits):
        per = terms.preferred_stated_value
        if dividend_payment is PaymentForm.SHARES:
            per += accrual.amount / n_pref
        split = unconverted_shares(
            terms=terms,
            preferred_shares=int(n_pref),
            conversion_price=price,
            room=issuance_room(cap, authorized),
            amount_per_share=per,
        )
    return ConversionQuote(
        instrument=Instrument.SERIES_J,
        conversion_date=conversion_date,
        amount=amount,
        eligibility=elig,
        price=cp,
        shares=shares,
        accrual=accrual,
        accrual_payment=dividend_payment,
        accrual_cash=cash,
        accrual_shares=acc_shares,
        total_shares=total,
        cap=cap,
        unconverted=split,
        reserve=reserve,
        delivery_date=series_j_delivery_date(conversion_date, terms),
        original_notice_due=None,
        authorized=authorized,
        clauses=(
            "Series J Certificate of Designations (preferred-stock terms; see the contract readings)",
            "SPA 1(b)(ix) (Market Price: 3 lowest of 20 closing bids)",
            "SPA 4(d)(ii), 4(i) (Cap Regulations, Unconverted Shares)",
            "SPA 3(c), 4(g) (authorized and reserved shares)",
            "SPA 5(c) (Delivery Date; late payments run from it)",
        ),
    )
