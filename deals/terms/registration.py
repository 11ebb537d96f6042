"""Registration rights: RRA 2 (shares to register, Increased Shares Amount,
Required Effective Dates, Periodic Amounts) and RRA 3-4 (Registration Period,
filing preconditions).

Day numbering used throughout (it is the RRA 2(b)(iii) example's): "day N"
after a date X is ``X + N days``; a period "from the date following" X to a
Computation Date C counts the days X+1..C, both ends included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import Enum

from .accruals import accrue_through, accrued_dividends
from .calendars import add_business_days, roll_to_business_day
from .errors import InvalidInput
from .misc import add_months, add_years, month_end
from .params import NHTC_DEFAULTS, DealTerms
from .rounding import HUNDRED, ShareRounding, to_cents, to_shares

ZERO = Decimal(0)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _positive(name: str, value: Decimal) -> Decimal:
    value = Decimal(value)
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{name} must be a positive amount (got {value}).")
    return value


def _non_negative(name: str, value: Decimal) -> Decimal:
    value = Decimal(value)
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{name} cannot be negative (got {value}).")
    return value


def _shares_at_least(amount: Decimal, price: Decimal) -> int:
    # A registration minimum: a fractional share is rounded up, so the number
    # registered is never below the number the clause requires.
    return int((amount / price).quantize(Decimal(1), rounding=ROUND_CEILING))


# --- RRA 2(a)(i): shares to register -----------------------------------------


@dataclass(frozen=True)
class SharesToRegister:
    """RRA 2(a)(i) minimum: 200% of the conversion shares (dividends through
    the 5th anniversary of the Closing Date included) + the warrant shares."""

    filing_date: date
    closing_date: date
    dividends_through: date
    liquidation_preference: Decimal
    dividend_rate_pct: Decimal
    dividend_years: int
    dividends: Decimal
    convertible_amount: Decimal  # liquidation preference + dividends
    conversion_price: Decimal
    conversion_price_basis: str
    conversion_shares: int
    multiple_pct: Decimal
    multiplied_conversion_shares: int
    warrant_shares: int
    total: int
    clause: str = "RRA 2(a)(i)"

    def as_dict(self) -> dict:
        return {
            "filing_date": self.filing_date.isoformat(),
            "closing_date": self.closing_date.isoformat(),
            "dividends_through": self.dividends_through.isoformat(),
            "liquidation_preference": str(self.liquidation_preference),
            "dividend_rate_pct": str(self.dividend_rate_pct),
            "dividend_years": self.dividend_years,
            "dividends": str(self.dividends),
            "convertible_amount": str(self.convertible_amount),
            "conversion_price": str(self.conversion_price),
            "conversion_price_basis": self.conversion_price_basis,
            "conversion_shares": self.conversion_shares,
            "multiple_pct": str(self.multiple_pct),
            "multiplied_conversion_shares": self.multiplied_conversion_shares,
            "warrant_shares": self.warrant_shares,
            "total": self.total,
            "clause": self.clause,
        }


def _dividends_through(liquidation_preference: Decimal, closing_date: date, anniversary: date, terms: DealTerms) -> Decimal:
    """RRA 2(a)(i), 2(a)(ii)(A): "all dividends thereon through the [fifth / second] anniversary
    of the Closing Date" -- the Series J dividend accrual from the Closing Date through the
    anniversary, the anniversary included (docs/interpretations.md, "through" and "until")."""
    if liquidation_preference == 0:
        return to_cents(Decimal(0))
    return accrued_dividends(
        terms=terms,
        liquidation_preference=liquidation_preference,
        issue_date=closing_date,
        to_date=accrue_through(anniversary),
    ).amount


def shares_to_register(
    *,
    liquidation_preference: Decimal,
    conversion_price: Decimal,
    warrant_shares: int,
    closing_date: date,
    filing_date: date,
    terms: DealTerms = NHTC_DEFAULTS,
) -> SharesToRegister:
    """RRA 2(a)(i): the minimum number of shares to register -- (A) 200% of the
    shares into which all the Preferred Stock and all dividends on it through
    the fifth anniversary of the Closing Date would be convertible at the time
    of filing, plus (B) all the Warrant Shares.

    ``conversion_price`` is the Series J conversion price on ``filing_date``
    (conversion.py computes it); dividends accrue on the liquidation preference
    from the Closing Date through the anniversary (``registration_dividend_years``),
    the anniversary day included, at the Series J dividend rate and day count, and
    convert at the same price (RRA recitals: Conversion Shares include dividend shares).
    """
    lp = _positive("Liquidation preference", liquidation_preference)
    price = _positive("Conversion price", conversion_price)
    if warrant_shares < 0:
        raise InvalidInput("Warrant shares cannot be negative.")
    if filing_date < closing_date:
        raise InvalidInput("The filing date precedes the Closing Date.")
    years = terms.registration_dividend_years
    rate = terms.preferred_dividend_rate_pct
    dividends = _dividends_through(lp, closing_date, add_years(closing_date, years), terms)
    convertible = lp + dividends
    conversion_shares = _shares_at_least(convertible, price)
    multiplied = to_shares(
        conversion_shares * terms.registration_multiple_pct / HUNDRED, ShareRounding.HALF_UP
    )
    return SharesToRegister(
        filing_date=filing_date,
        closing_date=closing_date,
        dividends_through=add_years(closing_date, years),
        liquidation_preference=lp,
        dividend_rate_pct=rate,
        dividend_years=years,
        dividends=dividends,
        convertible_amount=convertible,
        conversion_price=price,
        conversion_price_basis=f"Series J conversion price at the time of filing ({filing_date.isoformat()})",
        conversion_shares=conversion_shares,
        multiple_pct=terms.registration_multiple_pct,
        multiplied_conversion_shares=multiplied,
        warrant_shares=warrant_shares,
        total=multiplied + warrant_shares,
    )


# --- RRA 2(a)(ii), 2(b)(i): Increased Registered Shares Date ------------------


def is_increased_registered_shares_date(*, registrable_shares: int, registered_shares: int) -> bool:
    """RRA 2(a)(ii): a day is an Increased Registered Shares Date when the shares
    represented by the Registrable Securities, issued or to be issued, exceed
    the aggregate number of shares then registered."""
    if registrable_shares < 0 or registered_shares < 0:
        raise InvalidInput("Share counts cannot be negative.")
    return registrable_shares > registered_shares


class IncreaseRoute(str, Enum):
    AMEND = "amend"  # 2(a)(ii)(A): statement not yet effective -> amend it
    ADDITIONAL_STATEMENT = "additional_statement"  # 2(a)(ii)(B): effective -> new statement


@dataclass(frozen=True)
class IncreasedShares:
    """RRA 2(a)(ii) Increased Shares Amount and its deadlines."""

    increased_registered_shares_date: date
    route: IncreaseRoute
    shares_issued_on_conversion: int
    unconverted_liquidation_preference: Decimal
    dividend_rate_pct: Decimal
    dividend_years: int
    dividends_through: date
    dividends: Decimal
    conversion_price: Decimal
    unconverted_conversion_shares: int
    multiple_pct: Decimal
    multiplied_unconverted_shares: int
    warrant_shares: int
    increased_shares_amount: int
    registered_shares: int
    additional_shares_to_register: int
    amendment_deadline: date | None
    required_effective_date: date
    required_effective_date_working: str
    clause: str = "RRA 2(a)(ii), 2(b)(i)(B)-(C)"

    def as_dict(self) -> dict:
        return {
            "increased_registered_shares_date": self.increased_registered_shares_date.isoformat(),
            "route": self.route.value,
            "shares_issued_on_conversion": self.shares_issued_on_conversion,
            "unconverted_liquidation_preference": str(self.unconverted_liquidation_preference),
            "dividend_rate_pct": str(self.dividend_rate_pct),
            "dividend_years": self.dividend_years,
            "dividends_through": self.dividends_through.isoformat(),
            "dividends": str(self.dividends),
            "conversion_price": str(self.conversion_price),
            "unconverted_conversion_shares": self.unconverted_conversion_shares,
            "multiple_pct": str(self.multiple_pct),
            "multiplied_unconverted_shares": self.multiplied_unconverted_shares,
            "warrant_shares": self.warrant_shares,
            "increased_shares_amount": self.increased_shares_amount,
            "registered_shares": self.registered_shares,
            "additional_shares_to_register": self.additional_shares_to_register,
            "amendment_deadline": _iso(self.amendment_deadline),
            "required_effective_date": self.required_effective_date.isoformat(),
            "required_effective_date_working": self.required_effective_date_working,
            "clause": self.clause,
        }


def anticipated_initial_effective_date(initial_closing_date: date, terms: DealTerms = NHTC_DEFAULTS) -> date:
    """RRA 2(b)(i)(A): the Anticipated Initial Effective Date, 90 calendar days
    after the Initial Closing Date. Effectiveness on that day is on time; the
    Periodic Amount runs from the next day (the 2(b)(iii) example's day 91)."""
    return initial_closing_date + timedelta(days=terms.required_effective_days)


def anticipated_subsequent_effective_date(
    *,
    increased_registered_shares_date: date,
    initial_closing_date: date,
    route: IncreaseRoute,
    terms: DealTerms = NHTC_DEFAULTS,
) -> tuple[date, str]:
    """RRA 2(b)(i)(B)-(C): the Anticipated Subsequent Effective Date.

    (B) amended statement (2(a)(ii)(A)): the earlier of the Anticipated Initial
    Effective Date and 60 days after the Increased Registered Shares Date.
    (C) Additional Registration Statement (2(a)(ii)(B)): 60 days after it.
    Returns the date and the working as a sentence.
    """
    sixty = increased_registered_shares_date + timedelta(days=terms.increased_required_effective_days)
    if route is IncreaseRoute.AMEND:
        initial = anticipated_initial_effective_date(initial_closing_date, terms)
        chosen = min(initial, sixty)
        return chosen, (
            f"RRA 2(b)(i)(B): earlier of the Anticipated Initial Effective Date {initial.isoformat()} "
            f"and {terms.increased_required_effective_days} days after the Increased Registered Shares "
            f"Date ({sixty.isoformat()})"
        )
    return sixty, (
        f"RRA 2(b)(i)(C): {terms.increased_required_effective_days} days after the Increased Registered "
        f"Shares Date {increased_registered_shares_date.isoformat()}"
    )


def increased_shares(
    *,
    increased_registered_shares_date: date,
    initial_closing_date: date,
    shares_issued_on_conversion: int,
    unconverted_liquidation_preference: Decimal,
    conversion_price: Decimal,
    warrant_shares: int,
    registered_shares: int,
    registration_effective: bool,
    terms: DealTerms = NHTC_DEFAULTS,
) -> IncreasedShares:
    """RRA 2(a)(ii): the Increased Shares Amount = (x)(I) shares already issued
    on conversion (dividend shares included) + (II) 200% of the shares into
    which the unconverted Preferred Stock and its dividends through the SECOND
    anniversary of the Closing Date would convert at the Increased Registered
    Shares Date (2(a)(i) says fifth: ``increased_registration_dividend_years``),
    + (y) all the Warrant Shares.

    Not yet effective: amend within 10 business days (2(a)(ii)(A)), deadline
    2(b)(i)(B). Already effective: an Additional Registration Statement for
    the excess over the shares already registered (2(a)(ii)(B)), deadline
    2(b)(i)(C).
    """
    irsd = increased_registered_shares_date
    unconverted = _non_negative("Unconverted liquidation preference", unconverted_liquidation_preference)
    price = _positive("Conversion price", conversion_price)
    if shares_issued_on_conversion < 0 or warrant_shares < 0 or registered_shares < 0:
        raise InvalidInput("Share counts cannot be negative.")
    if irsd < initial_closing_date:
        raise InvalidInput("The Increased Registered Shares Date precedes the Initial Closing Date.")
    years = terms.increased_registration_dividend_years
    rate = terms.preferred_dividend_rate_pct
    dividends = _dividends_through(unconverted, initial_closing_date, add_years(initial_closing_date, years), terms)
    unconverted_shares = _shares_at_least(unconverted + dividends, price) if unconverted else 0
    multiplied = to_shares(unconverted_shares * terms.registration_multiple_pct / HUNDRED)
    amount = shares_issued_on_conversion + multiplied + warrant_shares
    route = IncreaseRoute.ADDITIONAL_STATEMENT if registration_effective else IncreaseRoute.AMEND
    required, working = anticipated_subsequent_effective_date(
        increased_registered_shares_date=irsd,
        initial_closing_date=initial_closing_date,
        route=route,
        terms=terms,
    )
    return IncreasedShares(
        increased_registered_shares_date=irsd,
        route=route,
        shares_issued_on_conversion=shares_issued_on_conversion,
        unconverted_liquidation_preference=unconverted,
        dividend_rate_pct=rate,
        dividend_years=years,
        dividends_through=add_years(initial_closing_date, years),
        dividends=dividends,
        conversion_price=price,
        unconverted_conversion_shares=unconverted_shares,
        multiple_pct=terms.registration_multiple_pct,
        multiplied_unconverted_shares=multiplied,
        warrant_shares=warrant_shares,
        increased_shares_amount=amount,
        registered_shares=registered_shares,
        additional_shares_to_register=max(0, amount - registered_shares),
        amendment_deadline=(
            add_business_days(irsd, terms.amendment_business_days) if route is IncreaseRoute.AMEND else None
        ),
        required_effective_date=required,
        required_effective_date_working=working,
    )


# --- RRA 2(b)(iii): Held Shares Value and the base -------------------------------


@dataclass(frozen=True)
class Conversion:
    """One conversion by the Investor: date, principal (liquidation preference)
    converted, Conversion Shares received."""

    on: date
    principal: Decimal
    shares: int


@dataclass(frozen=True)
class HeldLine:
    conversion_date: date
    principal: Decimal
    shares: int
    sold_shares: int
    held_shares: int
    held_principal: Decimal

    def as_dict(self) -> dict:
        return {
            "conversion_date": self.conversion_date.isoformat(),
            "principal": str(self.principal),
            "shares": self.shares,
            "sold_shares": self.sold_shares,
            "held_shares": self.held_shares,
            "held_principal": str(self.held_principal),
        }


@dataclass(frozen=True)
class HeldSharesValue:
    """RRA 2(b)(iii) Held Shares Value with sold shares taken first-in-first-out."""

    restricted_sale_date: date
    window_first_day: date
    window_last_day: date
    shares_sold: int
    lines: tuple[HeldLine, ...]
    excluded_conversion_dates: tuple[date, ...]
    total: Decimal
    clause: str = "RRA 2(b)(iii)"
    #: set only by ``held_shares_value_all_held`` (figures from totals, no line each): how many
    #: conversions the window holds and their shares
    conversions: int | None = None
    held_shares: int | None = None

    def as_dict(self, *, lines: bool = True) -> dict:
        """``lines=False``: the figures only, with how many conversions and held shares (no line each)."""
        if self.conversions is not None:
            if lines:
                raise ValueError("A Held Shares Value built from totals has no line per conversion.")
            per_line = {"conversions": self.conversions, "held_shares": self.held_shares}
        else:
            per_line = (
                {"lines": [line.as_dict() for line in self.lines]} if lines
                else {"conversions": len(self.lines), "held_shares": sum(line.held_shares for line in self.lines)}
            )
        return {
            "restricted_sale_date": self.restricted_sale_date.isoformat(),
            "window_first_day": self.window_first_day.isoformat(),
            "window_last_day": self.window_last_day.isoformat(),
            "shares_sold": self.shares_sold,
            **per_line,
            "excluded_conversion_dates": [d.isoformat() for d in self.excluded_conversion_dates],
            "total": str(self.total),
            "clause": self.clause,
        }


def held_shares_value(
    *,
    restricted_sale_date: date,
    conversions: Sequence[Conversion],
    shares_sold: int,
    terms: DealTerms = NHTC_DEFAULTS,
) -> HeldSharesValue:
    """RRA 2(b)(iii): the principal converted into Conversion Shares acquired on
    conversions within the 30 days preceding the Restricted Sale Date and not
    yet sold. ``shares_sold`` is how many of those shares the Investor sold;
    they are deemed to come first from the earliest conversion (FIFO). A
    partly sold conversion counts its principal pro rata to the shares held.
    The window is RSD-30 .. RSD-1 (the RSD itself is not "preceding").
    """
    if shares_sold < 0:
        raise InvalidInput("Shares sold cannot be negative.")
    first = restricted_sale_date - timedelta(days=terms.held_shares_lookback_days)
    last = restricted_sale_date - timedelta(days=1)
    inside, excluded = [], []
    for c in sorted(conversions, key=lambda c: c.on):
        if c.shares <= 0:
            raise InvalidInput(f"Conversion of {c.on.isoformat()} has no shares.")
        principal = Decimal(c.principal)
        if not principal.is_finite() or principal <= 0:  # the message is built only when it is needed
            _positive(f"Principal of the conversion of {c.on.isoformat()}", principal)
        (inside if first <= c.on <= last else excluded).append(c)
    window_shares = sum(c.shares for c in inside)
    if shares_sold > window_shares:
        raise InvalidInput(
            f"{shares_sold} shares sold, but only {window_shares} were acquired on conversions "
            f"from {first.isoformat()} to {last.isoformat()}."
        )
    remaining = shares_sold
    lines = []
    for c in inside:
        sold = min(remaining, c.shares)
        remaining -= sold
        held = c.shares - sold
        # all held: the principal itself (principal x shares / shares, exactly)
        held_principal = to_cents(Decimal(c.principal) if held == c.shares else Decimal(c.principal) * held / c.shares)
        lines.append(HeldLine(c.on, Decimal(c.principal), c.shares, sold, held, held_principal))
    return HeldSharesValue(
        restricted_sale_date=restricted_sale_date,
        window_first_day=first,
        window_last_day=last,
        shares_sold=shares_sold,
        lines=tuple(lines),
        excluded_conversion_dates=tuple(c.on for c in excluded),
        total=sum((line.held_principal for line in lines), ZERO),
    )


def held_shares_value_all_held(
    *,
    restricted_sale_date: date,
    conversions: int,
    shares: int,
    principal: Decimal,
    terms: DealTerms = NHTC_DEFAULTS,
) -> HeldSharesValue:
    """RRA 2(b)(iii) when none of the window's Conversion Shares were sold: every conversion in
    the 30 days preceding the Restricted Sale Date counts its whole principal, so the value is
    the sum of their principals -- what ``held_shares_value`` gives with ``shares_sold=0``,
    from the window's totals (``conversions`` with shares, their ``shares`` and summed
    ``principal``, each conversion's principal positive) instead of one line per conversion."""
    if conversions < 0 or shares < 0:
        raise InvalidInput("The window's conversions and shares cannot be negative.")
    first = restricted_sale_date - timedelta(days=terms.held_shares_lookback_days)
    return HeldSharesValue(
        restricted_sale_date=restricted_sale_date,
        window_first_day=first,
        window_last_day=restricted_sale_date - timedelta(days=1),
        shares_sold=0,
        lines=(),
        excluded_conversion_dates=(),
        # the lines' sum: whole cents, or the bare zero of an empty sum
        total=to_cents(principal) if conversions else ZERO,
        conversions=conversions,
        held_shares=shares,
    )


@dataclass(frozen=True)
class PeriodicBase:
    """The amount the Periodic Amount Percentage applies to (RRA 2(b)(iii))."""

    amount: Decimal
    post_effective: bool
    purchase_price: Decimal
    unconverted_principal: Decimal | None
    held_shares_value: HeldSharesValue | None
    working: str
    clause: str = "RRA 2(b)(iii)"

    def as_dict(self, *, held_lines: bool = True) -> dict:
        return {
            "amount": str(self.amount),
            "post_effective": self.post_effective,
            "purchase_price": str(self.purchase_price),
            "unconverted_principal": (
                None if self.unconverted_principal is None else str(self.unconverted_principal)
            ),
            "held_shares_value": (
                None if self.held_shares_value is None else self.held_shares_value.as_dict(lines=held_lines)
            ),
            "working": self.working,
            "clause": self.clause,
        }


def periodic_base(
    *,
    purchase_price: Decimal,
    trigger_date: date,
    effective_date: date | None,
    unconverted_principal: Decimal | None = None,
    held_shares: HeldSharesValue | None = None,
) -> PeriodicBase:
    """RRA 2(b)(iii): before the Effective Date the base is the Purchase Price of
    the Investor's Preferred Stock; after it, the principal (liquidation
    preference) of the Preferred Stock not yet converted plus the Held Shares
    Value. "After the Effective Date" is judged at the trigger (the Required
    Effective Date or Restricted Sale Date)."""
    price = _positive("Purchase price", purchase_price)
    if effective_date is None or trigger_date <= effective_date:
        return PeriodicBase(
            amount=price,
            post_effective=False,
            purchase_price=price,
            unconverted_principal=None,
            held_shares_value=None,
            working=f"Purchase Price {price} (before the Effective Date)",
        )
    if unconverted_principal is None:
        raise InvalidInput(
            "After the Effective Date the base needs the principal of the Preferred Stock not yet converted."
        )
    unconverted = _non_negative("Unconverted principal", unconverted_principal)
    held = held_shares.total if held_shares is not None else ZERO
    return PeriodicBase(
        amount=unconverted + held,
        post_effective=True,
        purchase_price=price,
        unconverted_principal=unconverted,
        held_shares_value=held_shares,
        working=f"unconverted principal {unconverted} + Held Shares Value {held} (after the Effective Date)",
    )


# --- RRA 2(b): Periodic Amounts ----------------------------------------------


class LatenessKind(str, Enum):
    REQUIRED_EFFECTIVE_DATE = "required_effective_date"  # RRA 2(b)(i)
    RESTRICTED_SALE_DATE = "restricted_sale_date"  # RRA 2(b)(ii)


@dataclass(frozen=True)
class PeriodicLine:
    """One Periodic Amount: the days from ``first_day`` to the Computation Date."""

    computation_date: date
    first_day: date
    days: int
    base: Decimal
    rate_pct: Decimal
    period_days: int
    period_pct: Decimal  # rate_pct x days / period_days when prorated
    prorated: bool
    amount: Decimal
    due_date: date | None  # None for the accruing, not yet computed part
    excused_days: int = 0  # RRA 2(b)(vi)(i), RRA 9: days of the period on which nothing is payable

    @property
    def payable_days(self) -> int:
        return self.days - self.excused_days

    def as_dict(self) -> dict:
        return {
            "computation_date": self.computation_date.isoformat(),
            "first_day": self.first_day.isoformat(),
            "days": self.days,
            "excused_days": self.excused_days,
            "base": str(self.base),
            "rate_pct": str(self.rate_pct),
            "period_days": self.period_days,
            "period_pct": str(self.period_pct),
            "prorated": self.prorated,
            "amount": str(self.amount),
            "due_date": _iso(self.due_date),
        }


@dataclass(frozen=True)
class PeriodicAmounts:
    """RRA 2(b) Periodic Amounts for one lateness (a missed Required Effective
    Date or a Restricted Sale Date) with each Computation Date's working."""

    kind: LatenessKind
    trigger_date: date
    cured_on: date | None
    as_of: date | None
    base: Decimal
    lines: tuple[PeriodicLine, ...]
    accruing: PeriodicLine | None
    total: Decimal
    total_pct: Decimal
    clause: str = "RRA 2(b)(iii), 2(b)(iv), 2(b)(vii)"

    @property
    def computation_dates(self) -> tuple[date, ...]:
        return tuple(line.computation_date for line in self.lines)

    def due_on_or_before(self, d: date) -> Decimal:
        return sum((line.amount for line in self.lines if line.due_date and line.due_date <= d), ZERO)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "trigger_date": self.trigger_date.isoformat(),
            "cured_on": _iso(self.cured_on),
            "as_of": _iso(self.as_of),
            "base": str(self.base),
            "lines": [line.as_dict() for line in self.lines],
            "accruing": None if self.accruing is None else self.accruing.as_dict(),
            "total": str(self.total),
            "total_pct": str(self.total_pct),
            "clause": self.clause,
        }


