"""Debenture redemption: Debenture 4(B).

- The Company may redeem any Debenture for which no Notice of Conversion has
  been submitted, by a Notice of Redemption (4(B)(i)).
- Redemption price = 120% of principal + accrued and unpaid interest, paid
  within 10 business days from the date of the Notice of Redemption
  (4(B)(ii)); we accrue interest to the payment date.
- The holder may convert instead: Debentures for which a Notice of
  Conversion is submitted within 5 business days of the holder's receipt of
  the Notice of Redemption are excepted.
- If payment is not timely made, the Company's right to redeem the Debenture
  terminates and the Notice of Redemption is void.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .accruals import Accrual, accrued_interest
from .calendars import add_business_days
from .errors import InvalidInput
from .params import DealTerms
from .rounding import pct, to_cents

CLAUSE_REDEMPTION = "Debenture 4(B)"


def redemption_due_date(notice_date: date, terms: DealTerms) -> date:
    """Debenture 4(B)(ii): payment within 10 business days from the date of the Notice of
    Redemption (the 10th business day after it)."""
    return add_business_days(notice_date, terms.redemption_payment_business_days)


def convert_instead_deadline(received_on: date, terms: DealTerms) -> date:
    """Debenture 4(B)(ii): last day for a Notice of Conversion that takes the Debenture out of
    the redemption -- 5 business days after the holder receives the Notice of Redemption."""
    return add_business_days(received_on, terms.redemption_convert_window_business_days)


def can_convert_instead(*, terms: DealTerms, received_on: date, conversion_notice_on: date) -> bool:
    """Debenture 4(B)(ii): whether a Notice of Conversion given on ``conversion_notice_on``
    is within 5 business days of the holder's receipt of the Notice of Redemption."""
    return conversion_notice_on <= convert_instead_deadline(received_on, terms)


@dataclass(frozen=True, slots=True)
class RedemptionQuote:
    """Debenture 4(B) redemption price and deadlines, with the working."""

    principal: Decimal
    premium_pct: Decimal
    premium_amount: Decimal  # 120% x principal
    interest: Accrual  # to the payment date
    amount: Decimal  # premium_amount + interest
    notice_date: date
    received_on: date
    payment_due: date
    convert_deadline: date
    payment_date: date
    clause: str = CLAUSE_REDEMPTION

    def as_dict(self) -> dict:
        return {
            "principal": str(self.principal),
            "premium_pct": str(self.premium_pct),
            "premium_amount": str(self.premium_amount),
            "interest": self.interest.as_dict(),
            "amount": str(self.amount),
            "notice_date": self.notice_date.isoformat(),
            "received_on": self.received_on.isoformat(),
            "payment_due": self.payment_due.isoformat(),
            "convert_deadline": self.convert_deadline.isoformat(),
            "payment_date": self.payment_date.isoformat(),
            "clause": self.clause,
        }


def redemption_quote(
    *,
    terms: DealTerms,
    principal: Decimal,
    dated_date: date,
    notice_date: date,
    issued_date: date | None = None,
    received_on: date | None = None,
    payment_date: date | None = None,
    interest_paid_through: date | None = None,
    conversion_notice_submitted: bool = False,
) -> RedemptionQuote:
    """Debenture 4(B): 120% of ``principal`` + interest accrued to the payment date (default the
    due date, 10 business days after the notice); the holder's window to convert instead runs 5
    business days from ``received_on`` (default the notice date)."""
    if conversion_notice_submitted:
        raise InvalidInput(
            "A Notice of Conversion was already submitted for this Debenture; Debenture 4(B)(i) "
            "allows redemption only of Debentures without one."
        )
    if principal <= 0:
        raise InvalidInput(f"The principal to redeem must be positive, not {principal}.")
    received = notice_date if received_on is None else received_on
    if received < notice_date:
        raise InvalidInput("The holder cannot receive the Notice of Redemption before its date.")
    due = redemption_due_date(notice_date, terms)
    paid = due if payment_date is None else payment_date
    interest = accrued_interest(
        terms=terms,
        principal=principal,
        dated_date=dated_date,
        issued_date=issued_date,
        to_date=paid,
        paid_through=interest_paid_through,
    )
    premium = to_cents(pct(terms.redemption_premium_pct) * principal)
    return RedemptionQuote(
        principal=principal,
        premium_pct=terms.redemption_premium_pct,
        premium_amount=premium,
        interest=interest,
        amount=premium + interest.amount,
        notice_date=notice_date,
        received_on=received,
        payment_due=due,
        convert_deadline=convert_instead_deadline(received, terms),
        payment_date=paid,
    )


@dataclass(frozen=True, slots=True)
class RedemptionStatus:
    """Debenture 4(B)(ii): whether a redemption payment is timely, late, or still open."""

    notice_date: date
    payment_due: date
    paid_on: date | None
    as_of: date
    late: bool
    void: bool  # the Notice of Redemption is null and void and the right to redeem ends
    note: str
    clause: str = CLAUSE_REDEMPTION

    def as_dict(self) -> dict:
        return {
            "notice_date": self.notice_date.isoformat(),
            "payment_due": self.payment_due.isoformat(),
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
            "as_of": self.as_of.isoformat(),
            "late": self.late,
            "void": self.void,
            "note": self.note,
            "clause": self.clause,
        }


def redemption_status(
    *, terms: DealTerms, notice_date: date, as_of: date, paid_on: date | None = None
) -> RedemptionStatus:
    """Debenture 4(B)(ii): a payment after the 10th business day from the notice (or no payment
    by then) voids the Notice of Redemption and ends the Company's right to redeem the Debenture.
    Payment on the due date itself is timely."""
    due = redemption_due_date(notice_date, terms)
    if paid_on is not None:
        late = paid_on > due
        note = (
            f"paid {paid_on.isoformat()}, after the due date {due.isoformat()}: the Notice of Redemption "
            "is void and the right to redeem has terminated"
            if late
            else f"paid {paid_on.isoformat()}, on time (due {due.isoformat()})"
        )
    else:
        late = as_of > due
        note = (
            f"unpaid after the due date {due.isoformat()}: the Notice of Redemption is void and the "
            "right to redeem has terminated"
            if late
            else f"payment due by {due.isoformat()}"
        )
    return RedemptionStatus(notice_date, due, paid_on, as_of, late, late, note)
