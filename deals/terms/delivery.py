"""Delivery of conversion shares and what lateness costs: Debenture 4(A), SPA 5(c), 5(d), 5(f).

- Delivery Date. Debenture 4(A): certificates "within three (3) business days
  from the date the notice of conversion is delivered to the Company" -> the
  3rd business day after that date. Series J: the Delivery Date is defined in
  the Certificate of Designations, which we lack; default the 3rd business
  day after the Conversion Date (``DealTerms.preferred_delivery_business_days``).
- SPA 5(c) late payments, per $10,000 of liquidation preference or dividend
  amount converted: $100 per business day late for days 1-10, then $1,000 +
  $200 per business day beyond 10. "No. Business Days Late" = business days
  beyond 3 business days from the Delivery Date. A part of $10,000 is
  prorated unless ``DealTerms.late_payment_prorate_partial_unit`` is False
  (then only whole $10,000 units count).
- SPA 5(c) revocation: if shares are not delivered within 3 business days
  after the Delivery Date, the holder may revoke the Notice of Conversion.
- SPA 5(d) Buy-In Adjustment Amount: covering purchase price - net proceeds
  of the Sold Shares, paid to the Converting Holder (the text says "to the
  Company"; see docs/interpretations.md).
- SPA 5(f) Mandatory Purchase Amount: 145% of the unconverted liquidation
  preference + accrued unpaid dividends through payment, in cash within 5
  business days of the holder's notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from .accruals import Accrual, accrue_through, accrued_dividends
from .calendars import add_business_days, business_days_between, count_business_days
from .errors import InvalidInput
from .params import DealTerms
from .rounding import pct, to_cents

CLAUSE_DEBENTURE_DELIVERY = "Debenture 4(A)"
CLAUSE_SERIES_J_DELIVERY = "SPA 5(c)"  # the Delivery Date SPA 5(c) runs late payments from (issue 15 item 18)
CLAUSE_LATE = "SPA 5(c)"
CLAUSE_REVOCATION = "SPA 5(c)"
CLAUSE_BUY_IN = "SPA 5(d)"
CLAUSE_MANDATORY_PURCHASE = "SPA 5(f)"


def debenture_delivery_date(notice_delivered: date, terms: DealTerms) -> date:
    """Debenture 4(A): certificates due the 3rd business day after the notice of conversion
    is delivered to the Company (a notice delivered on a non-business day still counts from
    that date; SPA 10(a) makes a fax effective on the date delivered)."""
    return add_business_days(notice_delivered, terms.debenture_delivery_business_days)


def series_j_delivery_date(conversion_date: date, terms: DealTerms) -> date:
    """Series J Delivery Date (Certificate of Designations, not in the seeds): by default the
    3rd business day after the Conversion Date (``preferred_delivery_business_days``)."""
    return add_business_days(conversion_date, terms.preferred_delivery_business_days)


def late_payment_per_unit(business_days_late: int, terms: DealTerms) -> Decimal:
    """SPA 5(c) table: late payment per $10,000 for a number of business days late.

    1..10 days: $100 x days; beyond 10: $1,000 + $200 for each day beyond 10.
    """
    n = business_days_late
    if n <= 0:
        return Decimal(0)
    cap = terms.late_payment_cap_days
    if n <= cap:
        return terms.late_payment_per_unit * n
    return terms.late_payment_per_unit * cap + terms.late_payment_step_after_cap * (n - cap)


@dataclass(frozen=True, slots=True)
class LateDay:
    """One business day late and the cumulative late payment after it."""

    number: int
    day: date
    per_unit: Decimal  # cumulative, per $10,000
    amount: Decimal  # cumulative, for this conversion (cents)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "day": self.day.isoformat(),
            "per_unit": str(self.per_unit),
            "amount": str(self.amount),
        }


@dataclass(frozen=True, slots=True)
class LatePayment:
    """SPA 5(c) late payment for one conversion, with the day-by-day schedule."""

    amount_converted: Decimal
    delivery_date: date
    grace_end: date  # 3rd business day after the Delivery Date; lateness counts after it
    counted_through: date  # delivery of the shares, or the as-of date if not delivered
    delivered: bool
    business_days_late: int
    unit: Decimal
    units: Decimal  # amount / $10,000, prorated or whole units
    prorated: bool
    per_unit: Decimal
    amount: Decimal  # cents
    schedule: tuple[LateDay, ...]
    clause: str = CLAUSE_LATE

    def as_dict(self) -> dict:
        return {
            "amount_converted": str(self.amount_converted),
            "delivery_date": self.delivery_date.isoformat(),
            "grace_end": self.grace_end.isoformat(),
            "counted_through": self.counted_through.isoformat(),
            "delivered": self.delivered,
            "business_days_late": self.business_days_late,
            "unit": str(self.unit),
            "units": str(self.units),
            "prorated": self.prorated,
            "per_unit": str(self.per_unit),
            "amount": str(self.amount),
            "schedule": [d.as_dict() for d in self.schedule],
            "clause": self.clause,
        }


def late_units(amount_converted: Decimal, terms: DealTerms) -> Decimal:
    """SPA 5(c): how many $10,000 units ``amount_converted`` is (prorated, or whole units only)."""
    units = amount_converted / terms.late_payment_unit
    if terms.late_payment_prorate_partial_unit:
        return units
    return units.to_integral_value(rounding=ROUND_FLOOR)


def late_payment(
    *,
    terms: DealTerms,
    amount_converted: Decimal,
    delivery_date: date,
    delivered_on: date | None = None,
    as_of: date | None = None,
) -> LatePayment:
    """SPA 5(c) late payment for one conversion.

    Lateness is counted in business days after the 3rd business day after the
    Delivery Date, through ``delivered_on`` (the day the shares arrived, which
    counts as a late day) or, if the shares are still undelivered, through
    ``as_of``. ``amount_converted`` is the liquidation preference or dividend
    amount being converted.
    """
    if amount_converted <= 0:
        raise InvalidInput(f"The amount converted must be positive, not {amount_converted}.")
    if delivered_on is None and as_of is None:
        raise InvalidInput("Give the date the shares were delivered or the date to count lateness to.")
    through = delivered_on if delivered_on is not None else as_of
    assert through is not None
    grace_end = add_business_days(delivery_date, terms.late_grace_business_days)
    n = max(0, count_business_days(grace_end, through))
    units = late_units(amount_converted, terms)
    late_days = business_days_between(grace_end + timedelta(days=1), through) if n else ()
    schedule = tuple(
        LateDay(i, d, late_payment_per_unit(i, terms), to_cents(late_payment_per_unit(i, terms) * units))
        for i, d in enumerate(late_days, start=1)
    )
    per_unit = late_payment_per_unit(n, terms)
    return LatePayment(
        amount_converted=amount_converted,
        delivery_date=delivery_date,
        grace_end=grace_end,
        counted_through=through,
        delivered=delivered_on is not None,
        business_days_late=n,
        unit=terms.late_payment_unit,
        units=units,
        prorated=terms.late_payment_prorate_partial_unit,
        per_unit=per_unit,
        amount=to_cents(per_unit * units),
        schedule=schedule,
    )


@dataclass(frozen=True, slots=True)
class Revocation:
    """SPA 5(c): when the holder may revoke a Notice of Conversion for late delivery."""

    delivery_date: date
    window_end: date  # 3rd business day after the Delivery Date
    opens_on: date  # the day after window_end
    as_of: date
    delivered_on: date | None
    available: bool
    clause: str = CLAUSE_REVOCATION

    def as_dict(self) -> dict:
        return {
            "delivery_date": self.delivery_date.isoformat(),
            "window_end": self.window_end.isoformat(),
            "opens_on": self.opens_on.isoformat(),
            "as_of": self.as_of.isoformat(),
            "delivered_on": self.delivered_on.isoformat() if self.delivered_on else None,
            "available": self.available,
            "clause": self.clause,
        }


def revocation_right(
    *, terms: DealTerms, delivery_date: date, as_of: date, delivered_on: date | None = None
) -> Revocation:
    """SPA 5(c): the holder may revoke once the shares are not delivered within 3 business days
    after the Delivery Date, i.e. from the calendar day after that 3rd business day, as long as
    the shares have not been delivered."""
    window_end = add_business_days(delivery_date, terms.revocation_business_days)
    opens_on = window_end + timedelta(days=1)
    delivered_by_as_of = delivered_on is not None and delivered_on <= as_of
    available = as_of >= opens_on and not delivered_by_as_of
    return Revocation(delivery_date, window_end, opens_on, as_of, delivered_on, available)


@dataclass(frozen=True, slots=True)
class BuyInAdjustment:
    """SPA 5(d) Buy-In Adjustment Amount."""

    covering_purchase_price: Decimal  # incl. brokerage commissions
    sold_net_proceeds: Decimal  # after brokerage commissions
    amount: Decimal  # excess of the first over the second, never negative
    payee: str
    note: str
    clause: str = CLAUSE_BUY_IN

    def as_dict(self) -> dict:
        return {
            "covering_purchase_price": str(self.covering_purchase_price),
            "sold_net_proceeds": str(self.sold_net_proceeds),
            "amount": str(self.amount),
            "payee": self.payee,
            "note": self.note,
            "clause": self.clause,
        }


BUY_IN_NOTE = (
    'SPA 5(d) says the Company pays the amount "to the Company"; the sentence before and the '
    "worked example make the Converting Holder the payee, so we pay the Converting Holder."
)


def buy_in_adjustment(
    *,
    covering_purchase_price: Decimal,
    sold_net_proceeds: Decimal,
    delivery_date: date | None = None,
    purchase_date: date | None = None,
    delivered_on: date | None = None,
) -> BuyInAdjustment:
    """SPA 5(d): excess of the Covering Shares' total purchase price over the Sold Shares' net
    proceeds ($11,000 vs $10,000 -> $1,000), payable to the Converting Holder on demand.

    If dates are given they are checked: a Buy-In exists only when the shares
    were not delivered by the Delivery Date and the covering purchase came after it.
    """
    if covering_purchase_price < 0 or sold_net_proceeds < 0:
        raise InvalidInput("Purchase price and proceeds cannot be negative.")
    if delivery_date is not None:
        if delivered_on is not None and delivered_on <= delivery_date:
            raise InvalidInput(
                f"Shares were delivered on {delivered_on.isoformat()}, by the Delivery Date "
                f"{delivery_date.isoformat()}: there is no Buy-In under SPA 5(d)."
            )
        if purchase_date is not None and purchase_date <= delivery_date:
            raise InvalidInput(
                f"The covering purchase on {purchase_date.isoformat()} is not after the Delivery Date "
                f"{delivery_date.isoformat()} (SPA 5(d))."
            )
    amount = to_cents(max(Decimal(0), covering_purchase_price - sold_net_proceeds))
    return BuyInAdjustment(
        covering_purchase_price, sold_net_proceeds, amount, "Converting Holder", BUY_IN_NOTE
    )


@dataclass(frozen=True, slots=True)
class MandatoryPurchase:
    """SPA 5(f) Mandatory Purchase Amount with its parts."""

    unconverted_liquidation_preference: Decimal
    premium_pct: Decimal
    premium_amount: Decimal  # 145% x liquidation preference
    dividends: Accrual  # through the payment date, included (accrual end = the day after)
    amount: Decimal  # premium_amount + dividends, cents
    notice_date: date
    due_date: date  # 5th business day after the holder's notice
    payment_date: date
    clause: str = CLAUSE_MANDATORY_PURCHASE

    def as_dict(self) -> dict:
        return {
            "unconverted_liquidation_preference": str(self.unconverted_liquidation_preference),
            "premium_pct": str(self.premium_pct),
            "premium_amount": str(self.premium_amount),
            "dividends": self.dividends.as_dict(),
            "amount": str(self.amount),
            "notice_date": self.notice_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "payment_date": self.payment_date.isoformat(),
            "clause": self.clause,
        }


def mandatory_purchase_due_date(notice_date: date, terms: DealTerms) -> date:
    """SPA 5(f): payable within 5 business days from the holder's written notice."""
    return add_business_days(notice_date, terms.mandatory_purchase_business_days)