def periodic_amount_due_date(computation_date: date) -> date:
    """RRA 2(b)(iii)-(iv): each Periodic Amount is determined as of its
    Computation Date and payable "monthly, without requiring demand"; we make
    it due on the Computation Date, rolled forward to a business day (cash or
    immediately available funds move on business days)."""
    return roll_to_business_day(computation_date)


def _line(
    first_day: date, cd: date, base: Decimal, terms: DealTerms, due: date | None, excused: frozenset[date] = frozenset()
) -> PeriodicLine:
    return periodic_line(first_day=first_day, through=cd, base=base, rate_pct=terms.periodic_amount_pct,
                         period_days=terms.periodic_period_days, due=due, excused=excused)


def periodic_line(
    *, first_day: date, through: date, base: Decimal, rate_pct: Decimal, period_days: int, due: date | None = None,
    excused: frozenset[date] = frozenset(),
) -> PeriodicLine:
    """RRA 2(b)(iii): the Periodic Amount for the days ``first_day`` .. ``through`` inclusive:
    ``rate_pct`` of the base per ``period_days`` days, prorated daily for a shorter period. With
    ``due`` None it is the part accruing towards the next Computation Date (not yet determined).
    ``excused`` (RRA 2(b)(vi)(i), RRA 9): days on which nothing is payable; the line is prorated
    on its payable days only."""
    days = (through - first_day).days + 1
    excused_days = sum(1 for d in excused if first_day <= d <= through)
    payable = days - excused_days
    period = period_days
    rate = rate_pct
    prorated = payable < period
    period_pct = rate * payable / period if prorated else rate
    return PeriodicLine(
        computation_date=through,
        first_day=first_day,
        days=days,
        base=base,
        rate_pct=rate,
        period_days=period,
        period_pct=period_pct,
        prorated=prorated,
        amount=to_cents(base * period_pct / HUNDRED),
        due_date=due,
        excused_days=excused_days,
    )


