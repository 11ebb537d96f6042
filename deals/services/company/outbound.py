"""Outbound notices and notice addresses (SPA 10; RRA 11(b) adopts it).

Every notice the company sends is logged with its method and the date it
is deemed given (``deals.terms.notices.deemed_given``); deadlines that run
from the investor's receipt use that date. An investor's change of address
takes effect 10 days after its notice is deemed given
(``address_change_effective``); ``address_on`` says which address a notice
sent on a day must use.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import AddressChange, Financing, Investor, OutboundNotice
from deals.selectors.terms import terms_in_force
from deals.terms import notices as nt
from deals.terms.errors import TermsError

from ._common import notice_financing, series_j_financing

METHODS = {
    OutboundNotice.Method.PERSONAL: nt.NoticeMethod.PERSONAL_DELIVERY,
    OutboundNotice.Method.FAX: nt.NoticeMethod.FAX,
    OutboundNotice.Method.MAIL: nt.NoticeMethod.REGISTERED_MAIL,
    OutboundNotice.Method.COURIER: nt.NoticeMethod.COURIER,
}

KINDS = [
    ("redemption", "Notice of Redemption (Debenture 4(B))"),
    ("suspension", "Potential Material Event / suspension (RRA 3(h))"),
    ("new_transaction_offer", "New Transaction Offer (SPA 4(j))"),
    ("sale_notice", "Notice of a Sale (Debenture 7)"),
    ("registration", "Registration notice (RRA 3)"),
    ("ld_statement", "Liquidated damages statement (RRA 2(b))"),
    ("other", "Other"),
]


def deemed_given(
    *, method: str, sent_date: datetime.date, delivered_date: datetime.date | None = None, financing: Financing | None = None
) -> nt.DeemedGiven:
    """SPA 10: the date a notice sent by ``method`` on ``sent_date`` is deemed given, under the
    notice terms of ``financing`` (default: the Series J financing, whose SPA 10 it is)."""
    financing = financing or series_j_financing()
    if financing is None:
        raise ValidationError("No financing is recorded yet: SPA 10 notice terms come from a financing's deal terms.")
    _, terms = terms_in_force(financing=financing, day=sent_date)
    try:
        return nt.deemed_given(nt.NoticeSending(METHODS[method], sent_date, delivered_date), terms)
    except TermsError as err:
        raise ValidationError(str(err))


def address_on(investor: Investor, day: datetime.date, changes=None) -> tuple[str, AddressChange | None]:
    """SPA 10: the investor's notice address for a notice sent on ``day`` --
    the latest change already in effect, else the address of record."""
    changes = list(investor.address_changes.all()) if changes is None else changes
    in_force = [c for c in changes if c.effective_date <= day]
    if not in_force:
        return investor.notice_address, None
    latest = max(in_force, key=lambda c: (c.effective_date, c.pk))
    return latest.new_address, latest


@transaction.atomic
def outbound_notice_record(
    *,
    investor: Investor,
    subject: str,
    kind: str,
    method: str,
    sent_date: datetime.date,
    delivered_date: datetime.date | None = None,
    related_object: str = "",
    user,
) -> OutboundNotice:
    """Log a notice the company sends (SPA 10) with its deemed-given date and
    the address in force on the sending date."""
    if delivered_date and delivered_date < sent_date:
        raise ValidationError({"delivered_date": f"Delivered {delivered_date.isoformat()} before it was sent {sent_date.isoformat()}."})
    given = deemed_given(method=method, sent_date=sent_date, delivered_date=delivered_date, financing=notice_financing(investor))
    address, _change = address_on(investor, sent_date)
    return OutboundNotice.objects.create(
        investor=investor,
        subject=subject,
        kind=kind,
        method=method,
        sent_date=sent_date,
        deemed_given_date=given.deemed_given_on,
        address_used=address,
        related_object=related_object,
        created_by=user,
    )


@transaction.atomic
def address_change_record(
    *,
    investor: Investor,
    notice_method: str,
    notice_sent_date: datetime.date,
    new_address: str,
    new_fax: str = "",
) -> AddressChange:
    """SPA 10: an investor's new notice address, effective 10 days after its
    notice of the change is deemed given ("ten (10) days' advance written
    notice similarly given")."""
    Investor.objects.select_for_update().get(pk=investor.pk)
    financing = notice_financing(investor)
    given = deemed_given(method=notice_method, sent_date=notice_sent_date, financing=financing)
    _, terms = terms_in_force(financing=financing, day=notice_sent_date)
    change = nt.address_change_effective(notice_deemed_given_on=given.deemed_given_on, terms=terms)
    return AddressChange.objects.create(
        investor=investor,
        notice_date=given.deemed_given_on,
        effective_date=change.effective_on,
        new_address=new_address,
        new_fax=new_fax,
    )
