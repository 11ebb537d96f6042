"""Events of Default under the Debenture (Debenture 10).

Record the failure (kind (a)-(k), date, the Holder's written notice where
10(e) needs one), its cure deadline (``deals.terms.events.cure_deadline``),
then either a cure in time, a written waiver by the Holder (who and when),
or -- once the Event of Default exists -- acceleration at the Holder's
option with the amount then due (principal + accrued interest).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import Debenture, EventOfDefault, Financing
from deals.selectors.terms import terms_in_force
from deals.services.calendar import refuse_future_date
from deals.services.ledger import rows as build
from deals.services.ledger.sync import default_sync
from deals.services.ledger.writer import ledger_put
from deals.terms import events as ev
from deals.terms.conversion import accrued_interest
from deals.terms.errors import TermsError

KIND_CHOICES = [(e.value, f"10({e.value}) {e.summary}") for e in ev.EventOfDefault]


def _deadline(eod: EventOfDefault, terms) -> ev.CureDeadline:
    d = eod.details or {}
    try:
        return ev.cure_deadline(
            ev.EventOfDefault(eod.kind),
            occurred_on=eod.occurred_date,
            notice_on=eod.written_notice_date,
            proposed_sale_on=datetime.date.fromisoformat(d["proposed_sale_on"]) if d.get("proposed_sale_on") else None,
            instituted_by_company=bool(d.get("instituted_by_company")),
            company_acquiesced=bool(d.get("company_acquiesced")),
            terms=terms,
        )
    except TermsError as err:
        raise ValidationError(str(err))


def assessment(eod: EventOfDefault, as_of: datetime.date) -> ev.DefaultAssessment:
    """Debenture 10: where the event stands on ``as_of``."""
    _, terms = terms_in_force(financing=eod.financing_id, day=eod.occurred_date)
    d = eod.details or {}
    try:
        return ev.assess_default(
            ev.EventOfDefault(eod.kind),
            occurred_on=eod.occurred_date,
            as_of=max(as_of, eod.occurred_date),
            cured_on=eod.cured_date,
            notice_on=eod.written_notice_date,
            proposed_sale_on=datetime.date.fromisoformat(d["proposed_sale_on"]) if d.get("proposed_sale_on") else None,
            instituted_by_company=bool(d.get("instituted_by_company")),
            company_acquiesced=bool(d.get("company_acquiesced")),
            judgment_total=Decimal(d["judgment_total"]) if d.get("judgment_total") else None,
            terms=terms,
        )
    except TermsError as err:
        raise ValidationError(str(err))


def _write_cure_obligation(eod: EventOfDefault, deadline: ev.CureDeadline, as_of: datetime.date) -> None:
    """Debenture 10: the cure-period row through the ledger's builder (the sweep's too)."""
    default_sync(eod, as_of=as_of)


@transaction.atomic
def default_record(
    *,
    financing: Financing,
    debenture: Debenture | None,
    kind: str,
    occurred_date: datetime.date,
    written_notice_date: datetime.date | None = None,
    proposed_sale_date: datetime.date | None = None,
    instituted_by_company: bool = False,
    company_acquiesced: bool = False,
    judgment_total: Decimal | None = None,
    description: str = "",
    user,
    as_of: datetime.date,
) -> EventOfDefault:
    """Debenture 10(a)-(k): record a failure and its cure deadline; the
    deadline goes to the obligations ledger (CURE_PERIOD)."""
    refuse_future_date(occurred_date, what="date of the failure", field="occurred_date", today=as_of)
    event = ev.EventOfDefault(kind)
    if event is ev.EventOfDefault.JUDGMENT:
        if judgment_total is None:
            raise ValidationError({"judgment_total": "Debenture 10(i) counts judgments over $200,000 in aggregate: give the total."})
        _, terms = terms_in_force(financing=financing, day=occurred_date)
        if not ev.judgment_threshold_exceeded(judgment_total, terms):
            raise ValidationError(
                {
                    "judgment_total": f"Debenture 10(i): judgments of ${judgment_total:,} are not in excess of "
                    f"${terms.eod_judgment_threshold:,}; not an Event of Default."
                }
            )
    if written_notice_date and written_notice_date < occurred_date:
        raise ValidationError({"written_notice_date": "The Holder's notice precedes the failure it reports."})
    eod = EventOfDefault(
        financing=financing,
        debenture=debenture,
        kind=kind,
        occurred_date=occurred_date,
        written_notice_date=written_notice_date,
        description=description,
        created_by=user,
        details={
            "proposed_sale_on": proposed_sale_date.isoformat() if proposed_sale_date else None,
            "instituted_by_company": instituted_by_company,
            "company_acquiesced": company_acquiesced,
            "judgment_total": str(judgment_total) if judgment_total is not None else None,
        },
    )
    _, terms = terms_in_force(financing=financing, day=occurred_date)
    deadline = _deadline(eod, terms)
    eod.cure_deadline = deadline.cure_by
    eod.details["cure"] = deadline.as_dict()
    eod.save()
    _write_cure_obligation(eod, deadline, as_of)
    return eod


def _lock(eod: EventOfDefault) -> EventOfDefault:
    return EventOfDefault.objects.select_for_update(of=("self",)).select_related("debenture__investor").get(pk=eod.pk)


@transaction.atomic
def default_notice_record(*, eod: EventOfDefault, written_notice_date: datetime.date, as_of: datetime.date) -> EventOfDefault:
    """Debenture 10(e): the Holder's written notice starts the 30-day cure period."""
    eod = _lock(eod)
    if eod.status != EventOfDefault.Status.OPEN:
        raise ValidationError(f"The event is {eod.get_status_display().lower()}.")
    if written_notice_date < eod.occurred_date:
        raise ValidationError({"written_notice_date": "The Holder's notice precedes the failure it reports."})
    eod.written_notice_date = written_notice_date
    _, terms = terms_in_force(financing=eod.financing_id, day=eod.occurred_date)
    deadline = _deadline(eod, terms)
    eod.cure_deadline = deadline.cure_by
    eod.details = {**eod.details, "cure": deadline.as_dict()}
    eod.save(update_fields=["written_notice_date", "cure_deadline", "details", "updated_at"])
    _write_cure_obligation(eod, deadline, as_of)
    return eod


