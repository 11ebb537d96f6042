"""Debenture redemption (Debenture 4(B)); deal admins only (checked by the views).

- Notice of Redemption: only for a Debenture for which no Notice of Conversion has ever been
  submitted (pending or delivered, 4(B)(i)) and whose redemption right has not ended (a late
  payment voided an earlier notice, 4(B)(ii)); price 120% of principal + accrued interest,
  payable within 10 business days of the notice.
- The holder may convert instead within 5 business days of receiving the notice
  (``conversions.conversion_submit`` marks the redemption CONVERTED).
- Payment after the due date: the Notice of Redemption is void and the right to redeem ends.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from deals.models import (
    Conversion,
    Debenture,
    InstrumentStatus,
    Redemption,
    RedemptionStatus,
)
from deals.selectors.terms import terms_in_force
from deals.services.calendar import business_date, not_after_business_date
from deals.services.conversions import WorkflowError, money
from deals.services.ledger.sync import debenture_sync, redemption_sync
from deals.services.ledger.writer import history_record
from deals.terms.errors import TermsError
from deals.terms.redemption import RedemptionQuote, redemption_quote, redemption_status

CLAUSE = "Debenture 4(B)"


def received_by_notice(
    *, debenture: Debenture, notice_date: datetime.date, method: str, typed: datetime.date | None = None,
    delivered_date: datetime.date | None = None,
) -> datetime.date:
    """SPA 10 wiring (issue 16 item 10): a Notice of Redemption sent from the app by ``method`` is received
    by the holder on the date SPA 10 deems it given -- the holder's convert-instead window (Debenture
    4(B)(ii)) runs from that date, not from a typed one. A typed date that differs is refused."""
    from django.core.exceptions import ValidationError

    from deals.services.company._common import notice_financing
    from deals.services.company.outbound import deemed_given

    try:
        given = deemed_given(method=method, sent_date=notice_date, delivered_date=delivered_date,
                             financing=notice_financing(debenture.investor)).deemed_given_on
    except ValidationError as err:
        raise WorkflowError(" ".join(err.messages), code="invalid", field="notice_method")
    if typed is not None and typed != given:
        raise WorkflowError(
            f"SPA 10: the notice is sent from the app, so the holder receives it on the date it is deemed given, "
            f"{given.isoformat()}, not {typed.isoformat()}; leave the receipt date empty or correct it.",
            code="invalid",
            field="received_date",
        )
    return given


def redemption_preview(
    *, debenture: Debenture, notice_date: datetime.date, received_date: datetime.date | None, notice_method: str = ""
) -> RedemptionQuote:
    """Price a Notice of Redemption (pure read). Raises ``WorkflowError``. With ``notice_method`` the
    holder's receipt is the SPA 10 deemed-given date (``received_by_notice``)."""
    if notice_method:
        received_date = received_by_notice(debenture=debenture, notice_date=notice_date, method=notice_method, typed=received_date)
    if received_date is None:
        raise WorkflowError("Give the date the holder received the notice, or send it from the app (SPA 10).",
                            code="invalid", field="received_date")
    not_after_business_date(notice_date, what="notice date", field="notice_date")
    if received_date < notice_date:
        raise WorkflowError(
            f"The holder cannot receive the notice ({received_date.isoformat()}) before its date ({notice_date.isoformat()}).",
            code="invalid",
            field="received_date",
        )
    if debenture.status != InstrumentStatus.OUTSTANDING or debenture.principal_outstanding <= 0:
        raise WorkflowError(
            f"{debenture.label} is {debenture.get_status_display().lower()}: nothing is left to redeem.", code="closed", field="debenture"
        )
    void = Redemption.objects.filter(debenture=debenture, status=RedemptionStatus.VOID).order_by("notice_date").first()
    if void is not None:
        paid = f"paid on {void.payment_date.isoformat()}" if void.payment_date else "not paid"
        raise WorkflowError(
            f"The Company's right to redeem {debenture.label} has ended: the redemption price of its Notice of Redemption "
            f"dated {void.notice_date.isoformat()} was due by {void.payment_due_date.isoformat()} and {paid}, so that notice "
            "is null and void and \"any rights of the Company to redeem the Debenture shall terminate\" (Debenture 4(B)(ii)). "
            "A new Notice of Redemption cannot be recorded.",
            code="redemption_right_ended",
            field="debenture",
        )
    submitted = Conversion.objects.filter(debenture=debenture).order_by("conversion_date", "pk").first()
    if submitted is not None:
        raise WorkflowError(
            f"{debenture.label} cannot be redeemed: a Notice of Conversion was submitted for it (conversion #{submitted.pk} "
            f"of {submitted.conversion_date.isoformat()}, {submitted.get_status_display().lower()}). Debenture 4(B)(i) allows "
            "redemption only of Debentures \"for which a Notice of Conversion has not theretofore been submitted\".",
            code="conversion_submitted",
            field="debenture",
        )
    open_redemption = Redemption.objects.filter(debenture=debenture, status=RedemptionStatus.PENDING).first()
    if open_redemption is not None:
        raise WorkflowError(
            f"{debenture.label} already has a Notice of Redemption awaiting payment (dated {open_redemption.notice_date.isoformat()}, "
            f"due {open_redemption.payment_due_date.isoformat()}).",
            code="duplicate",
            field="debenture",
        )
    _, terms = terms_in_force(financing=debenture.financing_id, day=notice_date)
    try:
        return redemption_quote(
            terms=terms,
            principal=debenture.principal_outstanding,
            dated_date=debenture.dated_date,
            issued_date=debenture.issue_date,
            notice_date=notice_date,
            received_on=received_date,
            interest_paid_through=debenture.interest_paid_through,
        )
    except TermsError as err:
        raise WorkflowError(str(err), code="invalid")


