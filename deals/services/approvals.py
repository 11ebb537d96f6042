"""Maker-checker (four eyes) and consents: issue 12; RRA 10, SPA 9(i); STYLE.md.

What waits for a second deal admin (``APPROVAL_KINDS``):

- a new deal terms version (``terms_version_request``); one that changes a contract term
  (``params.term_class``) also records the written instrument and the holders' consents, and the
  engine's check (``deals.terms.misc.amendment_consent``: RRA 10's 67% of the liquidation
  preference for a Series J financing; SPA 9(i)'s every holder for a debenture financing)
  decides whether it can take effect;
- a price correction on a date a recorded conversion used (``price_import_submit``);
- a waiver, and a payment above ``settings.APPROVAL_PAYMENT_THRESHOLD`` (``settlement_submit``).

``approval_request`` writes the pending item; ``approval_approve`` (a different deal admin) applies
it by calling the service that applies it without approval -- ``terms_version_create``,
``prices_import``, ``settlement_record`` -- in the same transaction, so a refusal there leaves the
item pending and writes nothing; ``approval_reject`` keeps the reason. Both lock the item
(``select_for_update``): a second decision on a decided item is refused. Every step is a history row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from deals.models import (
    Approval,
    ApprovalConsent,
    ApprovalKind,
    ApprovalStatus,
    DealTermsVersion,
    Financing,
    Investor,
    Obligation,
    SettlementKind,
)
from deals.services.errors import WorkflowError
from deals.services.roles import is_deal_admin
from deals.terms.errors import InvalidInput
from deals.terms.misc import amendment_consent
from deals.terms.params import NHTC_DEFAULTS, contract_terms_changed, fields_for
from nhtc.formatting import money

CENT = Decimal("0.01")


def payment_threshold() -> Decimal:
    """``APPROVAL_PAYMENT_THRESHOLD`` (env; README "Settings"): a payment above it needs four eyes."""
    return Decimal(str(settings.APPROVAL_PAYMENT_THRESHOLD)).quantize(CENT)


def _require_admin(user, what: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not is_deal_admin(user):
        raise PermissionDenied(f"Only a deal admin may {what}; clerks can read the books.")


# --- the three steps ---------------------------------------------------------------------------


@transaction.atomic
def approval_request(
    *, kind: str, payload: dict, maker, reason: str, summary: str, financing: Financing | None = None,
    obligation: Obligation | None = None, amount: Decimal | None = None, document=None,
    instrument_date: datetime.date | None = None, company_consents: bool = False, consent_check: dict | None = None,
    consents: list[tuple[int, Decimal, bool]] = (),
) -> Approval:
    """A pending change (deal admins only). ``consents``: (investor id, holding, signed) per holder."""
    _require_admin(maker, "ask for a change that needs a second deal admin")
    if kind not in ApprovalKind.values:
        raise WorkflowError(f"Unknown approval kind {kind!r}.", code="invalid", field="kind")
    if not (reason or "").strip():
        raise WorkflowError("Say why the change is made (it is kept with the approval).", code="invalid", field="reason")
    approval = Approval(
        kind=kind, payload=payload, maker=maker, reason=reason.strip()[:300], summary=summary[:300], financing=financing,
        obligation=obligation, amount=amount, instrument_date=instrument_date, company_consents=company_consents,
        consent_check=consent_check or {},
    )
    if document:
        approval.document = document
    approval._history_user = maker
    approval._change_reason = f"requested by {maker.get_username()}"
    approval.save()
    for investor_id, holding, signed in consents:
        row = ApprovalConsent(approval=approval, investor_id=investor_id, holding=holding, signed=signed)
        row._history_user = maker
        row.save()
    return approval


def _lock(approval_id: int) -> Approval:
    try:
        return Approval.objects.select_for_update().get(pk=approval_id)
    except Approval.DoesNotExist:
        raise WorkflowError(f"There is no approval #{approval_id}.", code="not_found")


def _decidable(approval: Approval, checker) -> None:
    _require_admin(checker, "approve or reject a change")
    if approval.status != ApprovalStatus.PENDING:
        who = approval.checker.get_username() if approval.checker_id else "someone"
        when = timezone.localtime(approval.decided_at).strftime("%Y-%m-%d %H:%M") if approval.decided_at else ""
        raise WorkflowError(
            f"Approval #{approval.pk} is already {approval.get_status_display().lower()} (by {who} at {when}); "
            "a decided item is not decided again.",
            code="already_decided",
        )
    if approval.maker_id == checker.pk:
        raise WorkflowError(
            f"You asked for approval #{approval.pk}; a different deal admin must approve or reject it (four eyes).",
            code="own_request",
        )


@transaction.atomic
def approval_approve(*, approval: Approval | int, checker) -> Approval:
    """A different deal admin approves: the change is applied by its own service now. A refusal
    by that service (the balance changed, the terms no longer valid ...) leaves the item pending."""
    item = _lock(approval.pk if isinstance(approval, Approval) else int(approval))
    _decidable(item, checker)
    result = _APPLY[item.kind](item, checker)
    item.status = ApprovalStatus.APPROVED
    item.checker = checker
    item.decided_at = timezone.now()
    item.result_model = result._meta.label if result is not None else ""
    item.result_id = getattr(result, "pk", None)
    item.result_label = str(result)[:300] if result is not None else ""
    item._history_user = checker
    item._change_reason = f"approved by {checker.get_username()}"
    item.save(update_fields=["status", "checker", "decided_at", "result_model", "result_id", "result_label"])
    return item


@transaction.atomic
def approval_reject(*, approval: Approval | int, checker, reason: str) -> Approval:
    """A different deal admin rejects, saying why (kept); nothing is applied."""
    item = _lock(approval.pk if isinstance(approval, Approval) else int(approval))
    _decidable(item, checker)
    if not (reason or "").strip():
        raise WorkflowError("Say why the change is rejected (the maker reads it).", code="invalid", field="reason")
    item.status = ApprovalStatus.REJECTED
    item.checker = checker
    item.decided_at = timezone.now()
    item.decision_reason = reason.strip()[:300]
    item._history_user = checker
    item._change_reason = f"rejected by {checker.get_username()}"
    item.save(update_fields=["status", "checker", "decided_at", "decision_reason"])
    return item


# --- (a) terms versions and consents -----------------------------------------------------------


@dataclass(frozen=True)
class ConsentRule:
    clause: str
    required_pct: Decimal
    measure: str


def consent_rule(financing: Financing, day: datetime.date) -> ConsentRule:
    """RRA 10 for a Series J financing (its percentage from the version in force on ``day``,
    never from the version proposed); SPA 9(i) for a debenture financing (every holder)."""
    if financing.terms_kind == "debenture":
        return ConsentRule("SPA 9(i)", Decimal(100), "principal of the Debentures held")
    from deals.selectors.terms import terms_in_force

    try:
        pct = terms_in_force(financing=financing, day=day).terms.rra_amendment_consent_pct
    except WorkflowError:
        pct = NHTC_DEFAULTS.rra_amendment_consent_pct
    return ConsentRule("RRA 10", Decimal(pct), "liquidation preference of the Preferred Stock")


def holdings_on(financing: Financing, day: datetime.date) -> dict[int, Decimal]:
    """Each holder's weight on ``day`` (investor id -> amount). Series J: the liquidation
    preference of the holder's Preferred Stock closed by then, converted or not (RRA 10 counts
    Registrable Securities by liquidation preference; conversion shares are presumed still held --
    docs/interpretations.md). Debentures: principal registered to the holder that day
    (``holders_of_record``)."""
    from django.db.models import Sum

    if financing.terms_kind == "debenture":
        from deals.selectors.closing import holders_of_record

        out: dict[int, Decimal] = {}
        for line in holders_of_record(financing, day):
            out[line.holder.pk] = out.get(line.holder.pk, Decimal(0)) + Decimal(line.principal)
        return out
    rows = (financing.preferred_holdings.filter(closing_date__lte=day).values("investor_id")
            .annotate(lp=Sum("liquidation_preference")))
    return {r["investor_id"]: Decimal(r["lp"]) for r in rows}


def consent_check(*, financing: Financing, day: datetime.date, signed: set[int], company_consents: bool):
    """The engine's check on the holders who signed (``amendment_consent``)."""
    holdings = holdings_on(financing, day)
    rule = consent_rule(financing, day)
    names = dict(Investor.objects.filter(pk__in=holdings).values_list("pk", "legal_name"))
    unknown = sorted(signed - set(holdings))
    if unknown:
        raise WorkflowError(
            f"{rule.clause}: investor(s) #{', #'.join(map(str, unknown))} held nothing of {financing} on "
            f"{day.isoformat()} and cannot consent.", code="consent_not_holder", field="consents")
    try:
        return amendment_consent(
            holdings={names[k]: v for k, v in holdings.items()}, consenting=[names[k] for k in signed],
            company_consents=company_consents, required_pct=rule.required_pct, clause=rule.clause,
        ), holdings
    except InvalidInput as err:
        raise WorkflowError(str(err), code="consent", field="instrument_date")


