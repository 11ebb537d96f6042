"""Transfers and restrictions (pure Python): Reg S, RRA 9, legends, Debenture 7, SPA 5(e).

Readings (docs/interpretations.md, "Closing and transfers"):

- SPA 2(b)(iv), 2(b)(xvii): inside the Restricted Period the Securities may not be transferred
  "in the United States or to a U.S. Person"; an offshore transfer to a non-U.S. person who
  gives the Regulation S representations (SPA 2(b)) is what Regulation S itself allows, so we
  refuse only a transfer to an assignee without the non-U.S. representation, and every legend
  removal (SPA 4(b): removal needs registration and sale, or Rule 144(k) -- neither can be true
  inside the period).
- RRA 9: the registration rights follow a transfer only if (a)-(d) (written assignment, notice
  with name/address and securities, transferee restricted, transferee bound) and (e) the
  transfer is completed and disclosed before the initial Effective Date or involves Registrable
  Securities from Preferred Stock with a liquidation preference of at least $100,000. The clause
  does not forbid a smaller transfer; it keeps the rights from following. We refuse a transfer
  that *asks* for the rights to follow when (e) fails, and record a transfer without them
  otherwise. (The issue's "or the whole holding" is not in the text; a whole holding below
  $100,000 qualifies only before the initial Effective Date.)
- SPA 4(b), 5(a): the legend is removed "promptly" once the holder gives an opinion of counsel
  reasonably satisfactory to the Company; "promptly" is read as the 3 business days the
  agreements give for every certificate delivery (Debenture 4(A); the Series J Delivery Date),
  ``LEGEND_REMOVAL_BUSINESS_DAYS``. (Debenture 10(c) makes a legend failure uncured for 5
  business days an Event of Default; the 3-day deadline falls inside it.)
- Debenture 7: on notice of a Sale the Holder may convert "within fifteen (15) days of receipt
  of notice" (calendar days, the day of receipt not counted); if it elects not to, the Company
  may prepay principal and accrued interest, which ends the conversion right on tender.
- SPA 5(e): DWAC delivery only on the Buyer's request, only if the transfer agent is in DTC
  FAST, and only for shares that do not bear a legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendars import add_business_days
from .closing import RestrictedPeriod
from .errors import InvalidInput

CLAUSE_RRA9 = "RRA 9"
CLAUSE_LEGEND = "SPA 4(b), 5(a)"
CLAUSE_SALE = "Debenture 7"
CLAUSE_DWAC = "SPA 5(e)"

LEGEND_REMOVAL_BUSINESS_DAYS = 3
SALE_CONVERSION_DAYS = 15  # Debenture 7
SERIES_J_STATED_VALUE = Decimal("1000")  # SPA 1(b)(iv)


@dataclass(frozen=True, slots=True)
class RightsAssignment:
    """RRA 9: whether the registration rights follow a transfer, with the reason."""

    follow: bool
    reason: str
    clause: str = CLAUSE_RRA9

    def as_dict(self) -> dict:
        return {"follow": self.follow, "reason": self.reason, "clause": self.clause}


def rights_assignment(
    *,
    liquidation_preference: Decimal | None,
    transfer_date: date,
    initial_effective_date: date | None,
    written_assignment: bool,
    notice_to_company: bool,
    transferee_bound: bool,
    transferee_restricted: bool = True,
    minimum: Decimal = Decimal("100000"),
) -> RightsAssignment:
    """RRA 9 (a)-(e). ``liquidation_preference`` is the Preferred Stock behind the securities
    transferred (None for a warrant or debenture transfer, which counts only under the
    before-Effective-Date branch of (e))."""
    missing = []
    if not written_assignment:
        missing.append("(a) a written assignment of the rights, copied to the Company")
    if not notice_to_company:
        missing.append("(b) written notice to the Company of the transferee's name and address and the securities")
    if not transferee_restricted:
        missing.append("(c) the transferee's further disposition restricted under the Securities Act")
    if not transferee_bound:
        missing.append("(d) the transferee's written agreement to be bound by the RRA")
    if missing:
        return RightsAssignment(False, "RRA 9 requires " + "; ".join(missing) + ".")
    before_effective = initial_effective_date is None or transfer_date < initial_effective_date
    if before_effective:
        return RightsAssignment(True, "RRA 9(e): completed and disclosed before the initial Effective Date.")
    if liquidation_preference is not None and liquidation_preference >= minimum:
        return RightsAssignment(
            True, f"RRA 9(e): Preferred Stock with a liquidation preference of ${liquidation_preference:,.2f} "
            f"(at least ${minimum:,.0f})."
        )
    what = (
        f"a liquidation preference of ${liquidation_preference:,.2f}, below ${minimum:,.0f}"
        if liquidation_preference is not None
        else "no Preferred Stock"
    )
    return RightsAssignment(
        False,
        f"RRA 9(e): the transfer on {transfer_date.isoformat()} is after the initial Effective Date "
        f"({initial_effective_date.isoformat()}) and involves {what}; the registration rights do not follow.",
    )


def check_restricted_period(
    *, period: RestrictedPeriod, day: date, assignee_non_us: bool | None, action: str = "transfer"
) -> None:
    """SPA 2(b)(iv): inside the Restricted Period refuse a legend removal and a transfer to
    anyone without the non-U.S. (Regulation S) representation. ``assignee_non_us`` None means a
    legend removal."""
    if not period.contains(day):
        return
    if action == "legend removal":
        raise InvalidInput(
            f"The legend cannot be removed on {day.isoformat()}: the Regulation S Restricted Period runs until "
            f"{period.ends.isoformat()} (SPA 2(b)(iv); SPA 4(b) needs registration and sale or Rule 144(k)). "
            f"Ask again from {period.free_from.isoformat()}."
        )
    if not assignee_non_us:
        raise InvalidInput(
            f"A transfer to a U.S. Person or in the United States is refused until the Regulation S Restricted "
            f"Period ends on {period.ends.isoformat()} (SPA 2(b)(iv)); the assignee has not given the non-U.S. "
            "representation of SPA 2(b)."
        )


def check_series_j_amount(liquidation_preference: Decimal, held: Decimal) -> int:
    """A Series J transfer moves whole shares of $1,000 stated value (SPA 1(b)(iv)), at most what
    the holder holds. Returns the number of shares."""
    if liquidation_preference <= 0:
        raise InvalidInput(f"The amount transferred must be positive, not ${liquidation_preference:,.2f}.")
    if liquidation_preference % SERIES_J_STATED_VALUE != 0:
        raise InvalidInput(
            f"${liquidation_preference:,.2f} is not a whole number of Series J shares of $1,000 stated value "
            "(SPA 1(b)(iv))."
        )
    if liquidation_preference > held:
        raise InvalidInput(
            f"${liquidation_preference:,.2f} of liquidation preference exceeds the ${held:,.2f} the holder holds."
        )
    return int(liquidation_preference / SERIES_J_STATED_VALUE)


def check_quantity(quantity: int | Decimal, held: int | Decimal, *, what: str) -> None:
    if quantity <= 0:
        raise InvalidInput(f"The {what} transferred must be positive, not {quantity:,}.")
    if quantity > held:
        raise InvalidInput(f"{quantity:,} {what} exceeds the {held:,} the holder holds.")


@dataclass(frozen=True, slots=True)
class LegendDeadline:
    opinion_received: date
    business_days: int
    due: date
    clause: str = CLAUSE_LEGEND

    def as_dict(self) -> dict:
        return {
            "opinion_received": self.opinion_received.isoformat(),
            "business_days": self.business_days,
            "due": self.due.isoformat(),
            "clause": self.clause,
        }


def legend_removal_deadline(opinion_received: date, business_days: int = LEGEND_REMOVAL_BUSINESS_DAYS) -> LegendDeadline:
    """SPA 4(b), 5(a): the Company instructs the transfer agent "promptly" after an opinion of
    counsel reasonably satisfactory to it -- read as 3 business days after receipt."""
    return LegendDeadline(opinion_received, business_days, add_business_days(opinion_received, business_days))


@dataclass(frozen=True, slots=True)
class SaleWindow:
    notice_received: date
    days: int
    convert_by: date  # last day a Notice of Conversion may be delivered
    prepay_from: date  # first day the Company may tender prepayment to a holder who did not convert
    clause: str = CLAUSE_SALE

    def as_dict(self) -> dict:
        return {
            "notice_received": self.notice_received.isoformat(),
            "days": self.days,
            "convert_by": self.convert_by.isoformat(),
            "prepay_from": self.prepay_from.isoformat(),
            "clause": self.clause,
        }


def sale_conversion_window(notice_received: date, days: int = SALE_CONVERSION_DAYS) -> SaleWindow:
    """Debenture 7: the Holder may convert by delivering a Notice of Conversion within fifteen days
    of receipt of the Company's notice of the Sale. Read: calendar days after receipt (the day of
    receipt not counted); prepayment may be tendered from the day after the window, unless the
    holder has elected earlier in writing not to convert."""
    by = notice_received + timedelta(days=days)
    return SaleWindow(notice_received, days, by, by + timedelta(days=1))


def check_dwac(*, requested: bool, legended: bool, fast_participant: bool, dtc_account: str) -> None:
    """SPA 5(e): electronic delivery through DWAC on the Buyer's request, if the transfer agent is
    in DTC FAST, the shares bear no legend and the Buyer's prime broker has a DTC account."""
    if not requested:
        return
    if legended:
        raise InvalidInput(
            "DWAC delivery is available only for shares that do not bear the restrictive legend (SPA 5(e)); these "
            "shares carry the SPA 4(b) legend until registered and sold or Rule 144(k) applies."
        )
    if not fast_participant:
        raise InvalidInput("DWAC delivery needs a transfer agent in the DTC FAST program (SPA 5(e)).")
    if not dtc_account.strip():
        raise InvalidInput("Give the holder's prime broker DTC participant number for DWAC delivery (SPA 5(e)).")
