"""Closing workflows (SPA 1(c)-(e), 6, 7, 8; Debenture 1). One function per step; each is
atomic, locks the room where two users could race, and raises ``WorkflowError`` with the clause
before writing anything."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from deals.models import (
    ClosingCondition,
    ClosingRoom,
    ConditionStatus,
    Debenture,
    DebentureRegisterEntry,
    EscrowDeposit,
    Financing,
    Issuer,
    ObligationKind,
    PreferredHolding,
    Subscription,
    Warrant,
)
from deals.selectors.closing import closing_status, escrow_deadline
from deals.selectors.prices import price_on
from deals.selectors.terms import terms_in_force
from deals.services.calendar import business_date, not_after_business_date
from deals.services.conversions import WorkflowError, money
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_close, ledger_put, obligations_for
from deals.terms import closing as engine
from deals.terms import registration as reg
from deals.terms.errors import InvalidInput, MissingPrice, TermsError
from deals.terms.warrants import warrant_terms

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".txt", ".doc", ".docx", ".tif", ".tiff", ".eml", ".msg")


def _not_future(day: datetime.date, what: str, field: str) -> None:
    not_after_business_date(day, what=what, field=field)


def _lock_room(room: ClosingRoom) -> ClosingRoom:
    return ClosingRoom.objects.select_for_update().select_related("financing__issuer").get(pk=room.pk)


def _require_open(room: ClosingRoom) -> None:
    if room.is_closed:
        raise WorkflowError(
            f"The closing was recorded on {room.closing_date.isoformat()}; the room is closed (SPA 6).", code="closed"
        )


def _escrow_row(room: ClosingRoom) -> None:
    ledger_put(source=room, rows=[build.escrow_deposit(room_id=room.pk, deadline=escrow_deadline(room))])


@transaction.atomic
def closing_room_open(
    *, financing: Financing, acceptance_date: datetime.date, first_offered_on: datetime.date | None = None, user
) -> ClosingRoom:
    """Open the closing room: record the acceptance (SPA 1(d)), generate one checklist item per
    condition of SPA 7 and SPA 8 from the agreement's text, and write the escrow deadline."""
    Financing.objects.select_for_update().get(pk=financing.pk)
    if ClosingRoom.objects.filter(financing=financing).exists():
        raise WorkflowError(f"{financing} already has a closing room.", code="exists")
    _not_future(acceptance_date, "acceptance date", "acceptance_date")
    if first_offered_on and first_offered_on > acceptance_date:
        raise WorkflowError(
            f"The first offer ({first_offered_on.isoformat()}) cannot follow the acceptance ({acceptance_date.isoformat()}).",
            field="first_offered_on",
        )
    try:
        engine.escrow_deposit_deadline(acceptance_date)
    except TermsError as err:
        raise WorkflowError(str(err), field="acceptance_date")
    room = ClosingRoom.objects.create(
        financing=financing, acceptance_date=acceptance_date, first_offered_on=first_offered_on, created_by=user
    )
    bulk_create_with_history([ClosingCondition(room=room, code=c.code) for c in engine.CONDITIONS], ClosingCondition)
    financing.acceptance_date = acceptance_date
    financing.save(update_fields=["acceptance_date", "updated_at"])
    _escrow_row(room)
    return room