@transaction.atomic
def terms_version_request(
    *, financing: Financing, effective_from: datetime.date, reason: str, values: dict, maker,
    acknowledged: bool = False, document=None, instrument_date: datetime.date | None = None,
    company_consents: bool = False, signed: set[int] | None = None,
) -> Approval:
    """Ask for a new terms version (pending until a second deal admin approves). A version that
    changes a contract term needs the written instrument and consents that pass the engine's
    check; one effective on or before recorded conversions needs ``acknowledged``."""
    from deals.selectors.terms import records_on_or_after
    from deals.services.terms import terms_values_to_json

    _require_admin(maker, "ask for a new terms version")
    kind = financing.terms_kind
    latest = DealTermsVersion.objects.filter(financing=financing).order_by("-version").first()
    old = latest.term_values() if latest else {}
    new = {n: values.get(n) for n in fields_for(kind)}
    changed = [n for n in fields_for(kind) if latest is None or _norm(old.get(n)) != _norm(new.get(n))]
    contract = contract_terms_changed(old, new, kind) if latest else ()
    records = records_on_or_after(financing=financing, day=effective_from)
    if records and not acknowledged:
        raise WorkflowError(
            f"{len(records)} recorded record(s) of {financing} are dated on or after {effective_from.isoformat()} "
            f"(first: {records[0].label}, terms v{records[0].version}); they keep the version they used. Tick the "
            "acknowledgement to go on.", code="records_after_effective", field="acknowledge_records")
    check, consents = {}, []
    if contract:
        if not document:
            raise WorkflowError(
                f"This version changes {len(contract)} contract term(s) ({', '.join(contract[:5])}"
                f"{' ...' if len(contract) > 5 else ''}): attach the written instrument of amendment "
                f"({consent_rule(financing, effective_from).clause}).", code="instrument_missing", field="instrument")
        if instrument_date is None:
            raise WorkflowError("Give the date of the written instrument (holdings are counted on it).",
                                code="invalid", field="instrument_date")
        result, holdings = consent_check(financing=financing, day=instrument_date, signed=set(signed or ()),
                                         company_consents=company_consents)
        if not result.passes:
            raise WorkflowError(
                " ".join(result.reasons) + f" Signed: {money(result.consenting_liquidation_preference)} of "
                f"{money(result.total_liquidation_preference)} held on {instrument_date.isoformat()}. The version "
                "cannot take effect; nothing was recorded.", code="consent_short", field="consents")
        check = {**result.as_dict(), "contract_terms": list(contract)}
        consents = [(pk, amount, pk in (signed or ())) for pk, amount in holdings.items()]
    payload = {
        "financing_id": financing.pk, "effective_from": effective_from.isoformat(), "reason": reason.strip()[:300],
        "values": terms_values_to_json(new), "base_version": latest.version if latest else None,
        "changed": changed, "contract_terms": list(contract),
        "records_acknowledged": [r.as_dict() for r in records[:50]], "records_count": len(records),
    }
    head = f"{financing}: terms v{(latest.version if latest else 0) + 1} from {effective_from.isoformat()} -- "
    if latest is None:
        summary = head + "the financing's first version (the terms as agreed; no amendment, no consent)"
    else:
        summary = head + f"{len(changed)} term(s) changed" + (
            f", {len(contract)} contract term(s)" if contract else ", clerical only")
    return approval_request(
        kind=ApprovalKind.TERMS_VERSION, payload=payload, maker=maker, reason=reason, summary=summary,
        financing=financing, document=document if contract else None, instrument_date=instrument_date if contract else None,
        company_consents=company_consents if contract else False, consent_check=check, consents=consents,
    )


