"""Debenture 7: a Sale (merger, consolidation, or sale or transfer of all or substantially all of
the Company's assets).

- "the Holder hereof shall have the right to convert by delivering a Notice of Conversion to the
  Company within fifteen (15) days of receipt of notice of such Sale from the Company";
- "In the event the Holder hereof shall elect not to convert, the Company may prepay all
  outstanding principal and accrued interest on this Debenture, less all amounts required by law
  to be deducted, upon which tender of payment following such notice, the right of conversion
  shall terminate."

Reading (docs/interpretations.md, "Debenture 7"): the window is 15 calendar days after the day
the Holder receives the Company's notice (that day not counted); within it the Holder may convert
the whole outstanding principal, whatever the 4(A) tranche schedule says; the Company may tender
prepayment once the Holder has elected in writing not to convert or the window has passed
without a Notice of Conversion; the conversion right ends on the day payment is tendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .accruals import Accrual, accrued_interest
from .errors import InvalidInput
from .params import DealTerms
from .rounding import to_cents

CLAUSE_SALE = "Debenture 7"
SALE_WINDOW_DAYS = 15  # Debenture 7: "within fifteen (15) days of receipt of notice of such Sale"


@dataclass(frozen=True, slots=True)
class SaleWindow:
    """Debenture 7 on ``as_of``: may the Holder convert, may the Company prepay."""

    notice_received: date
    window_end: date  # last day a Notice of Conversion may be delivered
    as_of: date
    holder_declined_on: date | None
    tender_date: date | None
    can_convert: bool
    can_prepay: bool
    prepay_from: date  # the earlier of the day after the window and the day after a written election not to convert
    reason: str
    clause: str = CLAUSE_SALE

    def as_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "notice_received": self.notice_received.isoformat(),
            "window_end": self.window_end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "holder_declined_on": iso(self.holder_declined_on),
            "tender_date": iso(self.tender_date),
            "can_convert": self.can_convert,
            "can_prepay": self.can_prepay,
            "prepay_from": self.prepay_from.isoformat(),
            "reason": self.reason,
            "clause": self.clause,
        }


def sale_window(
    *,
    notice_received: date,
    as_of: date,
    holder_declined_on: date | None = None,
    tender_date: date | None = None,
    conversion_delivered_on: date | None = None,
) -> SaleWindow:
    """Debenture 7: the Holder's 15-day conversion window after receiving notice of a Sale and the
    Company's right to prepay (principal + accrued interest) once the Holder elects not to convert.

    ``holder_declined_on``: the Holder's written election not to convert; ``tender_date``: the
    day the Company tendered prepayment; ``conversion_delivered_on``: a Notice of Conversion
    delivered in the window (then no prepayment)."""
    if holder_declined_on is not None and holder_declined_on < notice_received:
        raise InvalidInput("The Holder cannot decline before receiving the notice of the Sale.")
    if tender_date is not None and tender_date < notice_received:
        raise InvalidInput("Prepayment cannot be tendered before the Holder receives the notice of the Sale.")
    end = notice_received + timedelta(days=SALE_WINDOW_DAYS)
    prepay_from = end + timedelta(days=1)
    if holder_declined_on is not None:
        prepay_from = min(prepay_from, holder_declined_on + timedelta(days=1))
    converted = conversion_delivered_on is not None and conversion_delivered_on <= end
    tendered = tender_date is not None and tender_date <= as_of
    if tendered and not converted and tender_date < prepay_from:
        raise InvalidInput(
            f"Prepayment tendered on {tender_date.isoformat()} came before the Holder elected not to convert and "
            f"before the window ended on {end.isoformat()} (Debenture 7): it does not end the conversion right."
        )
    in_window = notice_received <= as_of <= end
    declined = holder_declined_on is not None and holder_declined_on <= as_of
    can_convert = in_window and not declined and not tendered and not converted
    can_prepay = not converted and not tendered and as_of >= prepay_from
    if converted:
        reason = f"Notice of Conversion delivered on {conversion_delivered_on.isoformat()}, within the window"
    elif tendered:
        reason = f"prepayment tendered on {tender_date.isoformat()}: the right of conversion terminated"
    elif declined:
        reason = f"the Holder elected not to convert on {holder_declined_on.isoformat()}"
    elif in_window:
        reason = f"the Holder may convert until {end.isoformat()} (15 days after receiving the notice of the Sale)"
    else:
        reason = f"the 15-day window ended on {end.isoformat()} without a Notice of Conversion"
    return SaleWindow(
        notice_received, end, as_of, holder_declined_on, tender_date, can_convert, can_prepay, prepay_from, reason
    )


@dataclass(frozen=True, slots=True)
class SalePrepayment:
    """Debenture 7: "the Company may prepay all outstanding principal and accrued interest on this
    Debenture, less all amounts required by law to be deducted"."""

    principal: Decimal
    interest: Accrual
    gross: Decimal  # principal + interest through the tender date (the amount prepaid)
    deducted: Decimal  # required by law to be deducted (withheld; paid for the Holder's account)
    net: Decimal  # tendered to the Holder
    tender_date: date
    clause: str = CLAUSE_SALE

    def as_dict(self) -> dict:
        return {
            "principal": str(self.principal),
            "interest": self.interest.as_dict(),
            "gross": str(self.gross),
            "deducted": str(self.deducted),
            "net": str(self.net),
            "tender_date": self.tender_date.isoformat(),
            "clause": self.clause,
            "working": (f"principal {self.principal} + interest {self.interest.amount} "
                        f"({self.interest.days} days to {self.tender_date.isoformat()}) = {self.gross}; "
                        f"less {self.deducted} required by law to be deducted = {self.net} tendered"),
        }


def sale_prepayment(
    *,
    terms: DealTerms,
    principal: Decimal,
    dated_date: date,
    issued_date: date | None,
    paid_through: date | None,
    tender_date: date,
    deducted: Decimal = Decimal("0"),
) -> SalePrepayment:
    """Debenture 7: the prepayment of a Debenture whose Holder elected not to convert: all
    outstanding principal plus interest accrued through the tender date (Debenture interest
    paragraph: interest runs "until payment in full"; the tender date excluded as every accrual),
    less what the law requires to be deducted (at least $0, at most the gross amount, whole cents)."""
    if principal <= 0:
        raise InvalidInput("Nothing is outstanding on this Debenture; there is nothing to prepay (Debenture 7).")
    deducted = Decimal(deducted)
    if deducted < 0 or deducted != to_cents(deducted):
        raise InvalidInput(f"The amount deducted by law must be $0.00 or more in whole cents; it is {deducted}.")
    interest = accrued_interest(terms=terms, principal=principal, dated_date=dated_date, issued_date=issued_date,
                                to_date=tender_date, paid_through=paid_through)
    gross = to_cents(principal + interest.amount)
    if deducted > gross:
        raise InvalidInput(
            f"The amount deducted by law ({deducted}) is more than the prepayment of {gross} (principal {principal} + "
            f"interest {interest.amount}) (Debenture 7)."
        )
    return SalePrepayment(principal, interest, gross, deducted, gross - deducted, tender_date)