def mandatory_purchase_amount(
    *,
    terms: DealTerms,
    unconverted_liquidation_preference: Decimal,
    issue_date: date,
    notice_date: date,
    payment_date: date | None = None,
    dividends_paid_through: date | None = None,
) -> MandatoryPurchase:
    """SPA 5(f): 145% of the unconverted liquidation preference + "all accrued but unpaid
    dividends on the Preferred Stock through the date of payment" -- the payment date included
    (default: the due date, 5 business days after the notice)."""
    if unconverted_liquidation_preference <= 0:
        raise InvalidInput("The unconverted liquidation preference must be positive.")
    due = mandatory_purchase_due_date(notice_date, terms)
    paid = due if payment_date is None else payment_date
    dividends = accrued_dividends(
        terms=terms,
        liquidation_preference=unconverted_liquidation_preference,
        issue_date=issue_date,
        to_date=accrue_through(paid),  # "through the date of payment": the payment date accrues
        paid_through=dividends_paid_through,
    )
    premium = to_cents(pct(terms.mandatory_purchase_pct) * unconverted_liquidation_preference)
    return MandatoryPurchase(
        unconverted_liquidation_preference=unconverted_liquidation_preference,
        premium_pct=terms.mandatory_purchase_pct,
        premium_amount=premium,
        dividends=dividends,
        amount=premium + dividends.amount,
        notice_date=notice_date,
        due_date=due,
        payment_date=paid,
    )


