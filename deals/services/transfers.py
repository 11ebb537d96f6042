"""Transfer workflows: legend removal (SPA 4(b), 5(a)), transfers of Series J, warrants and
debentures (SPA 2(b), 4(a); RRA 9; Debenture 1, 3, 8), exchange of denominations (Debenture 1),
Sales (Debenture 7) and transfer-agent instructions for share delivery (SPA 5(a), 5(e)).

Every check runs before anything is written; a refusal names the clause and the numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from deals.models import (
    Conversion,
    Debenture,
    DebentureRegisterEntry,
    Financing,
    InstrumentStatus,
    Investor,
    LegendRemoval,
    ObligationKind,
    PreferredHolding,
    SaleEvent,
    SalePrepayment,
    SecurityKind,
    Transfer,
    TransferAgentInstruction,
    Warrant,
    WarrantExercise,
)
from deals.selectors.closing import effective_date_on, final_closing_date, first_offered_on, initial_effective_date
from deals.selectors.terms import terms_in_force
from deals.services.closing import _next_numbers, _not_future
from deals.services.conversions import WorkflowError, money
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_close, ledger_put
from deals.terms import closing as closing_engine
from deals.terms import transfers as engine
from deals.terms.errors import InvalidInput, TermsError

MAX_OPINION_BYTES = 10 * 1024 * 1024


def restricted_period(financing: Financing, day: datetime.date) -> closing_engine.RestrictedPeriod | None:
    """SPA 2(b)(iv) for a Series J financing (None for the debentures: the SPA's Regulation S
    period is not in their documents; see docs/interpretations.md) or one not yet closed."""
    if not financing.is_series_j:
        return None
    closed = final_closing_date(financing)
    if closed is None:
        return None
    _, terms = terms_in_force(financing=financing, day=day)
    return closing_engine.restricted_period_end(
        final_closing_date=closed, first_offered_on=first_offered_on(financing), years=terms.restricted_period_years
    )


def legend_text(financing: Financing, day: datetime.date) -> str:
    """The legend the financing's terms in force on ``day`` prescribe (SPA 4(b) for a preferred
    issue, the Debenture face legend for a debenture issue; default: the agreement's text). A
    letter or certificate keeps the text it was issued with (stored in its snapshot)."""
    terms = terms_in_force(financing=financing, day=day).terms
    return terms.preferred_legend_text if financing.is_series_j else terms.debenture_legend_text


def _invalid(err: InvalidInput, field: str | None = None) -> WorkflowError:
    return WorkflowError(str(err), code="refused", field=field)


# --- legend removal --------------------------------------------------------------------------


@transaction.atomic
def legend_removal_request(
    *,
    financing: Financing,
    investor: Investor,
    security: str,
    certificate: str,
    quantity: Decimal,
    basis: str,
    counsel: str,
    opinion_date: datetime.date,
    opinion_received: datetime.date,
    opinion_file=None,
    user,
) -> LegendRemoval:
    """Record a request to remove the SPA 4(b) legend with its opinion of counsel; write the
    Company's deadline to instruct the transfer agent (SPA 5(a): promptly) and request the
    instruction letter."""
    Financing.objects.select_for_update().get(pk=financing.pk)
    _not_future(opinion_received, "date the opinion was received", "opinion_received")
    if opinion_date > opinion_received:
        raise WorkflowError(
            f"The opinion is dated {opinion_date.isoformat()}, after it was received ({opinion_received.isoformat()}).",
            field="opinion_date",
        )
    if not counsel.strip():
        raise WorkflowError("Name the counsel who gave the opinion (SPA 4(a)(1)(B), 5(a)).", field="counsel")
    if not certificate.strip():
        raise WorkflowError("Give the legended certificate number(s).", field="certificate")
    if quantity <= 0:
        raise WorkflowError(f"The quantity must be positive, not {quantity}.", field="quantity")
    if security not in SecurityKind.values or basis not in LegendRemoval.Basis.values:
        raise WorkflowError("Choose the security and the basis for removal.", field="security")
    if opinion_file is not None and getattr(opinion_file, "size", 0) > MAX_OPINION_BYTES:
        raise WorkflowError("The opinion file is over 10 MB.", field="opinion_file")
    period = restricted_period(financing, opinion_received)
    if period is not None:
        try:
            engine.check_restricted_period(period=period, day=opinion_received, assignee_non_us=None, action="legend removal")
        except InvalidInput as err:
            raise _invalid(err, "opinion_received")
    if basis == LegendRemoval.Basis.REGISTERED_SALE and effective_date_on(financing, opinion_received) is None:
        raise WorkflowError(
            "SPA 4(b)(i) needs the securities registered for resale and sold under an effective Registration Statement; "
            f"no registration statement of {financing} is effective on {opinion_received.isoformat()}.",
            field="basis",
        )
    try:
        deadline = engine.legend_removal_deadline(opinion_received)
    except TermsError as err:
        raise WorkflowError(str(err), field="opinion_received")
    removal = LegendRemoval.objects.create(
        financing=financing,
        investor=investor,
        security=security,
        certificate=certificate.strip(),
        quantity=quantity,
        basis=basis,
        counsel=counsel.strip(),
        opinion_date=opinion_date,
        opinion_received=opinion_received,
        opinion_file=opinion_file or "",
        due_date=deadline.due,
        snapshot={
            "deadline": deadline.as_dict(),
            "legend": legend_text(financing, opinion_received),
            "restricted_period": period.as_dict() if period else None,
        },
        created_by=user,
    )
    ledger_put(source=removal, rows=[build.legend_removal(removal_id=removal.pk, investor_id=investor.pk,
                                                          certificate=removal.certificate, deadline=deadline)], user=user)
    from notices.services import notice_request

    notice_request(record=removal, kind="legend_removal", user=user)
    return removal


@transaction.atomic
def legend_removal_instructed(*, removal: LegendRemoval, instructed_on: datetime.date, user) -> LegendRemoval:
    """The Company sent the instruction letter; closes the ledger row."""
    removal = LegendRemoval.objects.select_for_update().get(pk=removal.pk)
    if removal.status == LegendRemoval.Status.INSTRUCTED:
        raise WorkflowError(f"Already instructed on {removal.instructed_on.isoformat()}.", code="done")
    _not_future(instructed_on, "instruction date", "instructed_on")
    if instructed_on < removal.opinion_received:
        raise WorkflowError("The instruction cannot precede the opinion of counsel.", field="instructed_on")
    removal.status = LegendRemoval.Status.INSTRUCTED
    removal.instructed_on = instructed_on
    removal.save(update_fields=["status", "instructed_on", "updated_at"])
    ledger_close(source=removal, kinds=[ObligationKind.LEGEND_REMOVAL], on=instructed_on, user=user)
    return removal


# --- transfers --------------------------------------------------------------------------------


def _common_checks(
    *, financing, transferor, transferee, transfer_date, notice_date, assignee_non_us, assignee_accredited, counsel_opinion
):
    if transferee.pk == transferor.pk:
        raise WorkflowError("The transferee is the holder itself; use an exchange instead.", field="transferee")
    _not_future(transfer_date, "transfer date", "transfer_date")
    _not_future(notice_date, "date of the notice to the Company", "notice_to_company_date")
    if notice_date < transfer_date and (transfer_date - notice_date).days > 30:
        raise WorkflowError("The notice to the Company is more than 30 days before the transfer.", field="notice_to_company_date")
    if not (assignee_non_us or assignee_accredited):
        raise WorkflowError(
            "The assignee must give the Regulation S representations (SPA 2(b)) or the accredited investor "
            "representation (SPA 2(c)).",
            field="assignee_non_us",
        )
    if not counsel_opinion.strip():
        raise WorkflowError(
            "The securities are not registered: give the opinion of counsel that the transfer is exempt "
            "(SPA 4(a)(1)(B); Debenture 3).",
            field="counsel_opinion",
        )
    period = restricted_period(financing, transfer_date)
    if period is not None:
        try:
            engine.check_restricted_period(period=period, day=transfer_date, assignee_non_us=assignee_non_us)
        except InvalidInput as err:
            raise _invalid(err, "assignee_non_us")
    return period


@transaction.atomic
def transfer_submit(
    *,
    source,
    transferee: Investor,
    transfer_date: datetime.date,
    notice_to_company_date: datetime.date,
    amount: Decimal | None = None,
    warrant_shares: int | None = None,
    assignee_non_us: bool,
    assignee_accredited: bool,
    counsel_opinion: str,
    rights_requested: bool,
    written_assignment: bool,
    transferee_bound: bool,
    user,
) -> Transfer:
    """Transfer all or part of a Series J certificate, a warrant or a debenture to another holder.
    The transferor keeps the balance on its certificate; the transferee gets a new certificate,
    warrant or D-number. RRA 9 decides whether the registration rights follow."""
    model = type(source)
    src = model.objects.select_for_update().select_related("financing", "investor").get(pk=source.pk)
    fin = src.financing
    if src.status != InstrumentStatus.OUTSTANDING:
        raise WorkflowError(f"{src.label if hasattr(src, 'label') else src} is {src.get_status_display().lower()}.", code="closed")
    period = _common_checks(
        financing=fin, transferor=src.investor, transferee=transferee, transfer_date=transfer_date,
        notice_date=notice_to_company_date, assignee_non_us=assignee_non_us, assignee_accredited=assignee_accredited,
        counsel_opinion=counsel_opinion,
    )  # fmt: skip
    lp: Decimal | None = None
    try:
        if model is PreferredHolding:
            if amount is None:
                raise InvalidInput("Give the liquidation preference transferred.")
            if transfer_date < src.closing_date:
                raise InvalidInput(f"{src.label} was issued on {src.closing_date.isoformat()}.")
            shares = engine.check_series_j_amount(amount, src.liquidation_preference_outstanding)
            lp = amount
            security = SecurityKind.SERIES_J
        elif model is Warrant:
            if not warrant_shares:
                raise InvalidInput("Give the number of warrant shares transferred.")
            engine.check_quantity(warrant_shares, src.shares_remaining, what="warrant shares")
            if transfer_date > src.expiry_date:
                raise InvalidInput(f"Warrant {src.number} expired on {src.expiry_date.isoformat()} (SPA 4(h)).")
            security = SecurityKind.WARRANT
        elif model is Debenture:
            if amount is None:
                raise InvalidInput("Give the principal transferred.")
            closing_engine.check_denomination(amount, what="The principal transferred")
            if amount > src.principal_outstanding:
                raise InvalidInput(
                    f"{money(amount)} exceeds the {money(src.principal_outstanding)} outstanding on {src.number}."
                )
            balance = src.principal_outstanding - amount
            if balance:
                closing_engine.check_denomination(balance, what="The balance left with the transferor")
            security = SecurityKind.DEBENTURE
        else:
            raise InvalidInput("Only Series J, warrants and debentures are transferred here.")
    except InvalidInput as err:
        raise _invalid(err, "amount" if model is not Warrant else "warrant_shares")
    rights = engine.rights_assignment(
        liquidation_preference=lp,
        transfer_date=transfer_date,
        initial_effective_date=initial_effective_date(fin),
        written_assignment=written_assignment,
        notice_to_company=True,
        transferee_bound=transferee_bound,
        minimum=terms_in_force(financing=fin, day=transfer_date).terms.rra_assignment_min_liquidation_preference,
    )
    if rights_requested and not rights.follow:
        raise WorkflowError(
            f"The registration rights cannot be assigned: {rights.reason} Record the transfer without them, or meet RRA 9.",
            code="rra9",
            field="rights_requested",
        )
    transfer = Transfer.objects.create(
        kind=Transfer.Kind.TRANSFER, security=security, financing=fin, transferor=src.investor, transferee=transferee,
        preferred=src if model is PreferredHolding else None, warrant=src if model is Warrant else None,
        debenture=src if model is Debenture else None, amount=amount if model is not Warrant else None,
        warrant_shares=warrant_shares if model is Warrant else None, transfer_date=transfer_date,
        notice_to_company_date=notice_to_company_date, assignee_non_us=assignee_non_us,
        assignee_accredited=assignee_accredited, counsel_opinion=counsel_opinion.strip(),
        rights_requested=rights_requested, written_assignment=written_assignment, transferee_bound=transferee_bound,
        rights_follow=rights.follow and rights_requested, rights_reason=rights.reason,
        snapshot={"rights": rights.as_dict(), "restricted_period": period.as_dict() if period else None}, created_by=user,
    )  # fmt: skip
    if model is PreferredHolding:
        (cert,) = _next_numbers(PreferredHolding, "J-", 1)
        price = (src.purchase_price * amount / src.liquidation_preference).quantize(Decimal("0.01"))
        new = PreferredHolding.objects.create(
            financing=fin, investor=transferee, certificate_number=cert, shares=shares, liquidation_preference=amount,
            liquidation_preference_outstanding=amount, purchase_price=price, closing_date=src.closing_date,
        )  # fmt: skip
        # the row is locked: a plain save keeps the balance change in the history (who, when)
        src.liquidation_preference_outstanding -= amount
        if src.liquidation_preference_outstanding == 0:
            src.status = InstrumentStatus.TRANSFERRED
        src.save(update_fields=["liquidation_preference_outstanding", "status", "updated_at"])
        transfer.new_preferred = new
        transfer.snapshot["new_certificate"] = cert
    elif model is Warrant:
        (num,) = _next_numbers(Warrant, "W-", 1)
        new = Warrant.objects.create(
            financing=fin, investor=transferee, number=num, shares=warrant_shares, shares_remaining=warrant_shares,
            exercise_price=src.exercise_price, issue_date=transfer_date, expiry_date=src.expiry_date,
        )  # fmt: skip
        src.shares_remaining -= warrant_shares
        if src.shares_remaining == 0:
            src.status = InstrumentStatus.TRANSFERRED
        src.save(update_fields=["shares_remaining", "status", "updated_at"])
        transfer.new_warrant = new
        transfer.snapshot["new_warrant"] = num
    else:
        (num,) = _next_numbers(Debenture, "D-", 1)
        new = _debenture_like(src, number=num, investor=transferee, principal=amount)
        src.principal_outstanding -= amount
        if src.principal_outstanding == 0:
            src.status = InstrumentStatus.TRANSFERRED
        src.save(update_fields=["principal_outstanding", "status", "updated_at"])
        _register_close(src, transfer_date)
        if src.principal_outstanding:
            DebentureRegisterEntry.objects.create(
                debenture=src, holder=src.investor, principal=src.principal_outstanding, registered_on=transfer_date,
                reason=DebentureRegisterEntry.Reason.BALANCE, transfer=transfer, created_by=user,
            )  # fmt: skip
        DebentureRegisterEntry.objects.create(
            debenture=new, holder=transferee, principal=amount, registered_on=transfer_date,
            reason=DebentureRegisterEntry.Reason.TRANSFER_IN, transfer=transfer, created_by=user,
        )  # fmt: skip
        transfer.save()
        transfer.new_debentures.add(new)
        transfer.snapshot["new_debentures"] = [num]
    transfer.save()
    return transfer


def _debenture_like(src: Debenture, *, number: str, investor: Investor, principal: Decimal) -> Debenture:
    return Debenture.objects.create(
        financing=src.financing, investor=investor, number=number, principal=principal, principal_outstanding=principal,
        dated_date=src.dated_date, issue_date=src.issue_date, closing_date=src.closing_date, maturity_date=src.maturity_date,
        interest_paid_through=src.interest_paid_through,
    )  # fmt: skip


def _register_close(deb: Debenture, on: datetime.date) -> None:
    """Close the open register entry of ``deb`` (creating the issue entry first for a D-number
    issued before the register existed)."""
    if not DebentureRegisterEntry.objects.filter(debenture=deb).exists():
        DebentureRegisterEntry.objects.create(
            debenture=deb, holder=deb.investor, principal=deb.principal, registered_on=deb.issue_date,
            reason=DebentureRegisterEntry.Reason.ISSUE,
        )  # fmt: skip
    for entry in DebentureRegisterEntry.objects.select_for_update().filter(debenture=deb, cancelled_on__isnull=True):
        entry.cancelled_on = on
        entry.save(update_fields=["cancelled_on"])


@transaction.atomic
def debenture_exchange(*, debenture: Debenture, denominations: list[Decimal], exchange_date: datetime.date, user) -> Transfer:
    """Debenture 1: surrender a Debenture for an equal aggregate principal amount in other
    authorized denominations ($100,000 multiples), same holder, no service charge."""
    src = Debenture.objects.select_for_update().select_related("financing", "investor").get(pk=debenture.pk)
    if src.status != InstrumentStatus.OUTSTANDING:
        raise WorkflowError(f"{src.number} is {src.get_status_display().lower()}.", code="closed")
    _not_future(exchange_date, "exchange date", "exchange_date")
    try:
        parts = closing_engine.check_exchange(src.principal_outstanding, denominations)
    except InvalidInput as err:
        raise _invalid(err, "denominations")
    if len(parts) == 1:
        raise WorkflowError("An exchange needs at least two new denominations (or a different one).", field="denominations")
    transfer = Transfer.objects.create(
        kind=Transfer.Kind.EXCHANGE, security=SecurityKind.DEBENTURE, financing=src.financing, transferor=src.investor,
        transferee=src.investor, debenture=src, amount=src.principal_outstanding, transfer_date=exchange_date,
        notice_to_company_date=exchange_date, counsel_opinion="Not required: same holder (Debenture 1)",
        rights_follow=True, rights_reason="Same holder: nothing is assigned (RRA 9 not engaged).", created_by=user,
    )  # fmt: skip
    numbers = _next_numbers(Debenture, "D-", len(parts))
    _register_close(src, exchange_date)
    new_list = []
    for num, principal in zip(numbers, parts, strict=True):
        new = _debenture_like(src, number=num, investor=src.investor, principal=principal)
        DebentureRegisterEntry.objects.create(
            debenture=new, holder=src.investor, principal=principal, registered_on=exchange_date,
            reason=DebentureRegisterEntry.Reason.EXCHANGE, transfer=transfer, created_by=user,
        )  # fmt: skip
        new_list.append(new)
    src.principal_outstanding = Decimal("0")
    src.status = InstrumentStatus.TRANSFERRED
    src.save(update_fields=["principal_outstanding", "status", "updated_at"])
    transfer.new_debentures.add(*new_list)
    transfer.snapshot = {"surrendered": src.number, "new_debentures": numbers, "denominations": [str(p) for p in parts]}
    transfer.save(update_fields=["snapshot", "updated_at"])
    return transfer


# --- Debenture 7: Sale -------------------------------------------------------------------------


@transaction.atomic
def sale_event_record(
    *, financing: Financing, kind: str, counterparty: str, description: str, notice_date: datetime.date,
    notice_received: datetime.date, user,
) -> SaleEvent:  # fmt: skip
    """Record a proposed Sale (Debenture 7) and each outstanding debenture holder's window to
    convert (15 days from receipt of the Company's notice) in the ledger."""
    Financing.objects.select_for_update().get(pk=financing.pk)
    if financing.is_series_j:
        raise WorkflowError("Debenture 7 applies to the debentures; choose the debenture financing.", field="financing")
    if kind not in SaleEvent.Kind.values:
        raise WorkflowError("Choose merger, consolidation or sale of assets (Debenture 7).", field="kind")
    if not counterparty.strip():
        raise WorkflowError("Name the other party to the Sale.", field="counterparty")
    _not_future(notice_received, "date the notice was received", "notice_received")
    if notice_received < notice_date:
        raise WorkflowError("The notice cannot be received before it is given.", field="notice_received")
    window = engine.sale_conversion_window(notice_received)
    debs = list(Debenture.objects.filter(financing=financing, status=InstrumentStatus.OUTSTANDING, principal_outstanding__gt=0))
    if not debs:
        raise WorkflowError(f"No debenture of {financing} is outstanding; nothing to convert.", code="none")
    sale = SaleEvent.objects.create(
        financing=financing, kind=kind, counterparty=counterparty.strip(), description=description.strip(),
        notice_date=notice_date, notice_received=notice_received, convert_by=window.convert_by,
        snapshot={"window": window.as_dict(), "debentures": [d.number for d in debs]}, created_by=user,
    )  # fmt: skip
    from deals.services.calendar import business_date
    from deals.services.ledger.sync import sale_window_rows

    today = business_date()
    ledger_put(source=sale, rows=sale_window_rows(sale, as_of=today), as_of=today, user=user)
    return sale


@transaction.atomic
def sale_prepayment_record(
    *, sale: SaleEvent, debenture: Debenture, tender_date: datetime.date, holder_declined_on: datetime.date | None = None,
    deducted: Decimal = Decimal("0"), deduction_basis: str = "", method: str = "wire", reference: str = "", user,
) -> SalePrepayment:  # fmt: skip
    """Debenture 7: record the Company's tender of prepayment to a Holder who elected not to
    convert: all outstanding principal and interest accrued through the tender date, less what the
    law requires to be deducted. The prepayment is a ledger row (``SALE_PREPAYMENT``) settled on the
    tender date through ``settlement_record`` (the amount tendered; the amount deducted as a
    set-off naming the law); the Debenture is paid off (status redeemed, interest paid through
    the tender date) and its right of conversion terminates (the Sale window row closes).

    Refused, nothing written: a clerk; a debenture the Sale does not cover or with nothing
    outstanding; a second prepayment; a tender before the Holder declined in writing and before
    the 15-day window ended, or after a Notice of Conversion in the window; a pending Notice of
    Conversion or of Redemption; dates after the business date; a deduction below $0, in part
    cents or above the prepayment, or without the law named."""
    from django.core.exceptions import PermissionDenied

    from deals.models import ConversionStatus, Redemption, RedemptionStatus
    from deals.services.calendar import business_date
    from deals.services.ledger.settlements import settlement_record
    from deals.services.ledger.sync import debenture_sync
    from deals.services.ledger.writer import history_record
    from deals.services.roles import is_deal_admin
    from deals.terms import sale as sale_engine

    if not is_deal_admin(user):
        raise PermissionDenied("Only a deal admin records a prepayment (Debenture 7).")
    sale = SaleEvent.objects.select_for_update().get(pk=sale.pk)
    deb = Debenture.objects.select_for_update().select_related("financing").get(pk=debenture.pk)
    if deb.financing_id != sale.financing_id or deb.number not in (sale.snapshot or {}).get("debentures", []):
        raise WorkflowError(f"{deb.label} was not outstanding under {sale} when its notice was given; choose one of "
                            f"{', '.join((sale.snapshot or {}).get('debentures', [])) or 'its debentures'}.", field="debenture")
    if SalePrepayment.objects.filter(sale=sale, debenture=deb).exists():
        raise WorkflowError(f"A prepayment of {deb.label} is already recorded for this Sale.", code="exists", field="debenture")
    if deb.status != InstrumentStatus.OUTSTANDING or deb.principal_outstanding <= 0:
        raise WorkflowError(f"{deb.label} is {deb.get_status_display().lower()} with {money(deb.principal_outstanding)} "
                            "outstanding: there is nothing to prepay (Debenture 7).", code="closed", field="debenture")
    _not_future(tender_date, "tender date", "tender_date")
    if holder_declined_on is not None:
        _not_future(holder_declined_on, "date of the Holder's election", "holder_declined_on")
        if holder_declined_on > tender_date:
            raise WorkflowError(f"The Holder's election not to convert ({holder_declined_on.isoformat()}) is after the tender "
                                f"({tender_date.isoformat()}); record the tender on or after the election.", field="holder_declined_on")
    if Conversion.objects.filter(debenture=deb, status=ConversionStatus.PENDING_DELIVERY).exists():
        raise WorkflowError(f"A Notice of Conversion of {deb.label} is pending: the Holder is converting (Debenture 7).",
                            code="conversion_pending", field="debenture")
    if Redemption.objects.filter(debenture=deb, status=RedemptionStatus.PENDING).exists():
        raise WorkflowError(f"A Notice of Redemption of {deb.label} is pending (Debenture 4(B)); record its payment or "
                            "its end first.", code="redemption_pending", field="debenture")
    window_end = sale.notice_received + datetime.timedelta(days=sale_engine.SALE_WINDOW_DAYS)
    converted_on = (Conversion.objects.filter(debenture=deb, status=ConversionStatus.DELIVERED,
                                              notice_received_date__gte=sale.notice_received,
                                              notice_received_date__lte=window_end)
                    .order_by("notice_received_date").values_list("notice_received_date", flat=True).first())
    try:
        window = sale_engine.sale_window(notice_received=sale.notice_received, as_of=tender_date,
                                         holder_declined_on=holder_declined_on, conversion_delivered_on=converted_on)
    except InvalidInput as err:
        raise _invalid(err, "holder_declined_on")
    if not window.can_prepay:
        raise WorkflowError(
            f"The Company may tender prepayment of {deb.label} only from {window.prepay_from.isoformat()} -- after the "
            f"Holder elects in writing not to convert or after the 15-day window that ends {window.window_end.isoformat()} "
            f"(Debenture 7); on {tender_date.isoformat()}: {window.reason}.",
            code="too_early", field="tender_date",
        )  # fmt: skip
    deducted = Decimal(deducted or 0)
    if deducted > 0 and not deduction_basis.strip():
        raise WorkflowError("Name the law that requires the deduction (Debenture 7: \"amounts required by law to be deducted\").",
                            field="deduction_basis")
    terms = terms_in_force(financing=deb.financing, day=tender_date).terms
    try:
        pp = sale_engine.sale_prepayment(terms=terms, principal=deb.principal_outstanding, dated_date=deb.dated_date,
                                         issued_date=deb.issue_date, paid_through=deb.interest_paid_through,
                                         tender_date=tender_date, deducted=deducted)
    except InvalidInput as err:
        raise _invalid(err, "deducted")
    prep = SalePrepayment.objects.create(
        sale=sale, debenture=deb, investor=deb.investor, holder_declined_on=holder_declined_on, tender_date=tender_date,
        principal=pp.principal, interest=pp.interest.amount, gross_amount=pp.gross, deducted=pp.deducted,
        deduction_basis=deduction_basis.strip(), net_amount=pp.net,
        snapshot={**pp.as_dict(), "window": window.as_dict(), "arose_on": tender_date.isoformat()}, created_by=user,
    )  # fmt: skip
    today = business_date()
    ledger_put(source=prep, rows=[build.sale_prepayment(prepayment=prep)], as_of=today, user=user)
    row = prep_row(prep)
    if pp.net > 0:
        settlement_record(obligation_id=row.pk, kind="payment", date=tender_date, amount=pp.net, method=method,
                          reference=reference or f"Prepayment of {deb.label} (Debenture 7)", by=user)
    if pp.deducted > 0:
        settlement_record(obligation_id=row.pk, kind="payment", date=tender_date, amount=pp.deducted, method="set_off",
                          reference=f"Deducted as required by law: {deduction_basis.strip()}"[:200], by=user)
    # the Debenture is paid off: its principal moves by exactly the principal prepaid
    if Debenture.objects.filter(pk=deb.pk, principal_outstanding=pp.principal).update(principal_outstanding=0) != 1:
        raise WorkflowError(f"{deb.label}'s outstanding principal changed while the prepayment was recorded; try again.",
                            code="outstanding_changed")
    history_record(Debenture, [deb.pk], user_id=getattr(user, "pk", None), reason="prepaid (Debenture 7)")
    deb.refresh_from_db(fields=["principal_outstanding"])
    deb.status = InstrumentStatus.REDEEMED
    deb.interest_paid_through = tender_date
    deb._history_user = user
    deb.save(update_fields=["status", "interest_paid_through", "updated_at"])
    debenture_sync(deb, as_of=today, user=user)
    ledger_close(source=sale, kinds=[ObligationKind.SALE_CONVERSION_WINDOW], period_key=deb.number, on=tender_date, as_of=today,
                 user=user, description=(f"{deb.number}: prepayment tendered on {tender_date.isoformat()}; the right of "
                                         "conversion terminated (Debenture 7)"))
    return prep


def prep_row(prep: SalePrepayment):
    """The ledger row of a prepayment (Debenture 7)."""
    from deals.services.ledger.writer import obligations_for

    return obligations_for(prep).get(kind=ObligationKind.SALE_PREPAYMENT)


# --- SPA 5(a), 5(e): share delivery instructions ---------------------------------------------------


@transaction.atomic
def ta_instruction_create(
    *, record, dwac: bool, registered_name: str, denominations: str, instruction_date: datetime.date,
    fast_participant: bool, user,
) -> TransferAgentInstruction:  # fmt: skip
    """Instruct the transfer agent to issue the shares of a conversion or exercise (SPA 5(a)),
    with the legend until the Shares are registered (SPA 4(b)), by DWAC where the holder asks
    and the shares are unlegended (SPA 5(e))."""
    if isinstance(record, Conversion):
        rec = (
            Conversion.objects.select_for_update(of=("self",))
            .select_related("investor", "debenture__financing", "preferred__financing")
            .get(pk=record.pk)
        )
        fin = (rec.debenture or rec.preferred).financing
        shares = rec.shares_issuable
        existing = TransferAgentInstruction.objects.filter(conversion=rec).first()
        start = rec.conversion_date
    elif isinstance(record, WarrantExercise):
        rec = WarrantExercise.objects.select_for_update().select_related("investor", "warrant__financing").get(pk=record.pk)
        fin = rec.warrant.financing
        shares = rec.shares
        existing = TransferAgentInstruction.objects.filter(exercise=rec).first()
        start = rec.exercise_date
    else:
        raise WorkflowError("Instructions are for conversions and warrant exercises only.")
    if existing is not None:
        raise WorkflowError(f"Instruction #{existing.pk} was already given for this record.", code="exists")
    if getattr(rec, "status", "") in ("revoked", "dishonoured"):
        raise WorkflowError(f"The record is {rec.get_status_display().lower()}; no shares are to be issued.", code="closed")
    if shares <= 0:
        raise WorkflowError("No shares are issuable on this record.", code="none")
    _not_future(instruction_date, "instruction date", "instruction_date")
    if instruction_date < start:
        raise WorkflowError("The instruction cannot precede the conversion or exercise.", field="instruction_date")
    if not registered_name.strip():
        raise WorkflowError("Give the name the shares are registered in (SPA 5(a): the Buyer or its nominee).", field="registered_name")
    legended = effective_date_on(fin, instruction_date) is None
    investor = rec.investor
    try:
        engine.check_dwac(requested=dwac, legended=legended, fast_participant=fast_participant, dtc_account=investor.dtc_participant)
    except InvalidInput as err:
        raise _invalid(err, "dwac")
    instruction = TransferAgentInstruction.objects.create(
        conversion=rec if isinstance(rec, Conversion) else None, exercise=rec if isinstance(rec, WarrantExercise) else None,
        investor=investor, shares=shares, registered_name=registered_name.strip(), denominations=denominations.strip(),
        legended=legended, dwac=dwac, dtc_participant=investor.dtc_participant if dwac else "",
        prime_broker=investor.prime_broker if dwac else "", instruction_date=instruction_date,
        snapshot={"legend": legend_text(fin, instruction_date) if legended else "", "fast_participant": fast_participant},
        created_by=user,
    )  # fmt: skip
    from notices.services import notice_request

    notice_request(record=instruction, kind="ta_instruction", user=user)
    return instruction