def excused_day_set(spans: Sequence[tuple[date, date]]) -> frozenset[date]:
    """The days of ``spans`` (first, last; both included) -- RRA 2(b)(vi)(i), RRA 9 excused delays."""
    days: set[date] = set()
    for first, last in spans:
        if last < first:
            raise InvalidInput(f"An excused span ends ({last.isoformat()}) before it begins ({first.isoformat()}).")
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(days)


def periodic_amounts(
    *,
    kind: LatenessKind,
    trigger_date: date,
    base: Decimal,
    cured_on: date | None = None,
    as_of: date | None = None,
    rule_144_from: date | None = None,
    excused: Sequence[tuple[date, date]] = (),
    terms: DealTerms = NHTC_DEFAULTS,
) -> PeriodicAmounts:
    """RRA 2(b)(iii), (vii): the Periodic Amounts after a missed Required
    Effective Date or a Restricted Sale Date (``trigger_date``).

    Computation Dates: the first is the earlier of 30 days after the trigger
    and the day after it on which the statement is declared effective (or the
    restriction removed) -- ``cured_on``; each next one is the earlier of 30
    days after the previous one and ``cured_on``. The days counted run from
    the day after the trigger (or after the previous Computation Date) to the
    Computation Date inclusive; 2% of the base per 30 days, prorated daily for
    a shorter period. Example (2(b)(iii)): effective on day 165 after the
    Initial Closing Date -> 2% (days 91-120) + 2% (121-150) + 1% (151-165).

    ``as_of`` stops the schedule: Computation Dates after it are not yet
    reached and the days since the last one are returned as ``accruing``.
    Effectiveness on or before the trigger date means nothing is payable.

    ``rule_144_from`` (RRA 2(b)(vi)(ii)): the first day all the Registrable
    Securities may be sold under Rule 144 without limits; no amount accrues
    from that day, so the schedule ends the day before, like a cure.

    ``excused`` (RRA 2(b)(vi)(i): delay caused by the Initial Investor or its
    counsel; RRA 9: delay resulting from an assignment): spans of days (first,
    last; both included) on which nothing is payable "to the extent" of that
    delay. The Computation Dates do not move; each line counts its excused
    days and is prorated on the payable days only (a period with every day
    excused is 0).
    """
    base = _non_negative("Base", base)
    excused_days = excused_day_set(excused)
    if rule_144_from is not None:
        last_payable = rule_144_from - timedelta(days=1)
        if cured_on is None or last_payable < cured_on:
            cured_on = max(last_payable, trigger_date)
    if cured_on is None and as_of is None:
        raise InvalidInput("Give the date the lateness was cured or an as-of date: the schedule has no end.")
    if as_of is not None and as_of < trigger_date:
        raise InvalidInput("The as-of date precedes the trigger date.")
    lines: list[PeriodicLine] = []
    accruing = None
    previous = trigger_date
    step = timedelta(days=terms.periodic_period_days)
    if cured_on is None or cured_on > trigger_date:
        while True:
            candidate = previous + step
            final = cured_on is not None and cured_on <= candidate
            cd = cured_on if final else candidate
            if as_of is not None and cd > as_of:
                if as_of > previous:
                    accruing = _line(previous + timedelta(days=1), as_of, base, terms, None, excused_days)
                break
            lines.append(_line(previous + timedelta(days=1), cd, base, terms, periodic_amount_due_date(cd), excused_days))
            if final:
                break
            previous = cd
    return PeriodicAmounts(
        kind=kind,
        trigger_date=trigger_date,
        cured_on=cured_on,
        as_of=as_of,
        base=base,
        lines=tuple(lines),
        accruing=accruing,
        total=sum((line.amount for line in lines), ZERO),
        total_pct=sum((line.period_pct for line in lines), ZERO),
    )