@transaction.atomic
def default_cure(*, eod: EventOfDefault, cured_date: datetime.date, as_of: datetime.date) -> EventOfDefault:
    """Debenture 10: a cure on or before the cure deadline prevents the Event of Default."""
    eod = _lock(eod)
    if eod.status != EventOfDefault.Status.OPEN:
        raise ValidationError(f"The event is {eod.get_status_display().lower()}.")
    if cured_date < eod.occurred_date or cured_date > as_of:
        raise ValidationError(
            {"cured_date": f"The cure date must be between {eod.occurred_date.isoformat()} and the business date {as_of.isoformat()}."}
        )
    _, terms = terms_in_force(financing=eod.financing_id, day=eod.occurred_date)
    deadline = _deadline(eod, terms)
    if deadline.immediate:
        raise ValidationError(
            f"{deadline.clause} has no grace period: the Event of Default exists; only the Holder's written waiver ends it."
        )
    if deadline.cure_by is None:
        raise ValidationError("The cure period has not started (no written notice from the Holder yet).")
    if cured_date > deadline.cure_by:
        raise ValidationError(
            {
                "cured_date": f"{deadline.clause}: the cure period ended {deadline.cure_by.isoformat()}; a cure on "
                f"{cured_date.isoformat()} is too late -- record the Holder's written waiver or acceleration."
            }
        )
    eod.status = EventOfDefault.Status.CURED
    eod.cured_date = cured_date
    eod.save(update_fields=["status", "cured_date", "updated_at"])
    default_sync(eod, as_of=as_of)
    return eod