def _apply_terms(item: Approval, checker):
    from deals.services.terms import terms_version_create

    p = item.payload
    if p.get("price_protection"):
        # SPA 4(j)(v): required by the agreement itself, no consent; the offer's service applies it.
        from deals.services.company.rofr import price_protection_apply

        return price_protection_apply(approval=item, checker=checker)
    if p.get("contract_terms"):
        # The engine decides again on the consents recorded with the request (RRA 10 / SPA 9(i)).
        rows = list(item.consents.select_related("investor"))
        rule = consent_rule(item.financing, item.instrument_date)
        try:
            result = amendment_consent(
                holdings={r.investor.legal_name: r.holding for r in rows},
                consenting=[r.investor.legal_name for r in rows if r.signed], company_consents=item.company_consents,
                required_pct=rule.required_pct, clause=rule.clause)
        except InvalidInput as err:
            raise WorkflowError(str(err), code="consent")
        if not result.passes:
            raise WorkflowError(" ".join(result.reasons), code="consent_short")
    return terms_version_create(
        financing_id=p["financing_id"], effective_from=datetime.date.fromisoformat(p["effective_from"]),
        reason=p["reason"] or item.reason, values=p["values"], made_by=item.maker, approved_by=checker)


def _norm(v):
    from deals.terms.params import _same

    return _same(v)


# --- (b) price corrections -----------------------------------------------------------------------