def restricted_sale_date(
    *, restriction_start: date, effective_date: date, permitted_through: date | None = None
) -> date:
    """RRA 2(b)(ii): the Restricted Sale Date -- the day a restriction on sales
    under a previously effective statement commences, other than during a
    Permitted Suspension Period. A restriction that begins as a Permitted
    Suspension Period and outlasts it (``permitted_through``, see
    suspensions.py) becomes a Restricted Sale Date the day after."""
    if restriction_start <= effective_date:
        raise InvalidInput("A Restricted Sale Date falls after the Effective Date.")
    if permitted_through is not None and permitted_through >= restriction_start:
        return permitted_through + timedelta(days=1)
    return restriction_start


# --- RRA 3(a): Registration Period -------------------------------------------


@dataclass(frozen=True)
class RegistrationPeriod:
    effective_date: date
    two_year_end: date
    two_year_working: str
    rule_144_date: date | None
    no_longer_own_date: date | None
    ends_on: date
    ended_by: str
    clause: str = "RRA 3(a)"

    def as_dict(self) -> dict:
        return {
            "effective_date": self.effective_date.isoformat(),
            "two_year_end": self.two_year_end.isoformat(),
            "two_year_working": self.two_year_working,
            "rule_144_date": _iso(self.rule_144_date),
            "no_longer_own_date": _iso(self.no_longer_own_date),
            "ends_on": self.ends_on.isoformat(),
            "ended_by": self.ended_by,
            "clause": self.clause,
        }


