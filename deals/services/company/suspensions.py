"""Suspensions of sales under the registration statement (RRA 3(h)).

A deal admin records a Potential Material Event notice and the suspension
it starts. ``suspension_preview`` gives the verdict before anything is
saved (the page and the JSON endpoint call it); ``suspension_record`` saves
the period with the same verdict and, for days outside a Permitted
Suspension Period, writes the obligation (those days are Restricted Sale
Dates, RRA 2(b)(ii), and Periodic Amounts run).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import RegistrationStatement, SuspensionPeriod
from deals.selectors.terms import terms_in_force
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_put
from deals.terms import suspensions as susp
from deals.terms.errors import TermsError

CLAUSE = "RRA 3(h)"


def _existing(statement: RegistrationStatement, before: datetime.date, exclude_pk=None) -> list[susp.SuspensionPeriod]:
    qs = statement.suspensions.filter(start_date__lt=before).order_by("start_date")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [susp.SuspensionPeriod(s.start_date, s.end_date) for s in qs]


def notice_given_on(*, statement: RegistrationStatement, sent_date: datetime.date, method: str) -> datetime.date:
    """SPA 10 wiring (issue 16 item 10): the Potential Material Event notice sent from the app on
    ``sent_date`` by ``method`` to every Investor is given when SPA 10 deems it given to the LAST of
    them (each Investor is owed the notice, RRA 3(h); RRA 11(b) adopts SPA 10)."""
    from ._common import buyers, notice_financing
    from .outbound import deemed_given

    holders = buyers(statement.financing)
    if not holders:
        raise ValidationError("No Investors hold Series J in this financing: nobody to give the notice to.")
    return max(
        deemed_given(method=method, sent_date=sent_date, financing=notice_financing(inv)).deemed_given_on for inv, *_ in holders
    )


def suspension_preview(
    *,
    statement: RegistrationStatement,
    notice_date: datetime.date | None,
    start_date: datetime.date,
    end_date: datetime.date,
    notice_required: bool = True,
    notice_method: str = "",
) -> susp.SuspensionVerdict:
    """RRA 3(h) verdict on a proposed suspension against the statement's earlier
    ones: permitted or not, and which days are not, rule by rule. Raises
    ``ValidationError`` with the engine's sentence on impossible input. With
    ``notice_method``, ``notice_date`` is the day the notice is sent from the app and
    the notice counts from its SPA 10 deemed-given date (``notice_given_on``)."""
    if notice_method and notice_date is not None:
        notice_date = notice_given_on(statement=statement, sent_date=notice_date, method=notice_method)
    if statement.effective_date is None:
        raise ValidationError("RRA 3(h) applies to an effective registration statement; this one has no Effective Date yet.")
    if start_date < statement.effective_date:
        raise ValidationError(
            {
                "start_date": f"The suspension starts {start_date.isoformat()}, before the Effective Date "
                f"{statement.effective_date.isoformat()}."
            }
        )
    later = statement.suspensions.filter(end_date__gte=start_date).order_by("start_date").first()
    if later is not None:
        raise ValidationError(
            f"A suspension from {later.start_date.isoformat()} to {later.end_date.isoformat()} is already "
            f"recorded; a new one must start after {later.end_date.isoformat()}."
        )
    _, terms = terms_in_force(financing=statement.financing_id, day=start_date)
    try:
        return susp.judge_suspension(
            proposed=susp.SuspensionPeriod(start_date, end_date),
            existing=_existing(statement, start_date),
            notice_given_on=notice_date,
            notice_required=notice_required,
            terms=terms,
        )
    except TermsError as err:
        raise ValidationError(str(err))


@transaction.atomic
def suspension_record(
    *,
    statement: RegistrationStatement,
    notice_date: datetime.date | None,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str,
    notice_required: bool,
    user,
    as_of: datetime.date,
    notice_method: str = "",
) -> SuspensionPeriod:
    """Save a suspension (RRA 3(h)) with its verdict; not-permitted days become
    a SUSPENSION_EXCESS obligation (RRA 2(b)(ii) Restricted Sale Date) and the
    Periodic Amounts are recomputed."""
    statement = RegistrationStatement.objects.select_for_update().get(pk=statement.pk)
    sent_date = notice_date
    if notice_method and notice_date is not None:  # SPA 10: the notice counts from its deemed-given date
        notice_date = notice_given_on(statement=statement, sent_date=sent_date, method=notice_method)
    verdict = suspension_preview(
        statement=statement,
        notice_date=notice_date,
        start_date=start_date,
        end_date=end_date,
        notice_required=notice_required,
    )
    period = SuspensionPeriod.objects.create(
        statement=statement,
        notice_date=notice_date,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        permitted=verdict.permitted,
        non_permitted_days=[d.isoformat() for d in verdict.not_permitted_days],
        notice_required=notice_required,
        verdict=verdict.as_dict(),
        created_by=user,
    )
    if notice_method and sent_date is not None:
        from ._common import buyers
        from .outbound import outbound_notice_record

        for inv, *_ in buyers(statement.financing):
            outbound_notice_record(investor=inv, subject="Potential Material Event (RRA 3(h))", kind="suspension",
                                   method=notice_method, sent_date=sent_date,
                                   related_object=f"deals.suspensionperiod:{period.pk}", user=user)
    # the sweep's builder: every span, those still ahead included (the restriction is planned)
    ledger_put(source=period, rows=[
        build.suspension_excess(suspension_id=period.pk, first=first, last=last, breaches=verdict.breaches, as_of=as_of)
        for first, last in verdict.restricted_spans
    ], as_of=as_of, user=user)
    from .liquidated_damages import ld_obligations_sync

    ld_obligations_sync(financing=statement.financing, as_of=as_of)
    return period