CLAUSE_MANDATORY_CONVERSION = "SPA 5(c) (Mandatory Conversion)"
MANDATORY_CONVERSION_CASES = (4, 6)


@dataclass(frozen=True, slots=True)
class MandatoryConversionDelivery:
    """SPA 5(c): the Delivery Date used for late payments on a Mandatory Conversion."""

    submitted_delivery_date: date | None  # from a Notice of Conversion actually submitted by the Buyer
    holder_notice_date: date | None  # the Buyer's written notice that delivery has not been accomplished
    business_days: int  # 4 or 6, "as the case may be"
    notice_delivery_date: date | None  # the 4th or 6th business day after that notice
    delivery_date: date | None  # the earlier of the two; None while neither exists
    basis: str  # "notice_of_conversion" | "holder_notice" | "none"
    clause: str = CLAUSE_MANDATORY_CONVERSION

    def as_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "submitted_delivery_date": iso(self.submitted_delivery_date),
            "holder_notice_date": iso(self.holder_notice_date),
            "business_days": self.business_days,
            "notice_delivery_date": iso(self.notice_delivery_date),
            "delivery_date": iso(self.delivery_date),
            "basis": self.basis,
            "clause": self.clause,
        }


def mandatory_conversion_delivery_date(
    *, business_days: int, submitted_delivery_date: date | None = None, holder_notice_date: date | None = None
) -> MandatoryConversionDelivery:
    """SPA 5(c): "in connection with a Mandatory Conversion ... the term 'Delivery Date' shall refer
    to the earlier of (i) the Delivery Date determined in relation to a Notice of Conversion
    actually submitted by the Buyer to the Company or (ii) the fourth or sixth business date, as
    the case may be, after written notice from the Buyer that the delivery of shares ... has not
    been accomplished".

    Which of 4 or 6 applies is fixed by the Certificate of Designations (not in the seeds), so the
    caller states the case (``business_days``, 4 or 6). ``holder_notice_date`` is the date the
    Buyer's written notice is deemed given (SPA 10). Lateness then counts from the result as for
    any Delivery Date (``late_payment``)."""
    if business_days not in MANDATORY_CONVERSION_CASES:
        raise InvalidInput(
            f"SPA 5(c) gives the fourth or sixth business day after the Buyer's notice, not {business_days}."
        )
    by_notice = add_business_days(holder_notice_date, business_days) if holder_notice_date else None
    candidates = [(d, b) for d, b in ((submitted_delivery_date, "notice_of_conversion"), (by_notice, "holder_notice")) if d]
    if not candidates:
        return MandatoryConversionDelivery(None, None, business_days, None, None, "none")
    day, basis = min(candidates, key=lambda c: (c[0], c[1] != "notice_of_conversion"))
    return MandatoryConversionDelivery(
        submitted_delivery_date, holder_notice_date, business_days, by_notice, day, basis
    )