def registration_period(
    *,
    effective_date: date,
    rule_144_date: date | None = None,
    no_longer_own_date: date | None = None,
    terms: DealTerms = NHTC_DEFAULTS,
) -> RegistrationPeriod:
    """RRA 3(a): the Registration Period ends on the earliest of (i) two years
    after the last day of the calendar month following the month of the
    Effective Date, (ii) the date all Registrable Securities may be sold under
    Rule 144 without limits, (iii) the date the Investors own none of them."""
    following_month_end = month_end(add_months(effective_date, 1))
    two_year = add_years(following_month_end, terms.registration_period_years)
    options = [(two_year, "(i) two years after the last day of the month following the Effective Date")]
    if rule_144_date is not None:
        options.append((rule_144_date, "(ii) all Registrable Securities saleable under Rule 144"))
    if no_longer_own_date is not None:
        options.append((no_longer_own_date, "(iii) the Investors no longer own Registrable Securities"))
    ends_on, ended_by = min(options, key=lambda o: o[0])
    return RegistrationPeriod(
        effective_date=effective_date,
        two_year_end=two_year,
        two_year_working=(
            f"last day of the month following the Effective Date = {following_month_end.isoformat()}, "
            f"+ {terms.registration_period_years} years"
        ),
        rule_144_date=rule_144_date,
        no_longer_own_date=no_longer_own_date,
        ends_on=ends_on,
        ended_by=ended_by,
    )