@transaction.atomic
def subscription_add(
    *, room: ClosingRoom, investor, amount: Decimal, purchase_price: Decimal, denominations: int = 1, user
) -> Subscription:
    """A Buyer's signature-page amount (SPA 1(a)): whole Series J shares of $1,000 (SPA
    1(b)(iv)) or debentures in $100,000 multiples (Debenture 1), within the total offering."""
    room = _lock_room(room)
    _require_open(room)
    fin = room.financing
    if amount <= 0 or purchase_price <= 0:
        raise WorkflowError("The amount and the Purchase Price must be positive.", field="amount")
    if not investor.reg_s_non_us_attested and not investor.accredited_investor:
        raise WorkflowError(
            f"{investor} has given neither the Regulation S representation (SPA 2(b)) nor the accredited investor "
            "representation (SPA 2(c)); record them on the investor first.",
            code="representations",
            field="investor",
        )
    if fin.is_series_j:
        if amount % Decimal("1000") != 0:
            raise WorkflowError(
                f"{money(amount)} is not a whole number of Series J shares of $1,000 (SPA 1(b)(iv)).", field="amount"
            )
        if denominations != 1:
            raise WorkflowError("Denominations apply to debentures only.", field="denominations")
    else:
        try:
            engine.split_principal(amount, parts=denominations)
        except InvalidInput as err:
            raise WorkflowError(str(err), field="amount" if "multiple" in str(err) else "denominations")
    if room.subscriptions.filter(investor=investor).exists():
        raise WorkflowError(f"{investor} already has a subscription in this room.", code="exists", field="investor")
    taken = sum((s.amount for s in room.subscriptions.all()), Decimal("0"))
    if taken + amount > fin.total_offering:
        raise WorkflowError(
            f"{money(amount)} would bring the subscriptions to {money(taken + amount)}, over the total offering of "
            f"{money(fin.total_offering)} (SPA 1(a)(i)).",
            code="over_offering",
            field="amount",
        )
    return Subscription.objects.create(
        room=room, investor=investor, amount=amount, purchase_price=purchase_price, denominations=denominations, created_by=user
    )


@transaction.atomic
def escrow_deposit_record(
    *, room: ClosingRoom, subscription: Subscription, amount: Decimal, deposited_on: datetime.date, reference: str, user
) -> tuple[EscrowDeposit, list[str]]:
    """Record a deposit of the Purchase Price with the Escrow Agent (SPA 1(d)). A late deposit is
    recorded with a warning (the Company may cancel; it need not). Returns (deposit, warnings)."""
    room = _lock_room(room)
    _require_open(room)
    if subscription.room_id != room.pk:
        raise WorkflowError("That subscription belongs to another room.", field="subscription")
    if amount <= 0:
        raise WorkflowError(f"The deposit must be positive, not {money(amount)}.", field="amount")
    _not_future(deposited_on, "deposit date", "deposited_on")
    if not reference.strip():
        raise WorkflowError("Give the wire reference or the Escrow Agent's receipt.", field="reference")
    status = closing_status(room)
    line = next(ln for ln in status.lines if ln.subscription.pk == subscription.pk)
    if amount > line.short:
        raise WorkflowError(
            f"{money(amount)} exceeds the {money(line.short)} still due from {subscription.investor} "
            f"(Purchase Price {money(subscription.purchase_price)}, deposited {money(line.deposited)}; SPA 1(d)).",
            code="over_deposit",
            field="amount",
        )
    deposit = EscrowDeposit.objects.create(
        room=room, subscription=subscription, amount=amount, deposited_on=deposited_on, reference=reference.strip(), recorded_by=user
    )
    warnings = []
    if engine.deposit_is_late(status.escrow, deposited_on):
        warnings.append(
            f"Deposited {deposited_on.isoformat()}, after the SPA 1(d) deadline {status.escrow.due.isoformat()}: "
            "the Company may cancel the Agreement as to this Buyer."
        )
    after = closing_status(room)
    if after.fully_funded:
        ledger_close(source=room, kinds=[ObligationKind.ESCROW_DEPOSIT], on=after.funded_on, user=user)
    return deposit, warnings


@transaction.atomic
def escrow_deposit_reverse(*, deposit: EscrowDeposit, reason: str, user) -> EscrowDeposit:
    """Correct a deposit by a reversing entry (never an edit)."""
    room = _lock_room(deposit.room)
    _require_open(room)
    deposit = EscrowDeposit.objects.select_for_update().get(pk=deposit.pk)
    if deposit.reverses_id or EscrowDeposit.objects.filter(reverses=deposit).exists():
        raise WorkflowError("That entry is a reversal or has already been reversed.", code="reversed")
    if not reason.strip():
        raise WorkflowError("Give the reason for the reversal.", field="reason")
    rev = EscrowDeposit.objects.create(
        room=room,
        subscription=deposit.subscription,
        amount=-deposit.amount,
        deposited_on=business_date(),
        reference=f"Reversal of {deposit.reference}",
        reverses=deposit,
        reason=reason.strip(),
        recorded_by=user,
    )
    if not closing_status(room).fully_funded:
        from deals.models import ObligationStatus

        for row in obligations_for(room).filter(kind=ObligationKind.ESCROW_DEPOSIT, status=ObligationStatus.SATISFIED):
            row.status = ObligationStatus.OPEN
            row.satisfied_date = None
            row.save(update_fields=["status", "satisfied_date", "updated_at"])
        _escrow_row(room)
    return rev