@transaction.atomic
def redemption_notice(
    *, debenture: Debenture, notice_date: datetime.date, received_date: datetime.date | None, idempotency_key: str, user,
    notice_method: str = "",
) -> Redemption:
    """Debenture 4(B): record a Notice of Redemption with the 120% + interest price, the payment
    deadline and the holder's convert-instead window; open both obligations; request the notice."""
    if not idempotency_key:
        raise WorkflowError("The form is missing its submission key; reload the page and try again.", code="no_key")
    locked = Debenture.objects.select_for_update().get(pk=debenture.pk)
    existing = Redemption.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        existing.replayed = True
        return existing
    if notice_method:
        received_date = received_by_notice(debenture=locked, notice_date=notice_date, method=notice_method, typed=received_date)
    quote = redemption_preview(debenture=locked, notice_date=notice_date, received_date=received_date)
    version, _ = terms_in_force(financing=locked.financing_id, day=notice_date)
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                debenture=locked,
                terms_version=version,
                notice_date=notice_date,
                notice_received_date=received_date,
                principal=quote.principal,
                premium_amount=quote.premium_amount,
                interest_amount=quote.interest.amount,
                total_amount=quote.amount,
                payment_due_date=quote.payment_due,
                convert_until=quote.convert_deadline,
                snapshot={**quote.as_dict(), "terms_version": version.version},
                idempotency_key=idempotency_key,
                created_by=user,
            )
    except IntegrityError:
        existing = Redemption.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        existing.replayed = True
        return existing
    redemption.replayed = False
    if notice_method:  # SPA 10: the notice sent from the app is logged with its deemed-given date
        from deals.services.company.outbound import outbound_notice_record

        outbound_notice_record(investor=locked.investor, subject=f"Notice of Redemption of {locked.label}", kind="redemption",
                               method=notice_method, sent_date=notice_date, related_object=f"deals.redemption:{redemption.pk}",
                               user=user)
    redemption_sync(redemption, as_of=business_date(), user=user)
    from notices.services import notice_request

    notice_request(record=redemption, kind="redemption", user=user)
    return redemption