# --- RRA 3(c), 3(d), 4(a): before filing ----------------------------------------


@dataclass(frozen=True)
class FilingDeadlines:
    """The latest days for what must happen before a filing."""

    filing_date: date
    counsel_review_by: date  # RRA 3(c): copy to the Investors' counsel
    requested_information_by: date  # RRA 4(a): Company's request to Investors
    breaches: tuple[str, ...]
    clause: str = "RRA 3(c), 3(d)(i)(A), 4(a)"

    def as_dict(self) -> dict:
        return {
            "filing_date": self.filing_date.isoformat(),
            "counsel_review_by": self.counsel_review_by.isoformat(),
            "requested_information_by": self.requested_information_by.isoformat(),
            "breaches": list(self.breaches),
            "clause": self.clause,
        }


def filing_deadlines(
    *,
    filing_date: date,
    counsel_copy_on: date | None = None,
    requested_information_on: date | None = None,
    terms: DealTerms = NHTC_DEFAULTS,
) -> FilingDeadlines:
    """RRA 3(c): the Investors' counsel gets the Registration Statement (and each
    amendment or supplement) not less than 3 business days before filing --
    so by the 3rd business day before the filing date (3(d)(i)(A) gives the
    same notice for a prospectus supplement or post-effective amendment).
    RRA 4(a): the Company asks for the Requested Information at least 10
    (calendar) days before the first anticipated filing date.
    Given the actual dates, ``breaches`` names each one that was late."""
    counsel_by = add_business_days(filing_date, -terms.counsel_review_business_days)
    info_by = filing_date - timedelta(days=terms.requested_information_days)
    breaches = []
    if counsel_copy_on is not None and counsel_copy_on > counsel_by:
        breaches.append(
            f"RRA 3(c): counsel received the filing on {counsel_copy_on.isoformat()}, after "
            f"{counsel_by.isoformat()} ({terms.counsel_review_business_days} business days before filing)."
        )
    if requested_information_on is not None and requested_information_on > info_by:
        breaches.append(
            f"RRA 4(a): Requested Information notice on {requested_information_on.isoformat()}, after "
            f"{info_by.isoformat()} ({terms.requested_information_days} days before filing)."
        )
    return FilingDeadlines(
        filing_date=filing_date,
        counsel_review_by=counsel_by,
        requested_information_by=info_by,
        breaches=tuple(breaches),
    )