def _lock_condition(condition: ClosingCondition) -> tuple[ClosingRoom, ClosingCondition]:
    room = _lock_room(condition.room)
    _require_open(room)
    return room, ClosingCondition.objects.select_for_update().get(pk=condition.pk)


def _check_evidence(evidence) -> None:
    name = (getattr(evidence, "name", "") or "").lower()
    if not name.endswith(EVIDENCE_TYPES):
        raise WorkflowError(f"Upload the evidence as one of {', '.join(EVIDENCE_TYPES)}.", field="evidence")
    if getattr(evidence, "size", 0) > MAX_EVIDENCE_BYTES:
        raise WorkflowError("The evidence file is over 10 MB.", field="evidence")


@transaction.atomic
def condition_satisfy(*, condition: ClosingCondition, met_on: datetime.date, evidence, note: str = "", user) -> ClosingCondition:
    """Mark an SPA 7 / SPA 8 condition satisfied, with the document that shows it."""
    room, item = _lock_condition(condition)
    if item.status != ConditionStatus.OPEN:
        raise WorkflowError(f"{item.clause} is already {item.get_status_display().lower()}.", code="not_open")
    _not_future(met_on, "date", "met_on")
    if evidence is None:
        raise WorkflowError(f"Upload the document that shows {item.clause} is satisfied.", field="evidence")
    _check_evidence(evidence)
    if item.code == "7(b)":
        st = closing_status(room)
        if not st.fully_funded:
            raise WorkflowError(
                f"SPA 7(b) needs the Purchase Price in full in escrow: {money(st.total_deposited)} of "
                f"{money(st.total_subscribed)} deposited.",
                code="not_funded",
            )
    item.status = ConditionStatus.SATISFIED
    item.met_on = met_on
    item.note = note.strip()
    item.evidence = evidence
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save()
    return item


@transaction.atomic
def condition_waive(*, condition: ClosingCondition, met_on: datetime.date, waived_by: str, note: str, user) -> ClosingCondition:
    """Record a waiver by the party in whose favour the condition runs (SPA 6(a)): the Company
    for SPA 7, the Buyers for SPA 8."""
    room, item = _lock_condition(condition)
    if item.status != ConditionStatus.OPEN:
        raise WorkflowError(f"{item.clause} is already {item.get_status_display().lower()}.", code="not_open")
    _not_future(met_on, "date", "met_on")
    if not waived_by.strip():
        party = "the Company" if item.in_favour_of == engine.COMPANY else "each Buyer"
        raise WorkflowError(f"Name who waived {item.clause}; it runs in favour of {party} (SPA 6(a)).", field="waived_by")
    if not note.strip():
        raise WorkflowError("Give the terms of the waiver (or where it is recorded).", field="note")
    if item.code == "7(b)":
        raise WorkflowError(
            "SPA 7(b), payment in full into escrow, is not waived here: record the deposits (SPA 1(d), 6(c)).",
            field="waived_by",
        )
    item.status = ConditionStatus.WAIVED
    item.met_on = met_on
    item.waived_by = waived_by.strip()
    item.note = note.strip()
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save()
    return item


@transaction.atomic
def condition_reopen(*, condition: ClosingCondition, reason: str, user) -> ClosingCondition:
    """Reopen a condition before the closing (wrong evidence, waiver withdrawn); history keeps the old state."""
    room, item = _lock_condition(condition)
    if item.status == ConditionStatus.OPEN:
        raise WorkflowError(f"{item.clause} is already open.", code="open")
    if not reason.strip():
        raise WorkflowError("Give the reason for reopening.", field="reason")
    item.status = ConditionStatus.OPEN
    item.met_on = None
    item.waived_by = ""
    item.note = f"Reopened: {reason.strip()}"
    item.evidence = ""
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save()
    return item


_NUM = re.compile(r"(\d+)$")