@transaction.atomic
def redemption_payment_record(*, redemption: Redemption, payment_date: datetime.date, user, method: str = "wire",
                              reference: str = ""):
    """Debenture 4(B)(ii): record the payment. On time: a Settlement of the redemption's ledger row
    for the price with interest through the actual payment date, submitted like a payment on the
    obligation page (``deals.services.approvals.settlement_submit``, issue 12): at or under
    ``APPROVAL_PAYMENT_THRESHOLD`` it is recorded at once through ``settlement_record`` (deal admins
    only, amount and date checks, history) -- paid in full, the redemption is PAID and the
    Debenture REDEEMED (``redemption_paid``) -- and the Redemption is returned; above it the
    pending ``Approval`` is returned and the redemption stays PENDING until a second deal admin
    approves (a second request meanwhile is refused naming it). Late: the Notice of Redemption is
    VOID and the Company's right to redeem the Debenture ends; the Debenture stays outstanding
    (nothing is settled, so nothing waits for approval)."""
    from deals.models import Approval, ApprovalStatus, Obligation, ObligationKind
    from deals.selectors.settlements import AmountUnavailable, amount_due_on
    from deals.services.approvals import settlement_submit

    red = Redemption.objects.select_for_update().select_related("debenture", "terms_version").get(pk=redemption.pk)
    if red.status != RedemptionStatus.PENDING:
        raise WorkflowError(f"This redemption is already {red.get_status_display().lower()}.", code="wrong_status")
    pending = (Approval.objects.filter(status=ApprovalStatus.PENDING, obligation__kind=ObligationKind.REDEMPTION_PAYMENT,
                                       obligation__content_type__model="redemption", obligation__object_id=red.pk)
               .order_by("pk").first())
    if pending is not None:  # before the lateness check: a later date must not void a notice whose payment waits
        raise WorkflowError(
            f"The payment of this redemption is already pending approval #{pending.pk} ({money(pending.amount)}); a "
            "second deal admin approves or rejects it (issue 12).", code="pending_approval", field="payment_date")
    today = not_after_business_date(payment_date, what="payment date", field="payment_date")
    if payment_date < red.notice_date:
        raise WorkflowError(
            f"Payment on {payment_date.isoformat()} cannot precede the Notice of Redemption ({red.notice_date.isoformat()}).",
            code="invalid",
            field="payment_date",
        )
    terms = red.terms_version.to_terms()
    status = redemption_status(terms=terms, notice_date=red.notice_date, as_of=today, paid_on=payment_date)
    if status.void:
        snap = dict(red.snapshot)
        snap["payment_status"] = status.as_dict()
        red.payment_date = payment_date
        red.status = RedemptionStatus.VOID
        red.snapshot = snap
        red.save(update_fields=["status", "payment_date", "snapshot", "updated_at"])
        redemption_sync(red, as_of=today, user=user)
        return red
    redemption_sync(red, as_of=today, user=user)  # the row exists and is current before it is settled
    row = Obligation.objects.get(kind=ObligationKind.REDEMPTION_PAYMENT, content_type__model="redemption", object_id=red.pk)
    try:
        due = amount_due_on(row, payment_date)
    except AmountUnavailable as err:
        raise WorkflowError(str(err), code="amount_unavailable", field="payment_date")
    result = settlement_submit(obligation_id=row.pk, kind="payment", date=payment_date, amount=due.balance, method=method,
                               reference=reference or f"Redemption of {red.debenture.label}", by=user)
    if isinstance(result, Approval):
        return result
    red.refresh_from_db()
    return red


def redemption_paid(*, redemption_id: int, payment_date: datetime.date, amount, user) -> Redemption:
    """Debenture 4(B)(ii): the redemption price paid in full (called by ``settlement_record`` when
    the REDEMPTION_PAYMENT row is paid, whichever page recorded it): the redemption is PAID at the
    price fixed at payment (interest through the payment date), the Debenture REDEEMED with its
    principal reduced by exactly the principal the notice priced, the convert-instead window closed;
    the ledger rows follow in the same transaction."""
    red = Redemption.objects.select_for_update().select_related("debenture", "terms_version").get(pk=redemption_id)
    if red.status != RedemptionStatus.PENDING:
        return red
    terms = red.terms_version.to_terms()
    today = business_date()
    deb = Debenture.objects.select_for_update().get(pk=red.debenture_id)
    actual = redemption_quote(
        terms=terms,
        principal=red.principal,
        dated_date=deb.dated_date,
        issued_date=deb.issue_date,
        notice_date=red.notice_date,
        received_on=red.notice_received_date,
        payment_date=payment_date,
        interest_paid_through=deb.interest_paid_through,
    )
    snap = dict(red.snapshot)
    snap["payment_status"] = redemption_status(terms=terms, notice_date=red.notice_date, as_of=today, paid_on=payment_date).as_dict()
    snap["paid"] = actual.as_dict()
    red.status = RedemptionStatus.PAID
    red.payment_date = payment_date
    red.interest_amount = actual.interest.amount
    red.total_amount = amount
    red.snapshot = snap
    red.save(update_fields=["status", "payment_date", "interest_amount", "total_amount", "snapshot", "updated_at"])
    # the outstanding principal moves by exactly the principal stored with the redemption
    rows = Debenture.objects.filter(pk=deb.pk, principal_outstanding=red.principal).update(
        principal_outstanding=F("principal_outstanding") - red.principal
    )
    if rows != 1:
        raise WorkflowError(
            f"{deb.label} has {money(deb.principal_outstanding)} outstanding, not the {money(red.principal)} the Notice of "
            "Redemption priced; record the redemption again from a new notice.",
            code="outstanding_changed",
        )
    history_record(Debenture, [deb.pk], user_id=getattr(user, "pk", None), reason="redemption paid")
    deb.refresh_from_db(fields=["principal_outstanding"])
    deb.status = InstrumentStatus.REDEEMED
    deb.interest_paid_through = payment_date
    deb._history_user = user
    deb.save(update_fields=["status", "interest_paid_through", "updated_at"])
    redemption_sync(red, as_of=today, user=user)  # the convert-instead window ends with the payment (void)
    debenture_sync(deb, as_of=today, user=user)
    return red


def redemption_state(redemption: Redemption, as_of: datetime.date | None = None):
    """Engine view of a redemption as of the business date (late/void, note)."""
    today = business_date() if as_of is None else as_of
    return redemption_status(
        terms=redemption.terms_version.to_terms(), notice_date=redemption.notice_date, as_of=today, paid_on=redemption.payment_date
    )
