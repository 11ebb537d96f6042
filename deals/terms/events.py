"""Debenture 10: Events of Default (a)-(k), their cure periods, and what the
Holder may demand on acceleration.

Convention (docs/interpretations.md, "Debenture 10 cure periods"): for each
event ``cure_by`` is the last day on which a cure still prevents the Event
of Default; uncured, the Event of Default exists from the next day. Events
without a grace period are Events of Default on the day they occur.

Text oddity: (c) and (d) are word-for-word the same clause (share delivery,
transfer and legend failures uncured for 5 business days). We keep both
letters so references in correspondence resolve, and treat (d) as (c).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from .calendars import add_business_days, roll_to_business_day
from .errors import InvalidInput
from .params import NHTC_DEFAULTS, DealTerms
from .rounding import to_cents


class CureKind(str, Enum):
    IMMEDIATE = "immediate"
    BUSINESS_DAYS = "business_days"  # (c)/(d): uncured for N business days
    DAYS_AFTER_NOTICE = "days_after_notice"  # (e): N days after the Holder's written notice
    DAYS = "days"  # (g), (h), (j) involuntary: not discharged/dismissed within N days
    JUDGMENT = "judgment"  # (i): N days, or 5 days before a proposed sale if earlier
    TRADING_SUSPENSION = "trading_suspension"  # (k): suspended more than 1 business day


class EventOfDefault(str, Enum):
    PAYMENT = "a"
    MISREPRESENTATION = "b"
    SHARE_DELIVERY = "c"
    SHARE_DELIVERY_DUPLICATE = "d"
    COVENANT = "e"
    INSOLVENCY_ACT = "f"
    RECEIVER = "g"
    GOVERNMENT_CUSTODY = "h"
    JUDGMENT = "i"
    BANKRUPTCY = "j"
    DELISTING = "k"

    @property
    def clause(self) -> str:
        return f"Debenture 10({self.value})"

    @property
    def summary(self) -> str:
        return _SUMMARY[self]

    @property
    def cure_kind(self) -> CureKind:
        return _CURE[self]

    @property
    def canonical(self) -> EventOfDefault:
        """(d) repeats (c) word for word; both resolve to (c)."""
        return EventOfDefault.SHARE_DELIVERY if self is EventOfDefault.SHARE_DELIVERY_DUPLICATE else self


_SUMMARY = {
    EventOfDefault.PAYMENT: "The Company defaults in paying principal or interest on the Debenture.",
    EventOfDefault.MISREPRESENTATION: (
        "A representation or warranty of the Company (Debenture, SPA, certificates or statements "
        "furnished) was false or misleading in a material respect when made."
    ),
    EventOfDefault.SHARE_DELIVERY: (
        "The Company fails to issue conversion shares, transfer their certificates or remove a "
        "restrictive legend as required, uncured for 5 business days."
    ),
    EventOfDefault.SHARE_DELIVERY_DUPLICATE: (
        "Same text as (c) (a duplicate in the Debenture): share issue, transfer or legend failure "
        "uncured for 5 business days."
    ),
    EventOfDefault.COVENANT: (
        "The Company fails in a material respect to perform any other covenant of the Debenture, "
        "uncured 30 days after the Holder's written notice."
    ),
    EventOfDefault.INSOLVENCY_ACT: (
        "The Company admits in writing it cannot pay its debts, assigns for the benefit of creditors, "
        "starts dissolution, or applies for or consents to a trustee, liquidator or receiver."
    ),
    EventOfDefault.RECEIVER: (
        "A trustee, liquidator or receiver is appointed without the Company's consent and not "
        "discharged within 60 days."
    ),
    EventOfDefault.GOVERNMENT_CUSTODY: (
        "A governmental agency or court takes custody of all or a substantial part of the "
        "Company's property, not dismissed within 60 days."
    ),
    EventOfDefault.JUDGMENT: (
        "Money judgments, writs or attachments over $200,000 in aggregate remain unpaid, "
        "unvacated, unbonded or unstayed for 60 days, or later than 5 days before a proposed sale."
    ),
    EventOfDefault.BANKRUPTCY: (
        "Bankruptcy or insolvency proceedings instituted by the Company, or against it and not "
        "dismissed within 60 days, or the Company approves, consents to or acquiesces in them."
    ),
    EventOfDefault.DELISTING: (
        "The Common Stock is suspended or delisted from trading on an exchange or the "
        "over-the-counter market for more than one business day."
    ),
}

_CURE = {
    EventOfDefault.PAYMENT: CureKind.IMMEDIATE,
    EventOfDefault.MISREPRESENTATION: CureKind.IMMEDIATE,
    EventOfDefault.SHARE_DELIVERY: CureKind.BUSINESS_DAYS,
    EventOfDefault.SHARE_DELIVERY_DUPLICATE: CureKind.BUSINESS_DAYS,
    EventOfDefault.COVENANT: CureKind.DAYS_AFTER_NOTICE,
    EventOfDefault.INSOLVENCY_ACT: CureKind.IMMEDIATE,
    EventOfDefault.RECEIVER: CureKind.DAYS,
    EventOfDefault.GOVERNMENT_CUSTODY: CureKind.DAYS,
    EventOfDefault.JUDGMENT: CureKind.JUDGMENT,
    EventOfDefault.BANKRUPTCY: CureKind.DAYS,
    EventOfDefault.DELISTING: CureKind.TRADING_SUSPENSION,
}


class DefaultStatus(str, Enum):
    IN_CURE_PERIOD = "in_cure_period"
    AWAITING_NOTICE = "awaiting_notice"  # (e) before the Holder's written notice
    CURED = "cured"
    NOT_AN_EVENT = "not_an_event"  # e.g. judgments not over $200,000
    EVENT_OF_DEFAULT = "event_of_default"


@dataclass(frozen=True)
class CureDeadline:
    """When a failure becomes an Event of Default unless cured."""

    event: EventOfDefault
    occurred_on: date
    immediate: bool
    cure_by: date | None  # last day a cure still counts; None if immediate or awaiting notice
    working: str

    @property
    def clause(self) -> str:
        return self.event.clause

    def as_dict(self) -> dict:
        return {
            "event": self.event.value,
            "clause": self.clause,
            "occurred_on": self.occurred_on.isoformat(),
            "immediate": self.immediate,
            "cure_by": self.cure_by.isoformat() if self.cure_by else None,
            "working": self.working,
        }


def cure_deadline(
    event: EventOfDefault,
    *,
    occurred_on: date,
    notice_on: date | None = None,
    proposed_sale_on: date | None = None,
    instituted_by_company: bool = False,
    company_acquiesced: bool = False,
    terms: DealTerms = NHTC_DEFAULTS,
) -> CureDeadline:
    """Debenture 10(a)-(k): the cure deadline of an event that occurred on
    ``occurred_on`` (the failure, appointment, entry of judgment, institution of
    proceedings, or first day of a trading suspension).

    (a), (b), (f): none -- an Event of Default at once. (c)/(d): 5 business
    days. (e): 30 days after the Holder's written notice (``notice_on``).
    (g), (h): 60 days. (i): 60 days, or if earlier 5 days before a proposed
    sale under the judgment (``proposed_sale_on``). (j): at once if instituted
    by the Company or it acquiesces, else 60 days. (k): trading must resume
    by the business day after the first suspended business day.
    """
    kind = event.cure_kind
    if kind is CureKind.IMMEDIATE:
        return CureDeadline(event, occurred_on, True, None, f"{event.clause}: no grace period.")
    if kind is CureKind.BUSINESS_DAYS:
        n = terms.eod_delivery_cure_business_days
        return CureDeadline(
            event,
            occurred_on,
            False,
            add_business_days(occurred_on, n),
            f"{event.clause}: uncured for {n} business days after {occurred_on.isoformat()}.",
        )
    if kind is CureKind.DAYS_AFTER_NOTICE:
        n = terms.eod_covenant_cure_days
        if notice_on is None:
            return CureDeadline(
                event,
                occurred_on,
                False,
                None,
                f"{event.clause}: the {n} days run from the Holder's written notice; none given yet.",
            )
        if notice_on < occurred_on:
            raise InvalidInput("The Holder's notice precedes the failure it reports.")
        return CureDeadline(
            event,
            occurred_on,
            False,
            notice_on + timedelta(days=n),
            f"{event.clause}: {n} days after the Holder's written notice of {notice_on.isoformat()}.",
        )
    if kind is CureKind.DAYS:
        n = terms.eod_dismissal_days
        if event is EventOfDefault.BANKRUPTCY and (instituted_by_company or company_acquiesced):
            why = "instituted by the Company" if instituted_by_company else "the Company acquiesced"
            return CureDeadline(event, occurred_on, True, None, f"{event.clause}: {why}; no grace period.")
        return CureDeadline(
            event,
            occurred_on,
            False,
            occurred_on + timedelta(days=n),
            f"{event.clause}: not discharged or dismissed within {n} days after {occurred_on.isoformat()}.",
        )
    if kind is CureKind.JUDGMENT:
        n = terms.eod_dismissal_days
        by_days = occurred_on + timedelta(days=n)
        working = f"{event.clause}: {n} days after entry ({by_days.isoformat()})"
        cure_by = by_days
        if proposed_sale_on is not None:
            before_sale = proposed_sale_on - timedelta(days=terms.eod_judgment_sale_days)
            working += (
                f"; {terms.eod_judgment_sale_days} days before the proposed sale ({before_sale.isoformat()})"
            )
            cure_by = min(by_days, before_sale)
        return CureDeadline(event, occurred_on, False, cure_by, working + "; the earlier applies.")
    first = roll_to_business_day(occurred_on)
    n = terms.eod_delisting_business_days
    resume_by = add_business_days(first, n)
    return CureDeadline(
        event,
        occurred_on,
        False,
        resume_by,
        f"{event.clause}: suspended from {occurred_on.isoformat()} (first business day {first.isoformat()}); "
        f"trading must resume by {resume_by.isoformat()} to stay within {n} business day(s).",
    )


@dataclass(frozen=True)
class DefaultAssessment:
    """Where one failure stands on ``as_of``."""

    deadline: CureDeadline
    as_of: date
    cured_on: date | None
    status: DefaultStatus
    event_of_default_on: date | None
    note: str

    def as_dict(self) -> dict:
        return {
            "deadline": self.deadline.as_dict(),
            "as_of": self.as_of.isoformat(),
            "cured_on": self.cured_on.isoformat() if self.cured_on else None,
            "status": self.status.value,
            "event_of_default_on": self.event_of_default_on.isoformat() if self.event_of_default_on else None,
            "note": self.note,
        }


def judgment_threshold_exceeded(total: Decimal, terms: DealTerms = NHTC_DEFAULTS) -> bool:
    """Debenture 10(i): judgments count only "in excess of" $200,000 in aggregate."""
    return Decimal(total) > terms.eod_judgment_threshold


def assess_default(
    event: EventOfDefault,
    *,
    occurred_on: date,
    as_of: date,
    cured_on: date | None = None,
    notice_on: date | None = None,
    proposed_sale_on: date | None = None,
    instituted_by_company: bool = False,
    company_acquiesced: bool = False,
    judgment_total: Decimal | None = None,
    terms: DealTerms = NHTC_DEFAULTS,
) -> DefaultAssessment:
    """Debenture 10: whether a failure is, on ``as_of``, an Event of Default,
    still within its cure period, or cured in time. ``cured_on``: the day the
    failure was cured (shares delivered, appointment discharged, judgment
    paid or stayed, trading resumed)."""
    if as_of < occurred_on:
        raise InvalidInput("The as-of date precedes the event.")
    if cured_on is not None and cured_on < occurred_on:
        raise InvalidInput("The cure precedes the event.")
    deadline = cure_deadline(
        event,
        occurred_on=occurred_on,
        notice_on=notice_on,
        proposed_sale_on=proposed_sale_on,
        instituted_by_company=instituted_by_company,
        company_acquiesced=company_acquiesced,
        terms=terms,
    )
    if event is EventOfDefault.JUDGMENT:
        if judgment_total is None:
            raise InvalidInput("Debenture 10(i) needs the aggregate amount of the judgments.")
        if not judgment_threshold_exceeded(judgment_total, terms):
            return DefaultAssessment(
                deadline,
                as_of,
                cured_on,
                DefaultStatus.NOT_AN_EVENT,
                None,
                f"Judgments total {judgment_total}, not in excess of {terms.eod_judgment_threshold}.",
            )
    if deadline.immediate:
        return DefaultAssessment(
            deadline, as_of, cured_on, DefaultStatus.EVENT_OF_DEFAULT, occurred_on, "No grace period."
        )
    if deadline.cure_by is None:
        return DefaultAssessment(
            deadline, as_of, cured_on, DefaultStatus.AWAITING_NOTICE, None, deadline.working
        )
    if cured_on is not None and cured_on <= deadline.cure_by and cured_on <= as_of:
        return DefaultAssessment(
            deadline, as_of, cured_on, DefaultStatus.CURED, None, f"Cured on {cured_on.isoformat()}, in time."
        )
    if as_of <= deadline.cure_by:
        return DefaultAssessment(
            deadline,
            as_of,
            cured_on,
            DefaultStatus.IN_CURE_PERIOD,
            None,
            f"Cure by {deadline.cure_by.isoformat()}.",
        )
    eod_on = deadline.cure_by + timedelta(days=1)
    return DefaultAssessment(
        deadline,
        as_of,
        cured_on,
        DefaultStatus.EVENT_OF_DEFAULT,
        eod_on,
        f"Not cured by {deadline.cure_by.isoformat()}.",
    )


@dataclass(frozen=True)
class Acceleration:
    """Debenture 10 (last paragraph): what the Holder may declare due at once."""

    principal_outstanding: Decimal
    accrued_interest: Decimal
    total: Decimal
    working: str
    clause: str = "Debenture 10 (remedies paragraph), opening paragraph"

    def as_dict(self) -> dict:
        return {
            "principal_outstanding": str(self.principal_outstanding),
            "accrued_interest": str(self.accrued_interest),
            "total": str(self.total),
            "working": self.working,
            "clause": self.clause,
        }


def acceleration_amount(*, principal_outstanding: Decimal, accrued_interest: Decimal) -> Acceleration:
    """Debenture 10: on an Event of Default not waived in writing, the Holder may
    at its option "consider this Debenture immediately due and payable" without
    presentment, demand, protest or notice -- the principal outstanding plus
    the interest accrued and unpaid (the Company's promise in the opening
    paragraph). No premium: the 120% is for redemption (4(B)) only.
    ``accrued_interest``: 6% a year from the first business day after the
    Debenture's date to the acceleration date, computed by the caller."""
    principal = Decimal(principal_outstanding)
    interest = Decimal(accrued_interest)
    if principal < 0 or interest < 0:
        raise InvalidInput("Principal and interest cannot be negative.")
    if principal == 0 and interest == 0:
        raise InvalidInput("Nothing outstanding to accelerate.")
    total = to_cents(principal + interest)
    return Acceleration(
        principal_outstanding=principal,
        accrued_interest=interest,
        total=total,
        working=f"principal {principal} + accrued unpaid interest {interest} = {total}",
    )