@transaction.atomic
def default_waive(
    *, eod: EventOfDefault, waived_by: str, waived_date: datetime.date, reference: str, as_of: datetime.date
) -> EventOfDefault:
    """Debenture 10: only a waiver "in writing by the Holder" stops acceleration
    (and does not waive any later default). Records who signed and when."""
    eod = _lock(eod)
    if eod.status in (EventOfDefault.Status.WAIVED, EventOfDefault.Status.ACCELERATED, EventOfDefault.Status.CURED):
        raise ValidationError(f"The event is already {eod.get_status_display().lower()}.")
    if not waived_by.strip() or not reference.strip():
        raise ValidationError("Debenture 10: a waiver must be in writing by the Holder -- give who signed it and the document.")
    if waived_date < eod.occurred_date or waived_date > as_of:
        raise ValidationError({"waived_date": f"The waiver date must be between {eod.occurred_date.isoformat()} and {as_of.isoformat()}."})
    eod.status = EventOfDefault.Status.WAIVED
    eod.waived_by = waived_by.strip()
    eod.waived_date = waived_date
    eod.waiver_reference = reference.strip()
    eod.save(update_fields=["status", "waived_by", "waived_date", "waiver_reference", "updated_at"])
    default_sync(eod, as_of=as_of)
    return eod


def acceleration_quote(eod: EventOfDefault, on: datetime.date) -> ev.Acceleration:
    """Debenture 10: what the Holder may declare due on ``on`` -- principal
    outstanding + interest accrued to that date (``deals.terms.events``)."""
    if eod.debenture_id is None:
        raise ValidationError("Acceleration is of a Debenture: record the event against the Holder's Debenture.")
    deb = eod.debenture
    _, terms = terms_in_force(financing=eod.financing_id, day=on)
    try:
        interest = accrued_interest(
            terms=terms,
            principal=deb.principal_outstanding,
            dated_date=deb.dated_date,
            issued_date=deb.issue_date,
            to_date=on,
            paid_through=deb.interest_paid_through,
        )
        return ev.acceleration_amount(principal_outstanding=deb.principal_outstanding, accrued_interest=interest.amount)
    except TermsError as err:
        raise ValidationError(str(err))


@transaction.atomic
def default_accelerate(*, eod: EventOfDefault, accelerated_date: datetime.date, as_of: datetime.date) -> EventOfDefault:
    """Debenture 10: after an Event of Default not waived in writing the Holder
    may declare the Debenture immediately due; records the amount due."""
    eod = _lock(eod)
    if eod.status != EventOfDefault.Status.OPEN:
        raise ValidationError(f"The event is {eod.get_status_display().lower()}; it cannot be accelerated.")
    refuse_future_date(accelerated_date, what="acceleration date", field="accelerated_date", today=as_of)
    state = assessment(eod, accelerated_date)
    if state.status is not ev.DefaultStatus.EVENT_OF_DEFAULT:
        cure_by = state.deadline.cure_by.isoformat() if state.deadline.cure_by else "the Holder's notice + cure period"
        raise ValidationError(
            {
                "accelerated_date": f"{state.deadline.clause}: on {accelerated_date.isoformat()} there is no Event of Default yet "
                f"({state.note}); the Holder may accelerate from the day after {cure_by}."
            }
        )
    if eod.debenture_id:
        Debenture.objects.select_for_update().get(pk=eod.debenture_id)
    quote = acceleration_quote(eod, accelerated_date)
    eod.status = EventOfDefault.Status.ACCELERATED
    eod.accelerated_date = accelerated_date
    eod.acceleration_amount = quote.total
    eod.acceleration_snapshot = {**quote.as_dict(), "assessment": state.as_dict()}
    eod.save(update_fields=["status", "accelerated_date", "acceleration_amount", "acceleration_snapshot", "updated_at"])
    default_sync(eod, as_of=as_of)
    if quote.total > 0:
        ledger_put(source=eod, rows=[build.acceleration(eod=eod, quote=quote, accelerated_date=accelerated_date)], as_of=as_of)
    return eod
