"""Cap Regulations: SPA 4(d)(ii) and 4(i).

- Cap: without stockholder approval the Company may not issue to the holders
  of the Preferred Stock and Warrants more than 20% of the Common Stock
  outstanding on the date of the SPA (7,860,000 -> 1,572,000 shares). "In
  excess of twenty percent" -> the largest allowed count is 20% rounded down.
- Unconverted Share (4(i)): a share of Preferred Stock that cannot be
  converted because of the Cap Regulations once every share that can be has
  been. The holder may choose, share by share:
  (x) conversion at the average closing price of any 5 consecutive trading
      days within the 60 trading days before the notice of conversion
      (``prices.lowest_window_price``), if the Cap Regulations permit; or
  (y) redemption for the Cap Limitation Redemption Amount V x M / CP, in
      cash within 30 days of the Redemption Date, where V = liquidation
      preference + accrued unpaid dividends of the Unconverted Share, CP =
      the conversion price in effect on the Redemption Date, M = the highest
      closing price from the Redemption Date to the date of payment.
- Meeting Date (4(d)(ii)): the earlier of 75 days after the Company's
  cumulative issuances since signing reach 10% of the shares then
  outstanding, and its next stockholders' meeting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from .calendars import trading_days_between
from .errors import InvalidInput
from .params import NHTC_SHARES_OUTSTANDING_AT_SIGNING, DealTerms
from .prices import CLOSING_PRICE, PriceDay, WindowedPrice, lowest_window_price, prices_for_days
from .rounding import pct, to_cents, to_shares

CLAUSE_CAP = "SPA 4(d)(ii), 4(i)"
CLAUSE_UNCONVERTED = "SPA 4(i)"
CLAUSE_REMEDY_X = "SPA 4(i)(x)"
CLAUSE_REMEDY_Y = "SPA 4(i)(y)"
CLAUSE_MEETING = "SPA 4(d)(ii)"
CLAUSE_AUTHORIZED = "SPA 3(c), 4(i) (Cap Regulations: authorized shares)"


def cap_shares(terms: DealTerms, shares_outstanding_at_signing: int | None = None) -> int:
    """SPA 4(d)(ii): the most shares issuable without stockholder approval (20%, rounded down)."""
    outstanding = (
        NHTC_SHARES_OUTSTANDING_AT_SIGNING
        if shares_outstanding_at_signing is None
        else shares_outstanding_at_signing
    )
    if outstanding <= 0:
        raise InvalidInput("Shares outstanding at signing must be positive.")
    return int((pct(terms.cap_pct) * outstanding).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True, slots=True)
class CapCheck:
    """How much of a conversion fits under the cap, given shares already issued."""

    shares_outstanding_at_signing: int
    cap_pct: Decimal
    cap_shares: int
    issued_before: int
    room: int  # cap - issued_before, never negative
    requested: int
    within_cap: int
    over_cap: int
    fits: bool
    stockholder_approval: bool
    clause: str = CLAUSE_CAP

    def as_dict(self) -> dict:
        return {
            "shares_outstanding_at_signing": self.shares_outstanding_at_signing,
            "cap_pct": str(self.cap_pct),
            "cap_shares": self.cap_shares,
            "issued_before": self.issued_before,
            "room": self.room,
            "requested": self.requested,
            "within_cap": self.within_cap,
            "over_cap": self.over_cap,
            "fits": self.fits,
            "stockholder_approval": self.stockholder_approval,
            "clause": self.clause,
        }


def cap_check(
    *,
    terms: DealTerms,
    requested_shares: int,
    shares_issued_before: int,
    shares_outstanding_at_signing: int | None = None,
    stockholder_approval: bool = False,
) -> CapCheck:
    """SPA 4(d)(ii), 4(i): split ``requested_shares`` into the part under the cap and the rest.

    ``shares_issued_before`` counts the shares already issued under the
    Transaction Agreements (conversions, dividends, warrant exercises).
    With stockholder approval the cap does not apply.
    """
    if requested_shares < 0 or shares_issued_before < 0:
        raise InvalidInput("Share counts for the cap cannot be negative.")
    outstanding = (
        NHTC_SHARES_OUTSTANDING_AT_SIGNING
        if shares_outstanding_at_signing is None
        else shares_outstanding_at_signing
    )
    cap = cap_shares(terms, outstanding)
    room = max(0, cap - shares_issued_before)
    within = requested_shares if stockholder_approval else min(requested_shares, room)
    return CapCheck(
        shares_outstanding_at_signing=outstanding,
        cap_pct=terms.cap_pct,
        cap_shares=cap,
        issued_before=shares_issued_before,
        room=room,
        requested=requested_shares,
        within_cap=within,
        over_cap=requested_shares - within,
        fits=within == requested_shares,
        stockholder_approval=stockholder_approval,
    )


@dataclass(frozen=True, slots=True)
class AuthorizedCheck:
    """SPA 3(c), 4(i)(i): no issuance beyond the authorized but unissued Common Stock."""

    authorized_shares: int
    issued_shares: int
    available: int  # authorized - issued, never negative
    requested: int
    within: int
    over: int
    fits: bool
    clause: str = CLAUSE_AUTHORIZED

    def as_dict(self) -> dict:
        return asdict(self)  # every field is an int, bool or str: JSON as it stands


def authorized_check(*, requested_shares: int, authorized_shares: int, issued_shares: int) -> AuthorizedCheck:
    """SPA 3(c), 4(i)(i): the Cap Regulations include "the number of authorized shares": split
    ``requested_shares`` into the part the authorized but unissued shares allow and the rest."""
    if requested_shares < 0 or authorized_shares < 0 or issued_shares < 0:
        raise InvalidInput("Share counts for the authorized-shares check cannot be negative.")
    available = max(0, authorized_shares - issued_shares)
    within = min(requested_shares, available)
    return AuthorizedCheck(
        authorized_shares=authorized_shares,
        issued_shares=issued_shares,
        available=available,
        requested=requested_shares,
        within=within,
        over=requested_shares - within,
        fits=within == requested_shares,
    )


def issuance_room(cap: CapCheck, authorized: AuthorizedCheck) -> int:
    """SPA 4(i): the most shares the Cap Regulations let the Company issue now -- the authorized
    but unissued shares and, without stockholder approval, the room under the 20% cap."""
    return authorized.available if cap.stockholder_approval else min(cap.room, authorized.available)


@dataclass(frozen=True, slots=True)
class UnconvertedSplit:
    """Preferred shares of one notice that convert under the cap, and the Unconverted Shares."""

    preferred_shares: int
    amount_per_share: Decimal  # liquidation preference (+ dividends paid in shares) per preferred share
    conversion_price: Decimal
    room: int
    convertible_preferred: int
    common_shares: int  # issued for the convertible preferred shares
    unconverted_preferred: int
    clause: str = CLAUSE_UNCONVERTED

    def as_dict(self) -> dict:
        return {
            "preferred_shares": self.preferred_shares,
            "amount_per_share": str(self.amount_per_share),
            "conversion_price": str(self.conversion_price),
            "room": self.room,
            "convertible_preferred": self.convertible_preferred,
            "common_shares": self.common_shares,
            "unconverted_preferred": self.unconverted_preferred,
            "clause": self.clause,
        }


def unconverted_shares(
    *,
    terms: DealTerms,
    preferred_shares: int,
    conversion_price: Decimal,
    room: int,
    amount_per_share: Decimal | None = None,
) -> UnconvertedSplit:
    """SPA 4(i): the most whole preferred shares whose Common Stock fits in ``room``; the rest are
    Unconverted Shares.

    ``amount_per_share`` defaults to the stated value ($1,000); add the
    per-share dividends when they are paid in shares.
    """
    if preferred_shares < 0 or room < 0:
        raise InvalidInput("Preferred shares and cap room cannot be negative.")
    if conversion_price <= 0:
        raise InvalidInput("The conversion price must be positive.")
    per = terms.preferred_stated_value if amount_per_share is None else amount_per_share
    if per <= 0:
        raise InvalidInput("The amount per preferred share must be positive.")

    def common_for(k: int) -> int:
        return to_shares(k * per / conversion_price, terms.share_rounding)

    k = min(preferred_shares, int((room * conversion_price / per).to_integral_value(rounding=ROUND_FLOOR)))
    while k < preferred_shares and common_for(k + 1) <= room:
        k += 1
    while k > 0 and common_for(k) > room:
        k -= 1
    return UnconvertedSplit(
        preferred_shares=preferred_shares,
        amount_per_share=per,
        conversion_price=conversion_price,
        room=room,
        convertible_preferred=k,
        common_shares=common_for(k),
        unconverted_preferred=preferred_shares - k,
    )


@dataclass(frozen=True, slots=True)
class CapRemedyX:
    """Remedy (x): conversion of Unconverted Shares at the lowest 5-day window average."""

    notice_date: date
    amount: Decimal
    window_price: WindowedPrice
    shares: int
    clause: str = CLAUSE_REMEDY_X

    def as_dict(self) -> dict:
        return {
            "notice_date": self.notice_date.isoformat(),
            "amount": str(self.amount),
            "window_price": self.window_price.as_dict(),
            "shares": self.shares,
            "clause": self.clause,
        }


def remedy_x_conversion(
    *, terms: DealTerms, closing_prices: Mapping[date, Decimal], notice_date: date, amount: Decimal
) -> CapRemedyX:
    """SPA 4(i)(x): shares for ``amount`` (liquidation preference + dividends of the Unconverted
    Shares) at the average closing price of the lowest 5 consecutive trading days within the 60
    trading days before the notice. Only "if permitted by the Cap Regulations" -- the caller
    decides that; the result is the arithmetic."""
    if amount <= 0:
        raise InvalidInput(f"The amount to convert must be positive, not {amount}.")
    wp = lowest_window_price(
        closing_prices,
        notice_date,
        window_days=terms.cap_remedy_window_days,
        lookback_days=terms.cap_remedy_lookback_days,
    )
    return CapRemedyX(notice_date, amount, wp, to_shares(amount / wp.average, terms.share_rounding))


@dataclass(frozen=True, slots=True)
class CapLimitationRedemption:
    """Remedy (y): V x M / CP per Unconverted Share, with V, M and CP shown."""

    unconverted_preferred: int
    liquidation_preference: Decimal  # per share
    accrued_dividends: Decimal  # per share, unpaid
    v: Decimal  # liquidation_preference + accrued_dividends
    cp: Decimal  # conversion price in effect on the Redemption Date
    m: Decimal  # highest closing price, Redemption Date .. payment date
    m_day: date
    m_window: tuple[PriceDay, ...]
    per_share: Decimal  # V x M / CP, unrounded
    amount: Decimal  # unconverted x per_share, cents
    redemption_date: date
    payment_date: date
    due_date: date  # Redemption Date + 30 days
    paid_late: bool
    clause: str = CLAUSE_REMEDY_Y

    def as_dict(self) -> dict:
        return {
            "unconverted_preferred": self.unconverted_preferred,
            "liquidation_preference": str(self.liquidation_preference),
            "accrued_dividends": str(self.accrued_dividends),
            "v": str(self.v),
            "cp": str(self.cp),
            "m": str(self.m),
            "m_day": self.m_day.isoformat(),
            "m_window": [p.as_dict() for p in self.m_window],
            "per_share": str(self.per_share),
            "amount": str(self.amount),
            "redemption_date": self.redemption_date.isoformat(),
            "payment_date": self.payment_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "paid_late": self.paid_late,
            "clause": self.clause,
        }


def cap_redemption_due_date(redemption_date: date, terms: DealTerms) -> date:
    """SPA 4(i): the Cap Limitation Redemption Amount is payable within 30 (calendar) days."""
    return redemption_date + timedelta(days=terms.cap_redemption_days)


def cap_limitation_redemption_amount(
    *,
    terms: DealTerms,
    unconverted_preferred: int,
    accrued_dividends_per_share: Decimal,
    conversion_price: Decimal,
    closing_prices: Mapping[date, Decimal],
    redemption_date: date,
    payment_date: date,
    liquidation_preference: Decimal | None = None,
) -> CapLimitationRedemption:
    """SPA 4(i)(y): Cap Limitation Redemption Amount = V x M / CP for each Unconverted Share.

    V = liquidation preference ($1,000) + accrued unpaid dividends per share;
    CP = the conversion price in effect on the Redemption Date (compute it with
    ``conversion.series_j_conversion_price`` as of that date); M = the highest
    closing price on the trading days from the Redemption Date to the payment
    date, both included (for a quote before payment, pass the expected payment
    date). Due within 30 days of the Redemption Date.
    """
    if unconverted_preferred <= 0:
        raise InvalidInput("There must be at least one Unconverted Share to redeem.")
    if conversion_price <= 0:
        raise InvalidInput("The conversion price CP must be positive.")
    if accrued_dividends_per_share < 0:
        raise InvalidInput("Accrued dividends cannot be negative.")
    if payment_date < redemption_date:
        raise InvalidInput("The payment date cannot precede the Redemption Date.")
    lp = terms.preferred_stated_value if liquidation_preference is None else liquidation_preference
    days = trading_days_between(redemption_date, payment_date)
    if not days:
        raise InvalidInput(
            f"No trading day from {redemption_date.isoformat()} to {payment_date.isoformat()}: "
            "M is undefined."
        )
    values = prices_for_days(closing_prices, days, CLOSING_PRICE)
    m = max(values)
    m_index = values.index(m)
    window = tuple(PriceDay(d, p, i == m_index) for i, (d, p) in enumerate(zip(days, values, strict=True)))
    v = lp + accrued_dividends_per_share
    per_share = v * m / conversion_price
    due = cap_redemption_due_date(redemption_date, terms)
    return CapLimitationRedemption(
        unconverted_preferred=unconverted_preferred,
        liquidation_preference=lp,
        accrued_dividends=accrued_dividends_per_share,
        v=v,
        cp=conversion_price,
        m=m,
        m_day=days[m_index],
        m_window=window,
        per_share=per_share,
        amount=to_cents(per_share * unconverted_preferred),
        redemption_date=redemption_date,
        payment_date=payment_date,
        due_date=due,
        paid_late=payment_date > due,
    )


@dataclass(frozen=True, slots=True)
class MeetingDate:
    """SPA 4(d)(ii) Meeting Date and how it was found."""

    threshold_shares: Decimal  # 10% of shares outstanding at signing
    issued_to_date: int
    trigger_date: date | None  # cumulative issuance first >= threshold
    trigger_plus_days: date | None  # (x) trigger + 75 days
    next_stockholders_meeting: date | None  # (y)
    meeting_date: date | None
    basis: str  # "x", "y" or "none"
    clause: str = CLAUSE_MEETING

    def as_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "threshold_shares": str(self.threshold_shares),
            "issued_to_date": self.issued_to_date,
            "trigger_date": iso(self.trigger_date),
            "trigger_plus_days": iso(self.trigger_plus_days),
            "next_stockholders_meeting": iso(self.next_stockholders_meeting),
            "meeting_date": iso(self.meeting_date),
            "basis": self.basis,
            "clause": self.clause,
        }


def meeting_date(
    *,
    terms: DealTerms,
    issuances: Sequence[tuple[date, int]],
    next_stockholders_meeting: date | None = None,
    shares_outstanding_at_signing: int | None = None,
) -> MeetingDate:
    """SPA 4(d)(ii): the earlier of (x) 75 days after the Company's issuances of Common Stock
    since signing reach 10% of the shares outstanding at signing and (y) its next stockholders'
    meeting. ``issuances`` are (date, shares) of every issuance after the SPA date."""
    outstanding = (
        NHTC_SHARES_OUTSTANDING_AT_SIGNING
        if shares_outstanding_at_signing is None
        else shares_outstanding_at_signing
    )
    threshold = pct(terms.cap_meeting_trigger_pct) * outstanding
    total = 0
    trigger: date | None = None
    for d, n in sorted(issuances, key=lambda x: x[0]):
        if n < 0:
            raise InvalidInput(f"Issuance of {n} shares on {d.isoformat()} is negative.")
        total += n
        if trigger is None and total >= threshold:
            trigger = d
    x = trigger + timedelta(days=terms.cap_meeting_days) if trigger else None
    y = next_stockholders_meeting
    candidates = [(c, tag) for c, tag in ((x, "x"), (y, "y")) if c is not None]
    if candidates:
        when, basis = min(candidates)
    else:
        when, basis = None, "none"
    return MeetingDate(threshold, total, trigger, x, y, when, basis)
