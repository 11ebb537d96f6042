"""Share issuance limits (SPA 3(c), 4(d)(ii), 4(g), 4(i)): the one issuer row lock every
issuance takes, the stockholders' meeting that lifts the 20% cap, and the ledger rows that follow
the issuer's position (Meeting Date, reserve shortfall).

Every workflow that issues Common Stock -- ``conversions.conversion_submit``,
``conversions.cap_remedy_choose`` (remedy (x)), ``exercises.exercise_submit`` -- calls
``issuer_lock`` before it reads the cap count and the issued shares, so two issuances that
together would cross the cap or the authorized shares run one after the other.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from deals.models import Issuer, Obligation, ObligationKind, StockholderMeeting
from deals.models.obligations import ObligationStatus
from deals.selectors import cap as cap_sel
from deals.selectors.terms import TermsUnavailable, terms_in_force
from deals.services.calendar import business_date, not_after_business_date
from deals.services.errors import WorkflowError
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_put
from deals.terms.cap import meeting_date as meeting_date_engine

CLAUSE_MEETING = "SPA 4(d)(ii)"
MAX_VOTES = 10**15


def issuer_lock(issuer_id: int) -> Issuer:
    """THE row lock for issuing Common Stock (SPA 3(c) authorized shares, SPA 4(d)(ii) 20% cap):
    ``SELECT ... FOR UPDATE`` on the issuer row, held to the end of the caller's transaction.
    Every issuing workflow calls it before it reads ``cap_selectors.issuance_position``."""
    return Issuer.objects.select_for_update(of=("self",)).get(pk=issuer_id)


def meeting_row(issuer: Issuer, *, as_of: datetime.date, terms=None, book=None, scope: cap_sel.IssuerScope | None = None):
    """The Meeting Date ledger row of ``issuer`` on ``as_of`` (the builder's input, read the same
    way by the sweep rule and the meeting service). None: no Series J financing or no date yet.
    ``book`` (a ``TermsBook``) and ``scope`` (``cap_selectors.issuer_scope``): already read by the
    caller in this transaction."""
    scope = scope or cap_sel.issuer_scope(issuer.pk)  # read once for the terms and the issuances
    if terms is None:
        spa = scope.series_j_id
        if spa is None:  # SPA 4(d)(ii) is a covenant of the Series J purchase
            return None
        _, terms = book.in_force(financing=spa, day=as_of) if book is not None else terms_in_force(financing=spa, day=as_of)
    md = meeting_date_engine(
        terms=terms,
        issuances=[i for i in cap_sel.meeting_issuances(issuer_id=issuer.pk, scope=scope) if i[0] <= as_of],
        next_stockholders_meeting=issuer.next_stockholders_meeting,
        shares_outstanding_at_signing=issuer.shares_outstanding_at_signing,
    )
    return build.meeting_date(issuer_id=issuer.pk, md=md, as_of=as_of, held=cap_sel.last_meeting(issuer_id=issuer.pk, day=as_of))


def _count(value, what: str, field: str) -> int:
    if isinstance(value, bool):
        raise WorkflowError(f"The {what} must be a whole number of votes.", code="invalid", field=field)
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise WorkflowError(f"The {what} must be a whole number of votes; {value!r} is not.", code="invalid", field=field)
    if n != value and str(n) != str(value).strip():
        raise WorkflowError(f"The {what} must be a whole number of votes; {value!r} is not.", code="invalid", field=field)
    if n < 0 or n >= MAX_VOTES:
        raise WorkflowError(f"The {what} must be between 0 and {MAX_VOTES - 1:,} (you entered {n:,}).", code="invalid", field=field)
    return n


@transaction.atomic
def stockholder_meeting_record(
    *, issuer: Issuer, meeting_date: datetime.date, votes_for, votes_against, votes_abstain=0, document, notes: str = "", user
) -> StockholderMeeting:
    """SPA 4(d)(ii): record the stockholders' meeting on authorizing issuances beyond 20% of the
    shares outstanding at signing. Approved when the votes for exceed the votes against (a
    majority of the votes cast; abstentions are not votes cast -- docs/interpretations.md). From
    the meeting date an approval lifts the 20% cap (the authorized shares still bind); the
    Meeting Date obligation is satisfied through the ledger writer whatever the vote. Deal admins
    only (checked by the view). Raises ``WorkflowError``; nothing is written then."""
    if meeting_date is None:
        raise WorkflowError("Give the date of the meeting.", code="invalid", field="meeting_date")
    today = not_after_business_date(meeting_date, what="meeting date", field="meeting_date",
                                    then="; record a meeting once it has been held")
    n_for = _count(votes_for, "votes for", "votes_for")
    n_against = _count(votes_against, "votes against", "votes_against")
    n_abstain = _count(votes_abstain, "abstentions", "votes_abstain")
    if n_for + n_against + n_abstain == 0:
        raise WorkflowError("A meeting with no votes at all cannot be recorded: enter the tally.", code="invalid", field="votes_for")
    if not document:
        raise WorkflowError(
            "Attach the minutes or the inspector of election's report (SPA 4(d)(ii) vote evidence).",
            code="invalid",
            field="document",
        )
    locked = issuer_lock(issuer.pk)
    if StockholderMeeting.objects.filter(issuer=locked, meeting_date=meeting_date).exists():
        raise WorkflowError(
            f"A stockholders' meeting of {meeting_date.isoformat()} is already recorded for {locked.name}; records are "
            "not edited -- correct it in writing with the deal team.",
            code="duplicate",
            field="meeting_date",
        )
    meeting = StockholderMeeting.objects.create(
        issuer=locked,
        meeting_date=meeting_date,
        votes_for=n_for,
        votes_against=n_against,
        votes_abstain=n_abstain,
        approved=n_for > n_against,
        document=document,
        notes=notes.strip(),
        created_by=user,
    )
    try:
        row = meeting_row(locked, as_of=today)
    except TermsUnavailable:
        row = None
    ledger_put(source=locked, rows=[row], user=user, reason="stockholders' meeting")
    return meeting


def reserve_row(issuer_id: int, *, as_of: datetime.date, book=None, scope: cap_sel.IssuerScope | None = None,
                issuer_figures: tuple[int, int] | None = None):
    """The SPA 4(g) reserve-shortfall row of ``issuer_id`` on ``as_of`` (builder input read the
    same way by the sweep rule and the issuing workflows; ``book``: the sweep's TermsBook;
    ``scope``: ``cap_selectors.issuer_scope`` already read; ``issuer_figures``: (authorized,
    issued) held under the issuer lock)."""
    pos = cap_sel.reserve_position(issuer_id=issuer_id, day=as_of, book=book, scope=scope, issuer_figures=issuer_figures)
    open_row = (
        Obligation.objects.filter(
            kind=ObligationKind.RESERVE_SHORTFALL,
            content_type__app_label="deals",
            content_type__model="issuer",
            object_id=issuer_id,
            status=ObligationStatus.OPEN,
        )
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    return build.reserve_shortfall(issuer_id=issuer_id, check=pos.check, arose_on=open_row, as_of=as_of, complete=pos.complete)


def reserve_sync(issuer_id: int, *, as_of: datetime.date | None = None, user=None, book=None,
                 scope: cap_sel.IssuerScope | None = None, issuer_figures: tuple[int, int] | None = None) -> None:
    """Write the issuer's reserve-shortfall row after an issuance (SPA 3(c), 4(g)); ``book``: a
    ``TermsBook`` the caller already read in this transaction; ``scope``: its ``issuer_scope``;
    ``issuer_figures``: (authorized, issued) after the issuance, as the caller holds them under
    the issuer lock."""
    day = as_of or business_date()
    row = reserve_row(issuer_id, as_of=day, book=book, scope=scope, issuer_figures=issuer_figures)
    ledger_put(source=Issuer(pk=issuer_id), rows=[row], as_of=day, user=user, reason="reserve")


def limit_refusal(*, what: str, requested: int, pos: cap_sel.IssuancePosition, cap_room: int | None, cap_shares: int | None,
                  extra: str = "") -> str:
    """The sentence a refusal on the Cap Regulations gives: the limit, the numbers, the clause."""
    parts = [
        f"authorized but unissued Common Stock {pos.authorized_unissued:,} ({pos.authorized:,} authorized, {pos.issued:,} "
        "issued; SPA 3(c), 4(i))"
    ]
    if cap_room is not None and cap_shares is not None:
        parts.append(
            f"room under the 20% cap {cap_room:,} ({cap_shares:,} cap less {pos.cap_issued:,} already issued to the holders "
            "of the Series J and Warrants; SPA 4(d)(ii), 4(i); no stockholder approval recorded)"
        )
    return f"{what} needs {requested:,} shares of Common Stock but the Cap Regulations allow " + " and ".join(parts) + "." + extra
