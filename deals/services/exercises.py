"""Warrant exercises (SPA 4(h); the warrant form, SPA Annex VI, is not in the seeds).

Checks: the warrant is not expired (exercisable through the last day of the month of the 5th
anniversary of Closing), shares <= shares remaining, payment = shares x exercise price
(underpayment refused, overpayment recorded with a warning). The Delivery Date follows the
Series J default (3rd business day after the exercise date; docs/interpretations.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from deals.models import InstrumentStatus, Issuer, Warrant, WarrantExercise
from deals.selectors.terms import terms_in_force
from deals.services.calendar import business_date, not_after_business_date
from deals.services.conversions import WorkflowError, money, money_input
from deals.services.issuance import issuer_lock, limit_refusal, reserve_sync
from deals.services.ledger import rows as build
from deals.services.ledger.sync import meeting_sync, warrant_sync
from deals.services.ledger.writer import history_record, ledger_put
from deals.terms.delivery import series_j_delivery_date
from deals.terms.errors import TermsError
from deals.terms.warrants import exercise_cost, is_expired

CLAUSE_EXERCISE = "SPA 4(h); warrant form (SPA Annex VI)"


@dataclass(frozen=True)
class ExerciseQuote:
    """What an exercise costs and when the shares are due, with any warning for the clerk."""

    warrant: Warrant
    shares: int
    exercise_price: Decimal
    aggregate_price: Decimal
    payment_amount: Decimal
    overpayment: Decimal
    delivery_date: datetime.date
    warnings: tuple[str, ...]
    requested_shares: int = 0  # as exercised by the holder; ``shares`` is what the Cap Regulations allow
    unexercised_shares: int = 0  # beyond the cap / authorized shares: stay on the warrant (SPA 4(i) reading)
    limits: dict | None = None

    def as_dict(self) -> dict:
        return {
            "warrant": self.warrant.number,
            "shares": self.shares,
            "requested_shares": self.requested_shares or self.shares,
            "unexercised_shares": self.unexercised_shares,
            "limits": self.limits,
            "exercise_price": str(self.exercise_price),
            "aggregate_price": str(self.aggregate_price),
            "payment_amount": str(self.payment_amount),
            "overpayment": str(self.overpayment),
            "delivery_date": self.delivery_date.isoformat(),
            "expiry_date": self.warrant.expiry_date.isoformat(),
            "warnings": list(self.warnings),
            "clause": CLAUSE_EXERCISE,
        }


def exercise_quote(
    *,
    warrant: Warrant,
    shares: int,
    exercise_date: datetime.date,
    payment_amount: Decimal,
    payment_date: datetime.date,
) -> ExerciseQuote:
    """Validate an exercise and price it (pure read). Raises ``WorkflowError``."""
    payment_amount = money_input(payment_amount, what="payment", field="payment_amount")
    if isinstance(shares, bool) or not isinstance(shares, int):
        raise WorkflowError(f"The number of shares must be a whole number (you entered {shares!r}).", code="invalid", field="shares")
    today = not_after_business_date(exercise_date, what="exercise date", field="exercise_date")
    not_after_business_date(payment_date, what="payment date", field="payment_date", today=today)
    if exercise_date < warrant.issue_date:
        raise WorkflowError(
            f"Warrant {warrant.number} was issued on {warrant.issue_date.isoformat()}; it cannot be exercised on "
            f"{exercise_date.isoformat()}.",
            code="invalid",
            field="exercise_date",
        )
    if is_expired(warrant.expiry_date, exercise_date) or warrant.status == InstrumentStatus.EXPIRED:
        raise WorkflowError(
            f"Warrant {warrant.number} expired on {warrant.expiry_date.isoformat()} (SPA 4(h): last day of the month of "
            f"the 5th anniversary of Closing); it cannot be exercised on {exercise_date.isoformat()}.",
            code="expired",
            field="exercise_date",
        )
    if warrant.status != InstrumentStatus.OUTSTANDING or warrant.shares_remaining <= 0:
        raise WorkflowError(
            f"Warrant {warrant.number} is {warrant.get_status_display().lower()}: no shares remain.", code="closed", field="warrant"
        )
    if shares <= 0:
        raise WorkflowError(f"The number of shares must be at least 1 (you entered {shares}).", code="invalid", field="shares")
    if shares > warrant.shares_remaining:
        raise WorkflowError(
            f"{shares:,} shares exceed the {warrant.shares_remaining:,} remaining on warrant {warrant.number}.",
            code="exceeds_remaining",
            field="shares",
        )
    version, terms = terms_in_force(financing=warrant.financing_id, day=exercise_date)
    try:
        aggregate = exercise_cost(shares, warrant.exercise_price)
    except TermsError as err:
        raise WorkflowError(str(err), code="invalid")
    if payment_amount < aggregate:
        raise WorkflowError(
            f"Payment of {money(payment_amount)} is short of the aggregate exercise price {money(aggregate)} "
            f"({shares:,} shares x ${warrant.exercise_price}) by {money(aggregate - payment_amount)}; the exercise cannot "
            "be recorded until paid in full.",
            code="underpaid",
            field="payment_amount",
        )
    # SPA 4(d)(ii), 4(i), 3(c): the Cap Regulations bind warrant exercises like conversions; the
    # part beyond them stays unexercised on the warrant (docs/interpretations.md, "Warrant exercises
    # and the cap").
    from deals.services.conversions import issuance_limits

    lim = issuance_limits(warrant.financing.issuer_id, day=exercise_date, terms=terms)
    allowed = min(shares, lim.room)
    limits = {
        "authorized": lim.pos.authorized, "issued": lim.pos.issued, "authorized_unissued": lim.pos.authorized_unissued,
        "cap_shares": lim.cap_shares, "cap_issued": lim.pos.cap_issued, "cap_room": lim.cap_room, "room": lim.room,
        "stockholder_approval": lim.pos.approval is not None, "clause": "SPA 3(c), 4(d)(ii), 4(i)",
    }
    if allowed <= 0:
        raise WorkflowError(
            limit_refusal(what=f"Exercising {shares:,} shares of warrant {warrant.number}", requested=shares, pos=lim.pos,
                          cap_room=lim.cap_room, cap_shares=lim.cap_shares,
                          extra=" No share can be issued: the exercise is not recorded and the warrant keeps its shares. If "
                                "the Company rejects a Warrant Exercise the holder may require the Mandatory Purchase "
                                "Amount (SPA 5(f))."),
            code="cap",
            field="shares",
        )
    warnings = []
    if allowed < shares:
        warnings.append(
            limit_refusal(what=f"Exercising {shares:,} shares of warrant {warrant.number}", requested=shares, pos=lim.pos,
                          cap_room=lim.cap_room, cap_shares=lim.cap_shares)
            + f" Only {allowed:,} shares are exercised; {shares - allowed:,} stay unexercised on the warrant (they may be "
            "exercised once the Cap Regulations permit, e.g. after stockholder approval) and their exercise price is owed "
            "back to the holder."
        )
        aggregate = exercise_cost(allowed, warrant.exercise_price)
    over = payment_amount - aggregate
    if over > 0:
        warnings.append(
            f"Payment of {money(payment_amount)} exceeds the aggregate exercise price {money(aggregate)} by {money(over)}; "
            "the excess is owed back to the holder."
        )
    if payment_date < exercise_date:
        warnings.append(f"Payment ({payment_date.isoformat()}) came before the exercise date ({exercise_date.isoformat()}).")
    return ExerciseQuote(
        warrant=warrant,
        shares=allowed,
        exercise_price=warrant.exercise_price,
        aggregate_price=aggregate,
        payment_amount=payment_amount,
        overpayment=over,
        delivery_date=series_j_delivery_date(exercise_date, terms),
        warnings=tuple(warnings),
        requested_shares=shares,
        unexercised_shares=shares - allowed,
        limits=limits,
    )


@transaction.atomic
def exercise_submit(
    *,
    warrant: Warrant,
    shares: int,
    exercise_date: datetime.date,
    payment_amount: Decimal,
    payment_date: datetime.date,
    idempotency_key: str,
    user,
) -> WarrantExercise:
    """Record a warrant exercise: lock the warrant, re-validate, write the exercise, reduce the
    shares remaining, raise the issued share count, open the delivery obligation, request the
    notice. Idempotent on ``idempotency_key`` (``replayed`` True on a repeat)."""
    if not idempotency_key:
        raise WorkflowError("The form is missing its submission key; reload the page and try again.", code="no_key")
    locked = Warrant.objects.select_for_update().select_related("financing").get(pk=warrant.pk)
    existing = WarrantExercise.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        existing.replayed = True
        return existing
    issuer_lock(locked.financing.issuer_id)  # SPA 3(c), 4(d)(ii): the cap count and issued shares are read under it
    quote = exercise_quote(
        warrant=locked, shares=shares, exercise_date=exercise_date, payment_amount=payment_amount, payment_date=payment_date
    )
    version, _ = terms_in_force(financing=locked.financing, day=exercise_date)
    try:
        with transaction.atomic():
            exercise = WarrantExercise.objects.create(
                warrant=locked,
                investor_id=locked.investor_id,
                terms_version=version,
                shares=quote.shares,
                exercise_date=exercise_date,
                exercise_price=quote.exercise_price,
                aggregate_price=quote.aggregate_price,
                payment_amount=quote.payment_amount,
                payment_date=payment_date,
                delivery_date=quote.delivery_date,
                snapshot={**quote.as_dict(), "terms_version": version.version},
                idempotency_key=idempotency_key,
                created_by=user,
            )
    except IntegrityError:
        existing = WarrantExercise.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        existing.replayed = True
        return existing
    exercise.replayed = False
    exercise.warnings = quote.warnings
    rows = Warrant.objects.filter(pk=locked.pk, shares_remaining__gte=exercise.shares).update(
        shares_remaining=F("shares_remaining") - exercise.shares
    )
    if rows != 1:  # cannot happen under the row lock; a guard, not a path (rolls the exercise back)
        raise WorkflowError(f"{exercise.shares:,} shares exceed those remaining on warrant {locked.number}.", code="exceeds_remaining")
    history_record(Warrant, [locked.pk], user_id=user.pk, reason="exercise")
    locked.refresh_from_db(fields=["shares_remaining"])
    if locked.shares_remaining == 0:
        locked.status = InstrumentStatus.EXERCISED
        locked.save(update_fields=["status", "updated_at"])
    Issuer.objects.filter(pk=locked.financing.issuer_id).update(shares_issued=F("shares_issued") + exercise.shares)
    history_record(Issuer, [locked.financing.issuer_id], user_id=user.pk, reason="exercise")
    ledger_put(source=exercise, rows=[build.warrant_delivery(
        exercise_id=exercise.pk, investor_id=locked.investor_id, due=quote.delivery_date, shares=exercise.shares,
        number=locked.number, clause=CLAUSE_EXERCISE, delivered_on=None,
    )], user=user)
    warrant_sync(locked, as_of=business_date(), user=user)  # no stale figures: shares still exercisable
    reserve_sync(locked.financing.issuer_id, user=user)  # SPA 4(g): the reserve after the issuance
    meeting_sync(locked.financing.issuer_id, as_of=business_date(), user=user)  # SPA 4(d)(ii): issuances since signing
    from notices.services import notice_request

    notice_request(record=exercise, kind="exercise", user=user)
    return exercise


@transaction.atomic
def exercise_delivery_record(*, exercise: WarrantExercise, delivered_date: datetime.date, reference: str, user) -> WarrantExercise:
    """Record delivery of the Warrant Shares; closes the delivery obligation."""
    ex = WarrantExercise.objects.select_for_update().get(pk=exercise.pk)
    if ex.status != WarrantExercise.Status.PENDING_DELIVERY:
        raise WorkflowError(f"Exercise #{ex.pk} is already {ex.get_status_display().lower()}.", code="wrong_status")
    not_after_business_date(delivered_date, what="delivery date", field="delivered_date")
    if delivered_date < ex.exercise_date:
        raise WorkflowError(
            f"Shares cannot be delivered on {delivered_date.isoformat()}, before the exercise date {ex.exercise_date.isoformat()}.",
            code="invalid",
            field="delivered_date",
        )
    if not reference.strip():
        raise WorkflowError("Give the certificate numbers or the DWAC/FAST reference.", code="invalid", field="reference")
    ex.status = WarrantExercise.Status.DELIVERED
    ex.delivered_date = delivered_date
    ex.delivery_reference = reference.strip()
    ex.save(update_fields=["status", "delivered_date", "delivery_reference", "updated_at"])
    ledger_put(source=ex, rows=[build.warrant_delivery(
        exercise_id=ex.pk, investor_id=ex.investor_id, due=ex.delivery_date, shares=ex.shares, number=ex.warrant.number,
        clause=CLAUSE_EXERCISE, delivered_on=delivered_date,
    )], user=user)
    return ex


@transaction.atomic
def exercise_dishonour(*, exercise: WarrantExercise, notice_date: datetime.date, user) -> WarrantExercise:
    """SPA 5(f): the Company dishonoured or rejected a Warrant Exercise and the holder gave written
    notice. The exercise is undone (the warrant gets its shares back, the issued count goes down,
    the delivery obligation is void) and the Company owes the Mandatory Purchase Amount -- 145% of
    the liquidation preference of the unconverted Preferred Stock the holder holds in the warrant's
    financing + accrued dividends -- in cash within 5 business days of the notice, one ledger row
    per Series J holding. A holder with no Preferred Stock left gets no amount (nothing to redeem).
    Deal admins only (checked by the view). Raises ``WorkflowError``; nothing is written then."""
    from deals.models import ObligationKind, PreferredHolding
    from deals.services.ledger.writer import VOID, ledger_close
    from deals.terms.delivery import mandatory_purchase_amount

    ex = WarrantExercise.objects.select_for_update(of=("self",)).select_related("warrant__financing").get(pk=exercise.pk)
    if ex.status != WarrantExercise.Status.PENDING_DELIVERY:
        raise WorkflowError(
            f"Exercise #{ex.pk} is {ex.get_status_display().lower()}: only an exercise whose shares were not delivered can be "
            "dishonoured (SPA 5(f)).",
            code="wrong_status",
        )
    today = not_after_business_date(notice_date, what="holder's notice date", field="notice_date")
    if notice_date < ex.exercise_date:
        raise WorkflowError(
            f"The holder's SPA 5(f) notice ({notice_date.isoformat()}) cannot precede the exercise ({ex.exercise_date.isoformat()}).",
            code="invalid",
            field="notice_date",
        )
    warrant = Warrant.objects.select_for_update(of=("self",)).get(pk=ex.warrant_id)
    if warrant.shares_remaining + ex.shares > warrant.shares:
        raise WorkflowError(
            f"Warrant {warrant.number} has {warrant.shares_remaining:,} of its {warrant.shares:,} shares remaining; giving back "
            f"the {ex.shares:,} shares of exercise #{ex.pk} would exceed its {warrant.shares:,} shares, so the records disagree. "
            "Correct the warrant's shares remaining in the admin first; nothing was recorded.",
            code="inconsistent",
        )
    issuer_id = ex.warrant.financing.issuer_id
    issuer_lock(issuer_id)
    holdings = list(
        PreferredHolding.objects.select_for_update(of=("self",)).filter(
            investor_id=ex.investor_id, financing_id=warrant.financing_id, liquidation_preference_outstanding__gt=0,
            status=InstrumentStatus.OUTSTANDING,
        ).order_by("pk")
    )
    rows = []
    for h in holdings:
        _, terms = terms_in_force(financing=h.financing_id, day=notice_date)
        try:
            mp = mandatory_purchase_amount(terms=terms, unconverted_liquidation_preference=h.liquidation_preference_outstanding,
                                           issue_date=h.closing_date, notice_date=notice_date)
        except TermsError as err:
            raise WorkflowError(str(err), code="invalid")
        tv = terms_in_force(financing=h.financing_id, day=notice_date).version
        rows.append(build.mandatory_purchase(conversion_id=ex.pk, investor_id=ex.investor_id, mp=mp, terms_version_id=tv.pk,
                                             issue_date=h.closing_date, period_key=h.certificate_number))
    Warrant.objects.filter(pk=warrant.pk).update(shares_remaining=F("shares_remaining") + ex.shares)
    if warrant.status == InstrumentStatus.EXERCISED:
        Warrant.objects.filter(pk=warrant.pk).update(status=InstrumentStatus.OUTSTANDING)
    history_record(Warrant, [warrant.pk], user_id=user.pk, reason="exercise dishonoured (SPA 5(f))")
    Issuer.objects.filter(pk=issuer_id).update(shares_issued=F("shares_issued") - ex.shares)
    history_record(Issuer, [issuer_id], user_id=user.pk, reason="exercise dishonoured (SPA 5(f))")
    ex.status = WarrantExercise.Status.DISHONOURED
    ex.dishonoured_date = notice_date
    ex.save(update_fields=["status", "dishonoured_date", "updated_at"])
    ledger_close(source=ex, kinds=[ObligationKind.WARRANT_DELIVERY], status=VOID, on=notice_date, user=user)
    ledger_put(source=ex, rows=rows, user=user)
    warrant.refresh_from_db()
    warrant_sync(warrant, as_of=today, user=user)
    reserve_sync(issuer_id, user=user)
    return ex