def price_import_submit(*, file_name: str, content: bytes | str, user, dry_run: bool = False, replace: bool = False,
                        reason: str = ""):
    """``prices_import``; when it would replace a price on a date a recorded conversion used, the
    import waits for a second deal admin instead: returns (result, approval or None)."""
    from deals.services.prices import prices_import

    result = prices_import(file_name=file_name, content=content, user=user, dry_run=dry_run, replace=replace)
    return result, price_correction_request(result=result, content=content, user=user, reason=reason)


def price_correction_request(*, result, content: bytes | str, user, reason: str = ""):
    """The pending approval for an import ``prices_import`` held (dates conversions used), else None."""
    if not result.held or result.dry_run:
        return None
    file_name = result.file_name
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    dates = ", ".join(d.isoformat() for d in result.held[:5]) + (" ..." if len(result.held) > 5 else "")
    return approval_request(
        kind=ApprovalKind.PRICE_CORRECTION, maker=user,
        reason=reason or f"Price correction from {file_name[:80]}",
        summary=f"Replace closing prices on {len(result.held)} date(s) used by recorded conversions: {dates}",
        payload={"file_name": file_name[:255], "content": text, "held": [d.isoformat() for d in result.held],
                 "conversions": result.held_conversions[:200]},
    )


def _apply_prices(item: Approval, checker):
    from deals.services.prices import prices_import

    p = item.payload
    result = prices_import(file_name=p["file_name"], content=p["content"], user=item.maker, replace=True,
                           approved=True)
    if not result.applied:
        first = result.errors[0].message if result.errors else result.summary()
        raise WorkflowError(f"The price correction cannot be applied now: {first}", code="price_import_rejected")
    return result.price_import


# --- (c), (d) waivers and large payments -----------------------------------------------------


@transaction.atomic
def settlement_submit(
    *, obligation_id: int, kind: str, date: datetime.date, amount, method: str = "", reference: str = "",
    document=None, waived_by: str = "", instrument: str = "", by,
):
    """A payment or waiver from a page or the API. A waiver, or a payment above
    ``payment_threshold()``, becomes a pending approval (after every check ``settlement_record``
    makes, so it could apply); any other payment is recorded at once. Returns the Settlement or
    the Approval."""
    from deals.services.ledger.settlements import settlement_check, settlement_record

    value = settlement_check(obligation_id=obligation_id, kind=kind, date=date, amount=amount, method=method,
                             waived_by=waived_by, instrument=instrument, by=by)
    limit = payment_threshold()
    if kind == SettlementKind.PAYMENT and value <= limit:
        return settlement_record(obligation_id=obligation_id, kind=kind, date=date, amount=value, method=method,
                                 reference=reference, document=document, waived_by=waived_by, instrument=instrument, by=by)
    ob = Obligation.objects.get(pk=obligation_id)
    if kind == SettlementKind.WAIVER:
        approval_kind = ApprovalKind.WAIVER
        summary = f"Waive {money(value)} of {ob.get_kind_display()} #{ob.pk} ({ob.clause}) on {date.isoformat()}"
        reason = f"Waiver by {waived_by.strip()} ({instrument.strip()})"
    else:
        approval_kind = ApprovalKind.SETTLEMENT
        summary = (f"Pay {money(value)} of {ob.get_kind_display()} #{ob.pk} ({ob.clause}) on {date.isoformat()}: above "
                   f"the {money(limit)} approval threshold")
        reason = f"Payment by {method}" + (f", reference {reference.strip()}" if reference.strip() else "")
    payload = {"obligation_id": obligation_id, "kind": kind, "date": date.isoformat(), "amount": str(value),
               "method": method, "reference": reference.strip()[:200], "waived_by": waived_by.strip()[:200],
               "instrument": instrument.strip()[:300]}
    return approval_request(kind=approval_kind, payload=payload, maker=by, reason=reason, summary=summary,
                            obligation=ob, amount=value, document=document)


def _apply_settlement(item: Approval, checker):
    from deals.services.ledger.settlements import settlement_record

    p = item.payload
    return settlement_record(
        obligation_id=p["obligation_id"], kind=p["kind"], date=datetime.date.fromisoformat(p["date"]),
        amount=Decimal(p["amount"]), method=p.get("method", ""), reference=p.get("reference", ""),
        document=item.document.name if item.document else None, waived_by=p.get("waived_by", ""),
        instrument=p.get("instrument", ""), by=item.maker)


_APPLY = {
    ApprovalKind.TERMS_VERSION: _apply_terms,
    ApprovalKind.PRICE_CORRECTION: _apply_prices,
    ApprovalKind.WAIVER: _apply_settlement,
    ApprovalKind.SETTLEMENT: _apply_settlement,
}
