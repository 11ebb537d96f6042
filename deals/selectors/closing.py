"""Read side of the closing room and the Debenture register (one author per fact: the Closing
Date, escrow totals and holders of record are computed here and nowhere else)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from deals.models import (
    ClosingRoom,
    Debenture,
    DebentureRegisterEntry,
    EscrowDeposit,
    Financing,
    InstrumentStatus,
    RegistrationStatement,
)
from deals.terms import closing as engine

ZERO = Decimal("0")


@dataclass(frozen=True)
class SubscriptionLine:
    subscription: object
    deposited: Decimal
    short: Decimal
    allocable_share: Decimal


@dataclass(frozen=True)
class ClosingStatus:
    room: ClosingRoom
    escrow: engine.EscrowDeadline
    lines: list[SubscriptionLine]
    total_subscribed: Decimal
    total_deposited: Decimal
    fully_funded: bool
    funded_on: datetime.date | None
    conditions: list
    closing: engine.ClosingDateResult


def escrow_deadline(room: ClosingRoom) -> engine.EscrowDeadline:
    """SPA 1(d) deadline for a room."""
    return engine.escrow_deposit_deadline(room.acceptance_date)


def closing_result(conditions) -> engine.ClosingDateResult:
    """SPA 6(a) from the room's condition rows."""
    return engine.closing_date_for(engine.ConditionState(c.code, c.met_on) for c in conditions)


def closing_status(room: ClosingRoom) -> ClosingStatus:
    """Everything the room page, the closing workflow and the memorandum show, computed once."""
    subs = list(room.subscriptions.select_related("investor").order_by("id"))
    deposits = {
        row["subscription"]: row["total"]
        for row in EscrowDeposit.objects.filter(room=room).values("subscription").annotate(total=Sum("amount"))
    }
    offering = room.financing.total_offering
    lines = []
    for s in subs:
        dep = deposits.get(s.pk) or ZERO
        lines.append(SubscriptionLine(s, dep, max(s.purchase_price - dep, ZERO), (s.amount / offering).quantize(Decimal("0.000001"))))
    total_sub = sum((s.purchase_price for s in subs), ZERO)
    total_dep = sum((ln.deposited for ln in lines), ZERO)
    funded = bool(subs) and all(ln.short == 0 for ln in lines)
    funded_on = None
    if funded:
        funded_on = EscrowDeposit.objects.filter(room=room).order_by("-deposited_on").values_list("deposited_on", flat=True).first()
    conditions = list(room.conditions.select_related("decided_by").order_by("code"))
    return ClosingStatus(
        room=room,
        escrow=escrow_deadline(room),
        lines=lines,
        total_subscribed=total_sub,
        total_deposited=total_dep,
        fully_funded=funded,
        funded_on=funded_on,
        conditions=conditions,
        closing=closing_result(conditions),
    )


def rooms_overview():
    """Every financing with its room (if any), for the closing index."""
    return Financing.objects.select_related("closing_room", "issuer").order_by("kind", "name")


def final_closing_date(financing: Financing) -> datetime.date | None:
    """The date the Offering finally closed (SPA 2(b)(iv)(B)): the room's recorded closing, else
    the financing's Initial Closing Date (financings closed before the room existed)."""
    room = ClosingRoom.objects.filter(financing=financing, status=ClosingRoom.Status.CLOSED).first()
    return room.closing_date if room else financing.initial_closing_date


def first_offered_on(financing: Financing) -> datetime.date | None:
    return ClosingRoom.objects.filter(financing=financing).values_list("first_offered_on", flat=True).first()


def effective_date_on(financing: Financing, day: datetime.date) -> datetime.date | None:
    """The initial Effective Date of the financing's registration statement, if on or before ``day``."""
    return (
        RegistrationStatement.objects.filter(financing=financing, effective_date__isnull=False, effective_date__lte=day)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )


def initial_effective_date(financing: Financing) -> datetime.date | None:
    return (
        RegistrationStatement.objects.filter(financing=financing, effective_date__isnull=False)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )


# --- the Debenture register ---------------------------------------------------------------


@dataclass(frozen=True)
class RegisterLine:
    number: str
    holder: object
    principal: Decimal
    registered_on: datetime.date
    reason: str
    debenture_id: int


def holders_of_record(financing: Financing, day: datetime.date) -> list[RegisterLine]:
    """The Debenture Register on ``day``: each D-number's registered holder and principal.
    D-numbers issued before the register existed (no entry) count from their issue date until
    they were transferred away."""
    entries = (
        DebentureRegisterEntry.objects.filter(debenture__financing=financing, registered_on__lte=day)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=day))
        .select_related("debenture", "holder")
    )
    lines = [
        RegisterLine(e.debenture.number, e.holder, e.principal, e.registered_on, e.get_reason_display(), e.debenture_id) for e in entries
    ]
    legacy = (
        Debenture.objects.filter(financing=financing, issue_date__lte=day, register_entries__isnull=True)
        .exclude(status=InstrumentStatus.TRANSFERRED)
        .select_related("investor")
    )
    lines += [RegisterLine(d.number, d.investor, d.principal, d.issue_date, "Issued (before the register)", d.pk) for d in legacy]
    return sorted(lines, key=lambda ln: (len(ln.number), ln.number))


def maturity_record(financing: Financing) -> tuple[datetime.date | None, datetime.date | None, list[RegisterLine]]:
    """(Maturity Date, record date, holders of record on it): the Debenture face pays principal
    and interest to the registered holder as of the tenth day before the Maturity Date."""
    maturity = Debenture.objects.filter(financing=financing).order_by("maturity_date").values_list("maturity_date", flat=True).first()
    if maturity is None:
        return None, None, []
    record = engine.maturity_record_date(maturity)
    return maturity, record, holders_of_record(financing, record)


# --- restrictions and transfer lists ---------------------------------------------------------------


@dataclass(frozen=True)
class RestrictionLine:
    instrument: object
    kind: str
    period: object  # RestrictedPeriod or None
    inside: bool
    legend: str


def restrictions(day: datetime.date) -> list[RestrictionLine]:
    """Each outstanding Series J certificate and warrant with its Regulation S restricted period
    (SPA 2(b)(iv)) and legend (SPA 4(b)); each debenture with its face legend."""
    from deals.models import PreferredHolding, Warrant
    from deals.services.conversions import WorkflowError
    from deals.services.transfers import restricted_period

    periods: dict[int, object] = {}
    out = []
    holdings = PreferredHolding.objects.filter(status=InstrumentStatus.OUTSTANDING).select_related("financing", "investor")
    warrants = Warrant.objects.filter(status=InstrumentStatus.OUTSTANDING).select_related("financing", "investor")
    debs = Debenture.objects.filter(status=InstrumentStatus.OUTSTANDING).select_related("financing", "investor")
    for kind, qs in (("Series J", holdings), ("Warrant", warrants), ("Debenture", debs)):
        for inst in qs:
            if inst.financing_id not in periods:
                try:
                    periods[inst.financing_id] = restricted_period(inst.financing, day)
                except WorkflowError:  # no deal terms in force that day: shown as not determined
                    periods[inst.financing_id] = None
            p = periods[inst.financing_id]
            out.append(RestrictionLine(inst, kind, p, bool(p and p.contains(day)), "SPA 4(b)" if kind != "Debenture" else "Debenture face"))
    return out