def _next_numbers(model, prefix: str, count: int) -> list[str]:
    """The next ``count`` free numbers "J-7", "W-3", "D-12" (numbers are unique across the table).
    Locks the Issuer rows first so two workflows issuing numbers at once queue instead of both
    taking the same number (the caller is atomic)."""
    list(Issuer.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    top = 0
    for value in model.objects.filter(**{f"{_number_field(model)}__startswith": prefix}).values_list(_number_field(model), flat=True):
        m = _NUM.search(value)
        if m:
            top = max(top, int(m.group(1)))
    return [f"{prefix}{top + i}" for i in range(1, count + 1)]


def _number_field(model) -> str:
    return "certificate_number" if model is PreferredHolding else "number"


def closing_bid_for(closing_date: datetime.date) -> tuple[datetime.date, Decimal]:
    """SPA 4(h): the closing bid on the trading day immediately before the Closing Date."""
    from deals.terms.calendars import previous_trading_day

    day = previous_trading_day(closing_date)
    bid = price_on(day)
    if bid is None:
        raise WorkflowError(
            f"No closing bid recorded for {day.isoformat()}, the trading day before the Closing Date "
            f"{closing_date.isoformat()}; import it before recording the closing (SPA 4(h)).",
            code="missing_price",
            missing_dates=[day],
        )
    return day, bid


@transaction.atomic
def closing_record(
    *, room: ClosingRoom, bring_down_confirmed: bool, user, maturity_date: datetime.date | None = None
) -> ClosingRoom:
    """Record the closing on the computed Closing Date (SPA 6(a)): issue the Series J holdings
    (certificate numbers, Allocable Share) and the SPA 4(h) warrants, or the debentures in
    $100,000 denominations (Debenture 1); release the escrow (SPA 6(c)); set the Initial
    Closing Date and write the post-closing deadlines; request the closing memorandum."""
    room = _lock_room(room)
    _require_open(room)
    fin = room.financing
    st = closing_status(room)
    today = business_date()
    try:
        engine.check_closing_on(st.closing, today)
    except InvalidInput as err:
        raise WorkflowError(str(err), code="conditions_open" if not st.closing.computable else "too_early")
    if not st.lines:
        raise WorkflowError("No Buyer has subscribed; add the subscriptions first (SPA 1(a)).", code="no_buyers")
    if not st.fully_funded:
        short = ", ".join(f"{ln.subscription.investor} {money(ln.short)}" for ln in st.lines if ln.short)
        raise WorkflowError(f"The escrow is short (SPA 1(d), 6(c)): {short}.", code="not_funded")
    if not bring_down_confirmed:
        raise WorkflowError(
            "Confirm that the representations and the market conditions still hold on the Closing Date (SPA 7(c), 7(e), "
            "8(d), 8(e), 8(h): they speak 'on the Closing Date').",
            field="bring_down_confirmed",
        )
    closing_date = st.closing.closing_date
    version, terms = terms_in_force(financing=fin, day=closing_date)
    issued: list[dict] = []
    snapshot = {
        "closing": st.closing.as_dict(),
        "escrow": st.escrow.as_dict(),
        "total_subscribed": str(st.total_subscribed),
        "total_deposited": str(st.total_deposited),
        "terms_version": version.version,
        "bring_down_confirmed_by": getattr(user, "username", ""),
    }
    if fin.is_series_j:
        pricing_day, bid = closing_bid_for(closing_date)
        certs = _next_numbers(PreferredHolding, "J-", len(st.lines))
        wnums = _next_numbers(Warrant, "W-", len(st.lines))
        for ln, cert, wnum in zip(st.lines, certs, wnums, strict=True):
            s = ln.subscription
            try:
                wt = warrant_terms(terms=terms, purchase_price=s.purchase_price, closing_date=closing_date, closing_bid=bid)
            except (InvalidInput, MissingPrice) as err:
                raise WorkflowError(str(err), code="warrants")
            holding = PreferredHolding.objects.create(
                financing=fin,
                investor=s.investor,
                certificate_number=cert,
                shares=int(s.amount / terms.preferred_stated_value),
                liquidation_preference=s.amount,
                liquidation_preference_outstanding=s.amount,
                purchase_price=s.purchase_price,
                closing_date=closing_date,
            )
            warrant = Warrant.objects.create(
                financing=fin,
                investor=s.investor,
                number=wnum,
                shares=wt.shares,
                shares_remaining=wt.shares,
                exercise_price=wt.exercise_price,
                issue_date=closing_date,
                expiry_date=wt.expiry,
            )
            issued.append(
                {
                    "investor": s.investor.legal_name,
                    "certificate": holding.certificate_number,
                    "series_j_shares": holding.shares,
                    "liquidation_preference": str(s.amount),
                    "purchase_price": str(s.purchase_price),
                    "allocable_share": str(ln.allocable_share),
                    "warrant": warrant.number,
                    "warrant_shares": wt.shares,
                    "warrant_terms": wt.as_dict(),
                }
            )
        room.closing_bid = bid
        snapshot["pricing_day"] = pricing_day.isoformat()
        snapshot["closing_bid"] = str(bid)
    else:
        if maturity_date is None or maturity_date <= closing_date:
            raise WorkflowError(
                "Give the Maturity Date on the face of the Debentures (after the Closing Date).", field="maturity_date"
            )
        plan = [(ln, engine.split_principal(ln.subscription.amount, parts=ln.subscription.denominations)) for ln in st.lines]
        numbers = iter(_next_numbers(Debenture, "D-", sum(len(p) for _, p in plan)))
        conv = engine.debenture_convertibility(
            closing_date,
            first_days=terms.debenture_first_tranche_days,
            first_pct=terms.debenture_first_tranche_pct,
            full_days=terms.debenture_full_conversion_days,
        )
        snapshot["convertibility"] = conv.as_dict()
        snapshot["maturity_date"] = maturity_date.isoformat()
        snapshot["record_date"] = engine.maturity_record_date(maturity_date).isoformat()
        for ln, parts in plan:
            s = ln.subscription
            for principal in parts:
                deb = Debenture.objects.create(
                    financing=fin,
                    investor=s.investor,
                    number=next(numbers),
                    principal=principal,
                    principal_outstanding=principal,
                    dated_date=closing_date,  # dated and issued at the Closing (Debenture interest paragraph)
                    issue_date=closing_date,
                    closing_date=closing_date,
                    maturity_date=maturity_date,
                )
                DebentureRegisterEntry.objects.create(
                    debenture=deb, holder=s.investor, principal=principal, registered_on=closing_date,
                    reason=DebentureRegisterEntry.Reason.ISSUE, created_by=user,
                )  # fmt: skip
                issued.append(
                    {
                        "investor": s.investor.legal_name,
                        "debenture": deb.number,
                        "principal": str(principal),
                        "purchase_price": str(s.purchase_price),
                        "allocable_share": str(ln.allocable_share),
                    }
                )
    # SPA 4(b), Debenture face: the legend each certificate issued today carries, from the terms in
    # force on the Closing Date; the certificates keep it whatever later versions say
    legend = terms.preferred_legend_text if fin.is_series_j else terms.debenture_legend_text
    for item in issued:
        item["legend"] = legend
    snapshot["legend"] = legend
    snapshot["issued"] = issued
    room.status = ClosingRoom.Status.CLOSED
    room.closing_date = closing_date
    room.escrow_released_on = closing_date
    room.closed_by = user
    room.closed_at = timezone.now()
    room.snapshot = snapshot
    room.save()
    # The room's closing is the financing's (single) closing: its Initial Closing Date (RRA 2(a)).
    fin.initial_closing_date = closing_date
    fin.save(update_fields=["initial_closing_date", "updated_at"])
    ledger_close(source=room, kinds=[ObligationKind.ESCROW_DEPOSIT], on=st.funded_on or closing_date, as_of=today, user=user)
    if fin.is_series_j:
        red = reg.anticipated_initial_effective_date(fin.initial_closing_date, terms)
        ledger_put(source=fin, rows=[build.initial_required_effective(
            object_id=fin.pk, due=red, days=terms.required_effective_days, effective_on=None,
        )], as_of=today, user=user)
    from notices.services import notice_request

    notice_request(record=room, kind="closing_memo", user=user)
    return room
