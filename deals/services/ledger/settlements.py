"""Settlement of amounts owed: payments, waivers and reversing entries.

``settlement_record`` is the single entry point for a payment or a waiver
(pages and the API go through ``deals.services.approvals.settlement_submit``: a
waiver or a payment above ``APPROVAL_PAYMENT_THRESHOLD`` waits for a second deal
admin, whose approval calls it; ``settlement_check`` runs its checks writing nothing); ``settlement_reverse`` is the
only correction. Both lock the obligation row (``select_for_update``), so two
deal admins paying the same obligation at once cannot together exceed its
balance. Entries are never edited; the obligation's ``settled`` total and its
status (open -> part-paid -> paid / waived) change here only, with history.

Amounts that depend on the date of payment (SPA 4(i)(y), 5(c), 5(f);
Debenture 4(B) and maturity interest) are fixed at the payment that closes
the row (``deals.selectors.settlements.amount_due_on``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from deals.models import (
    Debenture,
    InstrumentStatus,
    Obligation,
    ObligationKind,
    ObligationStatus,
    Settlement,
    SettlementKind,
    SettlementMethod,
)
from deals.selectors.settlements import (
    MONEY_KINDS,
    UNSETTLED,
    AmountUnavailable,
    amount_due_on,
    arose_on,
)
from deals.services.calendar import not_after_business_date
from deals.services.conversions import WorkflowError
from deals.services.roles import is_deal_admin

CENT = Decimal("0.01")
# Closing these rows changes another record (Debenture redeemed or matured; the RRA 2(b) schedule's
# payment): their closing entry is not reversible here.
INSTRUMENT_CLOSING = (ObligationKind.REDEMPTION_PAYMENT, ObligationKind.MATURITY, ObligationKind.PERIODIC_AMOUNT,
                      ObligationKind.SALE_PREPAYMENT)


from nhtc.formatting import money  # noqa: E402,F401 -- the one money formatter


def parse_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount in whole cents, or WorkflowError naming what is wrong."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "").lstrip("$"))
    except (InvalidOperation, ValueError, TypeError):
        raise WorkflowError(f"The amount {value!r} is not a number.", code="invalid_amount", field=field)
    if not amount.is_finite():
        raise WorkflowError(f"The amount must be a finite number of dollars, not {amount}.", code="invalid_amount", field=field)
    if amount <= 0:
        raise WorkflowError(f"The amount must be more than $0.00; you entered {amount}.", code="not_positive", field=field)
    if amount != amount.quantize(CENT):
        raise WorkflowError(
            f"The amount {amount} has fractions of a cent; amounts are recorded in whole cents (e.g. {amount.quantize(CENT)}).",
            code="sub_cent",
            field=field,
        )
    return amount.quantize(CENT)


def _require_admin(by) -> None:
    if by is None or not is_deal_admin(by):
        raise PermissionDenied("Only a deal admin may record or reverse a settlement; clerks can read the books.")


def _lock(obligation_id: int) -> Obligation:
    try:
        return Obligation.objects.select_for_update().get(pk=obligation_id)
    except Obligation.DoesNotExist:
        raise WorkflowError(f"There is no obligation #{obligation_id}.", code="not_found")


def _check_date(ob: Obligation, day: datetime.date) -> None:
    not_after_business_date(day, what="date", field="date")
    arose = arose_on(ob)
    if day < arose:
        raise WorkflowError(
            f"The date {day.isoformat()} is before the amount arose on {arose.isoformat()} ({ob.clause}).",
            code="before_arose",
            field="date",
        )


def _save(ob: Obligation, by, reason: str, fields: list[str]) -> None:
    ob._history_user = by
    ob._change_reason = reason
    ob.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def settlement_check(
    *,
    obligation_id: int,
    kind: str,
    date: datetime.date,
    amount,
    method: str = "",
    waived_by: str = "",
    instrument: str = "",
    by,
) -> Decimal:
    """Every check ``settlement_record`` makes, writing nothing: the amount in cents, or the
    WorkflowError it would raise. The approvals service runs it before a payment or waiver waits
    for a second deal admin, so a request that could never apply is refused at once."""
    return _checked(obligation_id=obligation_id, kind=kind, date=date, amount=amount, method=method,
                    waived_by=waived_by, instrument=instrument, by=by)[1]


def _checked(*, obligation_id, kind, date, amount, method, waived_by, instrument, by):
    _require_admin(by)
    if kind not in (SettlementKind.PAYMENT, SettlementKind.WAIVER):
        raise WorkflowError(f"Record a payment or a waiver, not {kind!r}; corrections are reversals.", code="invalid", field="kind")
    value = parse_amount(amount)
    ob = _lock(obligation_id)
    accrual = (ob.details or {}).get("accrual") if isinstance(ob.details, dict) else None
    if ob.kind == ObligationKind.PERIODIC_AMOUNT and ob.amount is None and accrual:
        raise WorkflowError(
            f"This Periodic Amount is still accruing: it is determined on its Computation Date "
            f"{accrual.get('next_computation_date', '?')} (or on cure) and payable then (RRA 2(b)(iii)-(iv)); "
            "nothing is owed yet to settle.", code="not_yet_determined")
    if ob.kind not in MONEY_KINDS or ob.amount is None:
        raise WorkflowError(f"{ob.get_kind_display()} is a deadline, not an amount owed; nothing to settle.", code="not_money")
    if ob.status not in UNSETTLED:
        raise WorkflowError(
            f"This obligation is {ob.get_status_display().lower()}"
            + (f" since {ob.satisfied_date.isoformat()}" if ob.satisfied_date else "")
            + "; closed rows are not settled again (reverse an entry to correct it).",
            code="closed",
        )
    _check_date(ob, date)
    try:
        due = amount_due_on(ob, date)
    except AmountUnavailable as err:
        raise WorkflowError(str(err), code="amount_unavailable", field="date")
    if value > due.balance:
        raise WorkflowError(
            f"The {kind} of {money(value)} is more than the balance of {money(due.balance)} owed on {date.isoformat()} "
            f"({money(due.amount)} due less {money(due.settled)} already settled).",
            code="over_balance",
            field="amount",
        )
    if kind == SettlementKind.PAYMENT:
        if method not in SettlementMethod.values:
            choices = ", ".join(label.lower() for label in SettlementMethod.labels)
            raise WorkflowError(f"Choose how it was paid: {choices}.", code="invalid", field="method")
        waived_by = instrument = ""
    else:
        if not waived_by.strip() or not instrument.strip():
            raise WorkflowError(
                "A waiver names who waived and the written instrument (e.g. \"Letter of the Holder dated ...\").",
                code="invalid",
                field="instrument" if waived_by.strip() else "waived_by",
            )
        method = ""
    return ob, value, due, method, waived_by, instrument


@transaction.atomic
def settlement_record(
    *,
    obligation_id: int,
    kind: str,
    date: datetime.date,
    amount,
    method: str = "",
    reference: str = "",
    document=None,
    waived_by: str = "",
    instrument: str = "",
    by,
) -> Settlement:
    """Record a payment or a waiver against an obligation (deal admins only).

    Pages and the API reach it through ``deals.services.approvals.settlement_submit``: a waiver
    and a payment above ``APPROVAL_PAYMENT_THRESHOLD`` wait for a second deal admin, whose
    approval calls this function.

    Refused, with nothing written: a clerk or anonymous user; an amount that is not a positive whole
    number of cents, or above the balance on that date; a date after the business date or before the
    amount arose; a closed row (paid, waived, satisfied, void); a row that is not money owed.
    """
    ob, value, due, method, waived_by, instrument = _checked(
        obligation_id=obligation_id, kind=kind, date=date, amount=amount, method=method, waived_by=waived_by,
        instrument=instrument, by=by)
    entry = Settlement(
        obligation=ob, kind=kind, date=date, amount=value, amount_due=due.amount, method=method,
        reference=reference.strip()[:200], waived_by=waived_by.strip()[:200], instrument=instrument.strip()[:300],
        recorded_by=by,
    )
    if document:
        entry.document = document
    entry._history_user = by
    entry.save()
    ob.settled = (ob.settled or Decimal(0)) + value
    fields = ["settled", "status"]
    if ob.settled >= due.amount:
        ob.status = ObligationStatus.PAID if kind == SettlementKind.PAYMENT else ObligationStatus.WAIVED
        ob.satisfied_date = date
        fields.append("satisfied_date")
        if due.computed and ob.amount != due.amount:  # fixed at payment
            ob.amount = due.amount
            ob.details = {**(ob.details or {}), "fixed_at_payment": date.isoformat(), "working": due.working}
            fields += ["amount", "details"]
    else:
        ob.status = ObligationStatus.PART_PAID
    _save(ob, by, f"{kind} of {money(value)} on {date.isoformat()} (settlement #{entry.pk})", fields)
    if ob.status == ObligationStatus.PAID:
        _instrument_closed(ob, date, by)
        if ob.kind == ObligationKind.PERIODIC_AMOUNT:
            from deals.services.company.liquidated_damages import periodic_amount_settled

            periodic_amount_settled(obligation=ob, paid_date=date, reference=entry.reference, user=by)
    return entry


def _instrument_closed(ob: Obligation, day: datetime.date, by) -> None:
    """Debenture 4(B)(ii): the redemption price paid in full redeems the Debenture; the maturity
    payment in full makes it Matured (Debenture preamble)."""
    if ob.kind == ObligationKind.REDEMPTION_PAYMENT:
        from deals.services.redemptions import redemption_paid

        redemption_paid(redemption_id=ob.object_id, payment_date=day, amount=ob.amount, user=by)
    elif ob.kind == ObligationKind.MATURITY:
        deb = Debenture.objects.select_for_update().get(pk=ob.object_id)
        deb.principal_outstanding = 0
        deb.status = InstrumentStatus.MATURED
        deb.interest_paid_through = day
        deb._history_user = by
        deb.save(update_fields=["principal_outstanding", "status", "interest_paid_through", "updated_at"])


@transaction.atomic
def settlement_reverse(*, settlement_id: int, date: datetime.date, reason: str, by) -> Settlement:
    """Take back a payment or waiver with a reversing entry (deal admins only). The obligation's
    balance re-opens: part-paid while something stays settled, else open (docs/interpretations.md,
    "Reversal re-opens the balance")."""
    _require_admin(by)
    try:
        original = Settlement.objects.select_related("obligation").get(pk=settlement_id)
    except Settlement.DoesNotExist:
        raise WorkflowError(f"There is no settlement #{settlement_id}.", code="not_found")
    ob = _lock(original.obligation_id)
    original = Settlement.objects.get(pk=settlement_id)
    if original.kind == SettlementKind.REVERSAL:
        raise WorkflowError("A reversal cannot itself be reversed; record the payment or waiver again.", code="invalid")
    if Settlement.objects.filter(reverses=original).exists():
        raise WorkflowError(f"Settlement #{original.pk} ({money(original.amount)}) is already reversed.", code="duplicate")
    if not reason.strip():
        raise WorkflowError("Say why the entry is reversed (e.g. \"wire returned\").", code="invalid", field="reason")
    not_after_business_date(date, what="date", field="date")
    if date < original.date:
        raise WorkflowError(
            f"The reversal date {date.isoformat()} is before the entry it reverses ({original.date.isoformat()}).",
            code="invalid",
            field="date",
        )
    if ob.kind in INSTRUMENT_CLOSING and ob.status == ObligationStatus.PAID:
        raise WorkflowError(
            f"This payment closed the {ob.get_kind_display()} and changed the record behind it (the Debenture's status "
            "or the RRA 2(b) schedule); "
            "a deal admin corrects that through the admin with the Holder's agreement, not by a reversal here.",
            code="instrument_closed",
        )
    entry = Settlement(
        obligation=ob, kind=SettlementKind.REVERSAL, date=date, amount=original.amount, reverses=original,
        reason=reason.strip()[:300], recorded_by=by,
    )
    entry._history_user = by
    entry.save()
    ob.settled = ob.settled - original.amount
    ob.status = ObligationStatus.PART_PAID if ob.settled > 0 else ObligationStatus.OPEN
    ob.satisfied_date = None
    _save(ob, by, f"reversal of settlement #{original.pk} ({money(original.amount)}) on {date.isoformat()}",
          ["settled", "status", "satisfied_date"])
    return entry
