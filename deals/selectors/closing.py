"""Read side of the closing room and the Debenture register (one author per fact: the Closing
Date, escrow totals and holders of record are computed here and nowhere else)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, IntegerField, Q, Sum, Value
from django.db.models.functions import Length
from django.utils.functional import cached_property

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


class RegisterLines:
    """``holders_of_record(financing, day)`` as a sliceable sequence for a paginator (issue 17): the same
    lines in the same natural D-number order, but the order and the count come from one narrow UNION of
    (number, id) over register entries and pre-register debentures, and only a page's rows are read
    in full."""

    def __init__(self, financing: Financing, day: datetime.date):
        self.financing, self.day = financing, day
        entries = (
            DebentureRegisterEntry.objects.filter(debenture__financing=financing, registered_on__lte=day)
            .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=day))
            .annotate(nlen=Length("debenture__number"), num=F("debenture__number"), src=Value(0, output_field=IntegerField()))
            .values_list("nlen", "num", "pk", "src")
            .order_by()
        )
        legacy = (
            Debenture.objects.filter(financing=financing, issue_date__lte=day, register_entries__isnull=True)
            .exclude(status=InstrumentStatus.TRANSFERRED)
            .annotate(nlen=Length("number"), num=F("number"), src=Value(1, output_field=IntegerField()))
            .values_list("nlen", "num", "pk", "src")
            .order_by()
        )
        self.keys = entries.union(legacy, all=True).order_by("nlen", "num", "src", "pk")

    @cached_property
    def _count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop, _ = key.indices(len(self))
        keys = list(self.keys[start:stop])
        entries = DebentureRegisterEntry.objects.select_related("debenture", "holder").in_bulk([k[2] for k in keys if k[3] == 0])
        debs = Debenture.objects.select_related("investor").in_bulk([k[2] for k in keys if k[3] == 1])
        out = []
        for _, _, pk, src in keys:
            if src == 0:
                e = entries[pk]
                out.append(RegisterLine(e.debenture.number, e.holder, e.principal, e.registered_on, e.get_reason_display(), e.debenture_id))
            else:
                d = debs[pk]
                out.append(RegisterLine(d.number, d.investor, d.principal, d.issue_date, "Issued (before the register)", d.pk))
        return out


def maturity_record(financing: Financing) -> tuple[datetime.date | None, datetime.date | None, list[RegisterLine]]:
    """(Maturity Date, record date, holders of record on it): the Debenture face pays principal
    and interest to the registered holder as of the tenth day before the Maturity Date."""
    maturity, record = maturity_dates(financing)
    if maturity is None:
        return None, None, []
    return maturity, record, holders_of_record(financing, record)


def maturity_dates(financing: Financing) -> tuple[datetime.date | None, datetime.date | None]:
    """(Maturity Date, record date: the tenth day before it, Debenture face) without the holders."""
    maturity = Debenture.objects.filter(financing=financing).order_by("maturity_date").values_list("maturity_date", flat=True).first()
    if maturity is None:
        return None, None
    return maturity, engine.maturity_record_date(maturity)


# --- restrictions and transfer lists ---------------------------------------------------------------


@dataclass(frozen=True)
class RestrictionLine:
    instrument: object
    kind: str
    period: object  # RestrictedPeriod or None
    inside: bool
    legend: str


def _restriction_sources():
    from deals.models import PreferredHolding, Warrant

    holdings = PreferredHolding.objects.filter(status=InstrumentStatus.OUTSTANDING).select_related("financing", "investor")
    warrants = Warrant.objects.filter(status=InstrumentStatus.OUTSTANDING).select_related("financing", "investor")
    debs = Debenture.objects.filter(status=InstrumentStatus.OUTSTANDING).select_related("financing", "investor")
    return (("Series J", holdings), ("Warrant", warrants), ("Debenture", debs))


def _restriction_lines(day: datetime.date, pairs, periods: dict) -> list[RestrictionLine]:
    from deals.services.conversions import WorkflowError
    from deals.services.transfers import restricted_period

    out = []
    for kind, inst in pairs:
        if inst.financing_id not in periods:
            try:
                periods[inst.financing_id] = restricted_period(inst.financing, day)
            except WorkflowError:  # no deal terms in force that day: shown as not determined
                periods[inst.financing_id] = None
        p = periods[inst.financing_id]
        out.append(RestrictionLine(inst, kind, p, bool(p and p.contains(day)), "SPA 4(b)" if kind != "Debenture" else "Debenture face"))
    return out


def restrictions(day: datetime.date) -> list[RestrictionLine]:
    """Each outstanding Series J certificate and warrant with its Regulation S restricted period
    (SPA 2(b)(iv)) and legend (SPA 4(b)); each debenture with its face legend."""
    return _restriction_lines(day, ((kind, inst) for kind, qs in _restriction_sources() for inst in qs), {})


class RestrictionLines:
    """``restrictions(day)`` as a sliceable sequence for a paginator (issue 17): the same lines in the
    same order (Series J certificates, then warrants, then debentures, each in its natural order), but
    only a page's instruments are read and only their financings' restricted periods (SPA 2(b)(iv))
    computed. ``len()`` is three counts."""

    def __init__(self, day: datetime.date):
        self.day = day
        self.sources = _restriction_sources()
        self._periods: dict[int, object] = {}

    @cached_property
    def _counts(self) -> list[int]:
        return [qs.count() for _, qs in self.sources]

    def __len__(self) -> int:
        return sum(self._counts)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop, _ = key.indices(len(self))
        pairs, offset = [], 0
        for (kind, qs), n in zip(self.sources, self._counts, strict=True):
            lo, hi = max(start - offset, 0), min(stop - offset, n)
            if lo < hi:
                pairs += [(kind, inst) for inst in qs[lo:hi]]
            offset += n
        return _restriction_lines(self.day, pairs, self._periods)
