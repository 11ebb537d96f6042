"""Notices: when a notice is deemed given (SPA 10, applied by RRA 11(b)) and
when a change of address takes effect.

SPA 10: a notice is deemed effectively given on the EARLIEST of
  (a) the date delivered, by personal delivery against written receipt or
      by confirmed facsimile transmission;
  (b) the seventh business day after deposit, postage prepaid, with the
      U.S. Postal Service by registered or certified mail;
  (c) the third business day after mailing by domestic or international
      express courier, delivery costs prepaid.
No time-of-day or business-day rule applies to (a): a fax confirmed on a
Saturday night is given that Saturday. A party changes its address by ten
days' advance written notice "similarly given".

RRA 11(b): notices are given "in the manner contemplated by" the SPA, to
the addresses in the SPA or, for other Investors, the address provided in
writing; an address change is "by notice given in accordance with this
Section 11(b)" -- no ten-day advance period.

Debenture: no general notice clause. Its notices carry their own timing
(conversion notice by fax: Conversion Date = the date in the fax if the
Debenture arrives within 3 business days; original due by the 5th business
day -- Exhibit A; Notice of Redemption: payment within 10 business days,
conversion within 5 -- 4(B); notice of a Sale: 15 days to convert -- 7), and
acceleration needs no notice at all (10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from .calendars import add_business_days
from .errors import InvalidInput
from .params import NHTC_DEFAULTS, DealTerms


class NoticeError(InvalidInput):
    """A notice sent by a method the agreement does not recognise."""


class NoticeMethod(str, Enum):
    PERSONAL_DELIVERY = "personal_delivery"  # against written receipt
    FAX = "fax"  # confirmed facsimile transmission
    REGISTERED_MAIL = "registered_mail"  # registered or certified, postage prepaid
    COURIER = "courier"  # domestic or international express courier, prepaid
    # Not SPA 10 methods: accepted as input so a clerk gets a clear answer.
    ORDINARY_MAIL = "ordinary_mail"
    EMAIL = "email"

    @property
    def recognised(self) -> bool:
        return self not in (NoticeMethod.ORDINARY_MAIL, NoticeMethod.EMAIL)


class Agreement(str, Enum):
    SPA = "spa"
    RRA = "rra"


@dataclass(frozen=True)
class NoticeSending:
    """One way a notice was sent. ``sent_on``: handed over, faxed, deposited in
    the mail or given to the courier. ``delivered_on``: for personal delivery,
    the date on the written receipt; for a fax, the date the transmission was
    confirmed (default: ``sent_on``)."""

    method: NoticeMethod
    sent_on: date
    delivered_on: date | None = None
    receipt_obtained: bool = True  # personal delivery: against written receipt
    confirmed: bool = True  # fax: transmission confirmed


@dataclass(frozen=True)
class DeemedGiven:
    """When a notice is deemed given, with the rule that fixed it."""

    sendings: tuple[NoticeSending, ...]
    deemed_given_on: date
    by: NoticeMethod
    working: tuple[str, ...]
    clause: str = "SPA 10"

    def as_dict(self) -> dict:
        return {
            "sendings": [
                {
                    "method": s.method.value,
                    "sent_on": s.sent_on.isoformat(),
                    "delivered_on": s.delivered_on.isoformat() if s.delivered_on else None,
                }
                for s in self.sendings
            ],
            "deemed_given_on": self.deemed_given_on.isoformat(),
            "by": self.by.value,
            "working": list(self.working),
            "clause": self.clause,
        }


def _one(s: NoticeSending, terms: DealTerms) -> tuple[date, str]:
    if not s.method.recognised:
        raise NoticeError(
            f"SPA 10 does not recognise {s.method.value.replace('_', ' ')}: use personal delivery, "
            "confirmed fax, registered or certified mail, or express courier."
        )
    if s.method is NoticeMethod.PERSONAL_DELIVERY:
        if not s.receipt_obtained:
            raise NoticeError("SPA 10(a): personal delivery counts only against a written receipt.")
        when = s.delivered_on or s.sent_on
        if when < s.sent_on:
            raise InvalidInput("Delivered before it was sent.")
        return when, f"SPA 10(a): personally delivered against receipt on {when.isoformat()}"
    if s.method is NoticeMethod.FAX:
        if not s.confirmed:
            raise NoticeError("SPA 10(a): a facsimile counts only when the transmission is confirmed.")
        when = s.delivered_on or s.sent_on
        if when < s.sent_on:
            raise InvalidInput("Confirmed before it was sent.")
        return when, f"SPA 10(a): confirmed facsimile on {when.isoformat()}"
    if s.method is NoticeMethod.REGISTERED_MAIL:
        n = terms.notice_mail_business_days
        when = add_business_days(s.sent_on, n)
        return (
            when,
            f"SPA 10(b): business day {n} after deposit on {s.sent_on.isoformat()} = {when.isoformat()}",
        )
    n = terms.notice_courier_business_days
    when = add_business_days(s.sent_on, n)
    return (
        when,
        f"SPA 10(c): business day {n} after sending by courier on {s.sent_on.isoformat()} "
        f"= {when.isoformat()}",
    )


def deemed_given(
    sendings: NoticeSending | Sequence[NoticeSending], terms: DealTerms = NHTC_DEFAULTS
) -> DeemedGiven:
    """SPA 10 (and RRA 11(b), which adopts it): the date a notice is deemed
    effectively given -- the earliest of the dates each way it was sent gives.
    Actual receipt by mail or courier does not bring the date forward: only
    personal delivery against receipt or a confirmed fax count on the day."""
    if isinstance(sendings, NoticeSending):
        sendings = (sendings,)
    sendings = tuple(sendings)
    if not sendings:
        raise InvalidInput("No sending given.")
    results = [(*_one(s, terms), s.method) for s in sendings]
    when, _, method = min(results, key=lambda r: r[0])
    return DeemedGiven(
        sendings=sendings, deemed_given_on=when, by=method, working=tuple(r[1] for r in results)
    )


@dataclass(frozen=True)
class AddressChange:
    agreement: Agreement
    notice_deemed_given_on: date
    effective_on: date
    working: str

    @property
    def clause(self) -> str:
        return "SPA 10" if self.agreement is Agreement.SPA else "RRA 11(b)"

    def as_dict(self) -> dict:
        return {
            "agreement": self.agreement.value,
            "clause": self.clause,
            "notice_deemed_given_on": self.notice_deemed_given_on.isoformat(),
            "effective_on": self.effective_on.isoformat(),
            "working": self.working,
        }


def address_change_effective(
    *, notice_deemed_given_on: date, agreement: Agreement = Agreement.SPA, terms: DealTerms = NHTC_DEFAULTS
) -> AddressChange:
    """SPA 10: a new address takes effect after "ten (10) days' advance written
    notice similarly given" -- notices sent from the 10th calendar day after
    the change notice is deemed given go to the new address. RRA 11(b):
    an address furnished "by notice given in accordance with this Section
    11(b)" takes effect when that notice is deemed given."""
    if agreement is Agreement.RRA:
        return AddressChange(
            agreement,
            notice_deemed_given_on,
            notice_deemed_given_on,
            "RRA 11(b): effective when the notice is deemed given (no advance period).",
        )
    n = terms.notice_address_change_days
    effective = notice_deemed_given_on + timedelta(days=n)
    return AddressChange(
        agreement,
        notice_deemed_given_on,
        effective,
        f"SPA 10: {n} days' advance notice from {notice_deemed_given_on.isoformat()}.",
    )


def address_for(*, sent_on: date, old_address: str, new_address: str, change: AddressChange) -> str:
    """SPA 10 / RRA 11(b): the address a notice sent on ``sent_on`` must be sent
    to -- the new one from the day the change takes effect."""
    return new_address if sent_on >= change.effective_on else old_address
