"""One builder per ``ObligationKind``: the engine's result (``deals.terms``) and the
source record's facts in, the ledger row (``writer.Row``) out -- description, clause,
amount, due date, status and working.

Workflows (on submit, delivery, cure, ...) and the sweep rules call the same builder
for the same record, so the sweep on the same business date finds nothing to change
(tests/ledger/test_one_author.py). Nothing else constructs a row.

Amounts that grow with time (``ACCRUING``: SPA 5(c) late payments while the shares are
late, Debenture interest after maturity, SPA 5(f) dividends until payment) are not
re-written each day: the row stores the figure on its due date and, in
``details["accrual"]``, what the accrual needs (the engine function's inputs). The
selector ``deals.selectors.ledger.obligation_amount_on`` computes the amount for the
date asked. The sweep then writes only state changes.

Adding a deadline type: an engine function in ``deals.terms``, its ``ObligationKind``,
one builder here, one rule module in ``deals.services.sweeps.rules`` (see
docs/architecture.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from deals.models import ObligationKind
from deals.services.ledger.writer import OPEN, SATISFIED, VOID, WAIVED, Row
from deals.terms.delivery import LatePayment, MandatoryPurchase

K = ObligationKind

# details["accrual"]["fn"] values the selector knows how to compute
ACCRUAL_LATE_PAYMENT = "late_payment"
ACCRUAL_MATURITY = "maturity"
ACCRUAL_MANDATORY_PURCHASE = "mandatory_purchase"
ACCRUAL_PERIODIC_AMOUNT = "periodic_amount"


def money(value) -> str:
    return f"${Decimal(value):,.2f}"


def milestone(due: datetime.date, as_of: datetime.date) -> tuple[str, datetime.date | None]:
    """A date that simply passes (end of a period, a warning): open until it has passed."""
    return (SATISFIED, due) if as_of > due else (OPEN, None)


def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d else None


# --- conversions: SPA 5(c), (d), (f); Debenture 4(A), Exhibit A --------------------------------


def share_delivery(
    *, object_id: int, investor_id: int | None, due_date: datetime.date, shares: int, what: str, clause: str,
    pending: bool, delivered_on: datetime.date | None = None, closed_on: datetime.date | None = None,
    conversion_date: datetime.date | None = None,
) -> Row:
    """SPA 5(c), Debenture 4(A), SPA 4(i)(x): deliver the shares by the Delivery Date.
    Satisfied on delivery; void when the conversion was revoked or dishonoured."""
    if pending:
        st, sat = OPEN, None
    elif delivered_on is not None:
        st, sat = SATISFIED, delivered_on
    else:
        st, sat = VOID, closed_on
    details: dict = {"shares": shares}
    if conversion_date is not None:
        details["conversion_date"] = conversion_date.isoformat()
    return Row(K.SHARE_DELIVERY, clause, object_id, due_date, investor_id=investor_id, status=st, satisfied_date=sat,
               description=f"Deliver {shares:,} shares for {what}", details=details)


def conversion_delivery_clause(is_debenture: bool) -> str:
    return "Debenture 4(A)" if is_debenture else "SPA 5(c)"  # issue 15 item 18: Series J delivery cites SPA 5(c) only


def revocation_right(
    *, conversion_id: int, investor_id: int | None, opens_on: datetime.date, revocation_days: int, delivery_date: datetime.date,
    details: dict, pending: bool, closed_on: datetime.date | None, status_label: str, as_of: datetime.date,
) -> Row | None:
    """SPA 5(c): the holder may revoke from the day after the 3rd business day after the
    Delivery Date while the shares are undelivered; void once delivered/revoked/dishonoured."""
    if pending and as_of >= opens_on:
        return Row(K.REVOCATION_RIGHT, "SPA 5(c)", conversion_id, opens_on, investor_id=investor_id, details=details,
                   description=(f"Holder may revoke the Notice of Conversion: shares not delivered within {revocation_days} "
                                f"business days after the Delivery Date {delivery_date.isoformat()}"))
    if not pending and closed_on and closed_on >= opens_on:
        return Row(K.REVOCATION_RIGHT, "SPA 5(c)", conversion_id, opens_on, investor_id=investor_id, status=VOID,
                   satisfied_date=closed_on, description=f"Revocation right ended on {closed_on.isoformat()} ({status_label})")
    return None


def late_payment(*, conversion_id: int, investor_id: int | None, lp: LatePayment, terms_version_id: int | None,
                 first_late_day: datetime.date | None = None, first_day_amount: Decimal | None = None) -> Row | None:
    """SPA 5(c): $100 per $10,000 per business day beyond the grace period, $1,000 + $200 a
    day beyond 10, payable on demand. While the shares are late (``lp.delivered`` false,
    counted through a date) the row is due on the first late day, stores the amount on
    that day and the accrual; once delivered, revoked or dishonoured (``delivered_on``
    given to the engine) the amount is final and due on that day."""
    if lp.business_days_late <= 0:
        return None
    if lp.delivered:
        return Row(K.LATE_PAYMENT, "SPA 5(c)", conversion_id, lp.counted_through, investor_id=investor_id, amount=lp.amount,
                   description=f"Late payment: {lp.business_days_late} business day(s) late, payable on demand",
                   details=lp.as_dict() | {"schedule": None})
    assert first_late_day is not None and first_day_amount is not None
    return Row(
        K.LATE_PAYMENT, "SPA 5(c)", conversion_id, first_late_day, investor_id=investor_id, amount=first_day_amount,
        description=(f"Late payment accruing from {first_late_day.isoformat()}: grows each business day until delivery "
                     "(SPA 5(c) schedule); payable on demand"),
        details={
            "accrual": {"fn": ACCRUAL_LATE_PAYMENT, "terms_version_id": terms_version_id,
                        "amount_converted": str(lp.amount_converted), "delivery_date": lp.delivery_date.isoformat()},
            "grace_end": lp.grace_end.isoformat(), "units": str(lp.units), "clause": "SPA 5(c)",
        },
    )


def original_notice(
    *, conversion_id: int, investor_id: int | None, due: datetime.date, number: str, received: datetime.date | None,
    voided_on: datetime.date | None, void: bool, as_of: datetime.date,
) -> Row:
    """Debenture Exhibit A: the original Debenture and Notice of Conversion follow a fax
    by the 5th business day after the Date of Conversion. Flagged ``late`` once the day
    has passed (a state change, written once), fixed on receipt."""
    if received:
        st, sat = SATISFIED, received
    elif void:
        st, sat = VOID, voided_on
    else:
        st, sat = OPEN, None
    return Row(K.ORIGINAL_NOTICE, "Debenture Exhibit A", conversion_id, due, investor_id=investor_id, status=st, satisfied_date=sat,
               description=f"Original Debenture {number} and Notice of Conversion due from the holder",
               details={"original_due": due.isoformat(), "received": _iso(received), "late": (received > due) if received else as_of > due})


def buy_in(*, buy_in_id: int, investor_id: int | None, investor_name: str, buy_in_date: datetime.date, adj) -> Row | None:
    """SPA 5(d): the Buy-In Adjustment Amount, payable on demand from the Buy-In."""
    if adj.amount <= 0:
        return None
    return Row(K.BUY_IN, "SPA 5(d)", buy_in_id, buy_in_date, investor_id=investor_id, amount=adj.amount,
               description=f"Buy-In Adjustment Amount payable to {investor_name} on demand", details=adj.as_dict())


def mandatory_purchase(*, conversion_id: int, investor_id: int | None, mp: MandatoryPurchase, terms_version_id: int | None,
                       issue_date: datetime.date, period_key: str = "") -> Row:
    """SPA 5(f): 145% of the unconverted liquidation preference + dividends through payment,
    within 5 business days of the holder's notice. Stores the amount if paid on the due
    date; the dividends keep accruing (selector). ``conversion_id`` is the dishonoured record's
    id (a Conversion, or a WarrantExercise with one row per Series J holding: ``period_key``)."""
    return Row(
        K.MANDATORY_PURCHASE, "SPA 5(f)", conversion_id, mp.due_date, period_key=period_key, investor_id=investor_id, amount=mp.amount,
        description=f"Mandatory Purchase Amount: {mp.premium_pct}% of {money(mp.unconverted_liquidation_preference)} + dividends",
        details=mp.as_dict() | {"accrual": {
            "fn": ACCRUAL_MANDATORY_PURCHASE, "terms_version_id": terms_version_id,
            "unconverted_liquidation_preference": str(mp.unconverted_liquidation_preference),
            "issue_date": issue_date.isoformat(), "notice_date": mp.notice_date.isoformat(),
        }},
    )


def conversion_cash(*, conversion_id: int, investor_id: int | None, due: datetime.date, amount: Decimal, is_debenture: bool,
                    what: str, accrual: dict, conversion_date: datetime.date, void_on: datetime.date | None, void: bool) -> Row | None:
    """Debenture 4(A) interest / Series J CoD dividends the holder took in cash on conversion:
    owed on the Delivery Date with the shares; void if the conversion is revoked or dishonoured."""
    if amount <= 0:
        return None
    return Row(K.CONVERSION_CASH, "Debenture 4(A)" if is_debenture else "Series J CoD (dividends on conversion)", conversion_id, due,
               investor_id=investor_id, amount=amount, status=VOID if void else OPEN, satisfied_date=void_on if void else None,
               description=f"{'Interest' if is_debenture else 'Dividends'} paid in cash on conversion of {what}",
               details={**accrual, "arose_on": conversion_date.isoformat()})


# --- the cap: SPA 4(d)(ii), 4(i) ---------------------------------------------------------------


def cap_redemption(*, remedy_id: int, investor_id: int | None, due: datetime.date, amount: Decimal | None,
                   unconverted_shares: int, snapshot: dict) -> Row:
    """SPA 4(i)(y): the Cap Limitation Redemption Amount within 30 days of the Redemption Date."""
    return Row(K.CAP_REDEMPTION, "SPA 4(i)(y)", remedy_id, due, investor_id=investor_id, amount=amount,
               description=f"Cap Limitation Redemption Amount for {unconverted_shares} Unconverted Share(s); M is final at payment",
               details={k: v for k, v in (snapshot or {}).items() if k != "conversion_price"})


def meeting_date(*, issuer_id: int, md, as_of: datetime.date, held=None) -> Row | None:
    """SPA 4(d)(ii): the Meeting Date (75 days after issuances reach 10%, or the next meeting).
    ``held``: the stockholders' meeting recorded on or before ``as_of`` (a ``StockholderMeeting``)
    -- the meeting and vote took place, so the row is satisfied on its date whatever the vote."""
    if held is not None:
        due = md.meeting_date or held.meeting_date
        outcome = "approved: the 20% cap no longer binds" if held.approved else "not approved: the 20% cap still binds"
        return Row(K.MEETING_DATE, "SPA 4(d)(ii)", issuer_id, due, status=SATISFIED, satisfied_date=held.meeting_date,
                   description=(f"Stockholders' meeting held on {held.meeting_date.isoformat()} ({held.votes_for:,} for, "
                                f"{held.votes_against:,} against, {held.votes_abstain:,} abstaining): {outcome}"),
                   details=md.as_dict() | {"meeting_id": held.pk, "approved": held.approved})
    if md.meeting_date is None:
        return None
    st, sat = milestone(md.meeting_date, as_of)
    why = "75 days after issuances reached 10%" if md.basis == "x" else "next stockholders' meeting"
    return Row(K.MEETING_DATE, "SPA 4(d)(ii)", issuer_id, md.meeting_date, status=st, satisfied_date=sat,
               description=f"Meeting Date ({why}): stockholder approval for issuances beyond the 20% cap", details=md.as_dict())


def reserve_shortfall(*, issuer_id: int, check, arose_on: datetime.date | None, as_of: datetime.date,
                      complete: bool = True) -> Row | None:
    """SPA 3(c), 4(g): the Company "shall have at all times authorized and reserved" 150% of the
    conversion shares plus the warrant shares. A shortfall is a breach the day it exists, so the
    row is due on the day it arose (``arose_on``; the period key) and stays open until the reserve
    is sufficient again (docs/interpretations.md, "SPA 4(g) reserve shortfall"). ``check``: the
    engine's ``ReserveCheck`` over every outstanding instrument; ``complete`` False when some
    instrument could not be priced (a sufficient but incomplete check closes nothing)."""
    if check is None:
        return None
    if check.sufficient:
        if arose_on is None or not complete:
            return None
        return Row(K.RESERVE_SHORTFALL, "SPA 3(c), 4(g)", issuer_id, arose_on, period_key=arose_on.isoformat(),
                   status=SATISFIED, satisfied_date=as_of,
                   description=(f"Share reserve sufficient again on {as_of.isoformat()}: {check.available_shares:,} authorized "
                                f"but unissued for {check.required_shares:,} required"),
                   details=check.as_dict())
    day = arose_on or as_of
    return Row(K.RESERVE_SHORTFALL, "SPA 3(c), 4(g)", issuer_id, day, period_key=day.isoformat(),
               description=(f"Share reserve short by {check.shortfall:,} shares: {check.required_shares:,} required "
                            f"({check.reserve_pct.normalize():f}% of {check.conversion_shares:,} conversion shares + "
                            f"{check.warrant_shares:,} warrant shares), {check.available_shares:,} authorized but unissued"),
               details=check.as_dict())


# --- warrants: SPA 4(h) --------------------------------------------------------------------------


def warrant_delivery(*, exercise_id: int, investor_id: int | None, due: datetime.date, shares: int, number: str, clause: str,
                     delivered_on: datetime.date | None) -> Row:
    """Warrant 2: deliver the Warrant Shares by the delivery date; satisfied on delivery."""
    return Row(K.WARRANT_DELIVERY, clause, exercise_id, due, investor_id=investor_id,
               status=SATISFIED if delivered_on else OPEN, satisfied_date=delivered_on,
               description=f"Deliver {shares:,} Warrant Shares for warrant {number}", details={"shares": shares})


def warrant_expiry(*, warrant_id: int, investor_id: int | None, number: str, remaining: int, expiry: datetime.date,
                   exercised: bool, as_of: datetime.date) -> Row:
    """SPA 4(h): exercisable through the expiry date; warns 30 and 7 days ahead."""
    from deals.terms.warrants import is_expired

    days_left = (expiry - as_of).days
    warning = "7 days" if 0 <= days_left <= 7 else "30 days" if 0 <= days_left <= 30 else None
    if remaining == 0 or exercised:
        st, sat, text = SATISFIED, None, "fully exercised"
    elif is_expired(expiry, as_of):
        st, sat, text = SATISFIED, expiry, f"expired on {expiry.isoformat()} with {remaining:,} shares unexercised"
    else:
        st, sat = OPEN, None
        text = f"{remaining:,} shares exercisable through {expiry.isoformat()}" + (f" -- expires within {warning}" if warning else "")
    return Row(K.WARRANT_EXPIRY, "SPA 4(h)", warrant_id, expiry, investor_id=investor_id, status=st, satisfied_date=sat,
               description=f"Warrant {number}: {text}", details={"warning": warning if st == OPEN else None})


# --- debentures: maturity, Debenture 4(B) redemption -----------------------------------------------


def maturity(*, debenture_id: int, investor_id: int | None, number: str, outstanding: Decimal, interest, status_label: str,
             live: bool, maturity_date: datetime.date, terms_version_id: int | None, dated_date: datetime.date,
             issued_date: datetime.date | None, paid_through: datetime.date | None) -> Row:
    """Debenture (Maturity Date): principal outstanding + interest to the Maturity Date;
    interest keeps accruing until payment (selector). ``interest``: the engine's accrual
    to the Maturity Date."""
    if not live:
        return Row(K.MATURITY, "Debenture (Maturity Date)", debenture_id, maturity_date, investor_id=investor_id, status=SATISFIED,
                   description=f"Debenture {number}: {status_label}, nothing outstanding")
    return Row(
        K.MATURITY, "Debenture (Maturity Date)", debenture_id, maturity_date, investor_id=investor_id,
        amount=outstanding + interest.amount,
        description=(f"Debenture {number}: principal {money(outstanding)} + interest {money(interest.amount)} to "
                     f"{maturity_date.isoformat()} (interest accrues until paid)"),
        details=interest.as_dict() | {"principal": str(outstanding), "accrual": {
            "fn": ACCRUAL_MATURITY, "terms_version_id": terms_version_id, "principal": str(outstanding),
            "dated_date": dated_date.isoformat(), "issued_date": _iso(issued_date), "maturity_date": maturity_date.isoformat(),
            "paid_through": _iso(paid_through),
        }},
    )


def redemption_payment(*, redemption_id: int, investor_id: int | None, number: str, due: datetime.date, total: Decimal,
                       state, converted: bool, paid_on: datetime.date | None) -> Row:
    """Debenture 4(B)(ii): the redemption price within 10 business days of the Notice of
    Redemption; a late payment voids the notice; a conversion instead voids it."""
    if converted:
        st, sat, text = VOID, None, "the holder converted instead"
    elif paid_on and not state.late:
        st, sat, text = SATISFIED, paid_on, state.note
    elif state.void:
        st, sat, text = VOID, paid_on or due, state.note
    else:
        st, sat, text = OPEN, None, state.note
    return Row(K.REDEMPTION_PAYMENT, "Debenture 4(B)(ii)", redemption_id, due, investor_id=investor_id, amount=total, status=st,
               satisfied_date=sat, description=f"Redemption of Debenture {number}: {text}",
               details={k: v for k, v in state.as_dict().items() if k != "as_of"})  # not re-written each day


def redemption_convert_window(*, redemption_id: int, investor_id: int | None, number: str, convert_until: datetime.date,
                              pending: bool, as_of: datetime.date) -> Row:
    """Debenture 4(B)(ii): the holder may convert instead for 5 business days; the window
    passes (satisfied) or ends with the redemption (paid, void or converted: void)."""
    st, sat = milestone(convert_until, as_of) if pending else (VOID, None)
    return Row(K.REDEMPTION_CONVERT_WINDOW, "Debenture 4(B)(ii)", redemption_id, convert_until, investor_id=investor_id,
               status=st, satisfied_date=sat,
               description=f"Holder of Debenture {number} may convert instead through {convert_until.isoformat()}")


# --- Events of Default: Debenture 10 ----------------------------------------------------------------


def cure_period(*, eod, deadline, as_of: datetime.date) -> Row | None:
    """Debenture 10: the last day a cure still prevents an Event of Default, with the
    engine's working (``events.cure_deadline``). Uncured after it the row stays open."""
    if deadline is None or deadline.cure_by is None:
        return None
    cure_by = deadline.cure_by
    S = type(eod).Status
    if eod.status == S.CURED:
        st, sat, text = SATISFIED, eod.cured_date, "cured"
    elif eod.status == S.WAIVED:
        st, sat, text = WAIVED, eod.waived_date, f"waived in writing by {eod.waived_by}"
    elif eod.status == S.ACCELERATED:
        st, sat, text = VOID, eod.accelerated_date, "accelerated"
    elif as_of > cure_by:
        st, sat, text = OPEN, None, f"uncured after {cure_by.isoformat()}: an Event of Default"
    else:
        st, sat, text = OPEN, None, f"cure period runs through {cure_by.isoformat()}"
    return Row(K.CURE_PERIOD, deadline.clause, eod.pk, cure_by,
               investor_id=eod.debenture.investor_id if eod.debenture_id else None, status=st, satisfied_date=sat,
               description=f"Event of Default 10({eod.kind}) of {eod.occurred_date.isoformat()}: {text}",
               details=deadline.as_dict())


def acceleration(*, eod, quote, accelerated_date: datetime.date) -> Row:
    """Debenture 10: after an Event of Default the Holder may declare the Debenture due:
    principal outstanding + interest accrued to the acceleration (interest then runs to payment)."""
    return Row(K.ACCELERATION, "Debenture 10", eod.pk, accelerated_date,
               investor_id=eod.debenture.investor_id if eod.debenture_id else None, amount=quote.total,
               description="Debenture declared immediately due and payable after an Event of Default",
               details={**quote.as_dict(), "arose_on": accelerated_date.isoformat()})


# --- registration: RRA 2, 3 --------------------------------------------------------------------------


def required_effective(*, object_id: int, due: datetime.date, clause: str, description: str, effective_on: datetime.date | None,
                       details: dict | None = None) -> Row:
    """RRA 2(b)(i)(A)-(C): the Required Effective Date; satisfied once effective."""
    return Row(K.REQUIRED_EFFECTIVE, clause, object_id, due, status=SATISFIED if effective_on else OPEN, satisfied_date=effective_on,
               description=description, details=details or {})


def initial_required_effective(*, object_id: int, due: datetime.date, days: int, effective_on: datetime.date | None) -> Row:
    """RRA 2(b)(i)(A): effective within ``days`` days after the Initial Closing Date."""
    return required_effective(
        object_id=object_id, due=due, clause="RRA 2(b)(i)(A)", effective_on=effective_on,
        description=f"Registration statement to be declared effective by {due.isoformat()} ({days} days after the Initial Closing Date)",
    )


def amendment_due(*, object_id: int, due: datetime.date, clause: str, description: str, filed_on: datetime.date | None,
                  details: dict, period_key: str = "") -> Row:
    """RRA 2(a)(ii)(A): amend within 10 business days of an Increased Registered Shares Date."""
    return Row(K.AMENDMENT_DUE, clause, object_id, due, period_key=period_key, status=SATISFIED if filed_on else OPEN,
               satisfied_date=filed_on, description=description, details=details)


def _excused(line) -> str:
    n = getattr(line, "excused_days", 0)
    return f", {n} excused under RRA 2(b)(vi)(i)/RRA 9" if n else ""
def _base_working(base) -> dict | None:
    """The RRA 2(b)(iii) base as the ledger keeps it: the figures and the Held Shares Value's totals,
    not one line per window conversion (the damages schedule shows those; a busy window has
    thousands, and the row would be rewritten with all of them every day -- issue 17).
    ``base``: the engine's ``PeriodicBase`` or its ``as_dict()``."""
    if base is not None and not isinstance(base, dict):
        return base.as_dict(held_lines=False)
    if not base or not base.get("held_shares_value") or "lines" not in base["held_shares_value"]:
        return base
    held = dict(base["held_shares_value"])
    lines = held.pop("lines", [])
    held["conversions"] = len(lines)
    held["held_shares"] = sum(int(line.get("held_shares", 0)) for line in lines)
    return {**base, "held_shares_value": held}


def periodic_amount(*, financing_id: int, period_key: str, investor_id: int, line, base, label: str, accruing: bool = False,
                    due: datetime.date | None = None, next_cd: datetime.date | None = None,
                    excused: list[tuple[datetime.date, datetime.date]] = ()) -> Row:
    """RRA 2(b)(iii)-(iv): 2% of the base per 30 days, determined at each Computation Date.

    The part accruing towards the next Computation Date (``accruing``) is not yet determined:
    the row stores no amount and no day count, only what the accrual needs (first day, base,
    rate, period, the next Computation Date), so it is written once, not every day (issue 11);
    ``deals.selectors.ledger.obligation_amount_on`` computes the figure for the date asked."""
    base = _base_working(base)
    if accruing:
        accrual = {
            "fn": ACCRUAL_PERIODIC_AMOUNT, "first_day": line.first_day.isoformat(), "base": str(line.base),
            "rate_pct": str(line.rate_pct), "period_days": line.period_days,
            "next_computation_date": next_cd.isoformat(),
        }
        # RRA 2(b)(vi)(i), RRA 9: excused days inside this period are not payable (kept only when there are some)
        spans = [[a.isoformat(), b.isoformat()] for a, b in excused if a <= next_cd and b >= line.first_day]
        if spans:
            accrual["excused"] = spans
        return Row(K.PERIODIC_AMOUNT, "RRA 2(b)(iii)-(iv)", financing_id, due, period_key=period_key, investor_id=investor_id,
                   amount=None,
                   description=(f"Periodic Amount accruing from {line.first_day.isoformat()} on {money(line.base)} "
                                f"({line.rate_pct.normalize():f}% per {line.period_days} days, prorated daily); determined on the "
                                f"next Computation Date {next_cd.isoformat()} or on cure: {label}"),
                   details={"base": base, "accruing": True, "accrual": accrual})
    return Row(K.PERIODIC_AMOUNT, "RRA 2(b)(iii)-(iv)", financing_id, line.due_date, period_key=period_key, investor_id=investor_id,
               amount=line.amount,
               description=(f"Periodic Amount for {line.first_day.isoformat()}..{line.computation_date.isoformat()} "
                            f"({line.days} days{_excused(line)} on {line.base}): {label}"),
               details={"line": line.as_dict(), "base": base})


def suspension_excess(*, suspension_id: int, first: datetime.date, last: datetime.date, breaches: list, as_of: datetime.date) -> Row:
    """RRA 3(h), 2(b)(ii): sales restricted outside a Permitted Suspension Period."""
    st, sat = milestone(last, as_of)
    return Row(K.SUSPENSION_EXCESS, "RRA 3(h), 2(b)(ii)", suspension_id, first, period_key=first.isoformat(), status=st,
               satisfied_date=last + datetime.timedelta(days=1) if sat else None,
               description=(f"Sales restricted outside a Permitted Suspension Period {first.isoformat()}..{last.isoformat()}: "
                            "Restricted Sale Date, Periodic Amounts run"),
               details={"breaches": [b.as_dict() for b in breaches]})


def registration_period_end(*, statement_id: int, period, as_of: datetime.date) -> Row:
    """RRA 3(a): the Registration Period ends (two years after the month after effectiveness, or earlier)."""
    st, sat = milestone(period.ends_on, as_of)
    return Row(K.REGISTRATION_PERIOD_END, period.clause, statement_id, period.ends_on, status=st, satisfied_date=sat,
               description=f"Registration Period ends ({period.ended_by})", details=period.as_dict())


# --- first refusal: SPA 4(j) ----------------------------------------------------------------------------


def rofr_answer(*, resp, offer, due: datetime.date, as_of: datetime.date) -> Row:
    """SPA 4(j)(i): each Buyer answers by close of business on the Expiration Date; no answer
    by then is not an exercise (SPA 4(j)(ii)). ``resp``/``offer``: OfferResponse, NewTransactionOffer."""
    closed_offer = {offer.Status.SUPERSEDED, offer.Status.LAPSED}
    if resp.answer != resp.Answer.PENDING:
        st, sat, text = SATISFIED, resp.answered_date, f"Answered: {resp.get_answer_display().lower()}"
    elif offer.status in closed_offer:
        st, sat, text = VOID, None, f"Offer {offer.get_status_display().lower()}"
    elif as_of > due:
        st, sat, text = VOID, due, "No answer by the Right of First Refusal Expiration Date: not exercised (SPA 4(j)(ii))"
    else:
        st, sat, text = OPEN, None, f"Answer due by close of business on {due.isoformat()}"
    return Row(K.ROFR_ANSWER, "SPA 4(j)(i)", resp.pk, due, investor_id=resp.investor_id, status=st, satisfied_date=sat,
               amount=resp.pro_rata_part, description=f"First-refusal answer on New Transaction Offer {offer.pk}: {text}")


def rofr_consummation(*, offer, expiration: datetime.date, consummation_days: int, as_of: datetime.date) -> Row:
    """SPA 4(j)(ii): the Company may close the rest with a New Investor within 20 days of the
    latest Expiration Date; after that a new offer is needed."""
    deadline = expiration + datetime.timedelta(days=consummation_days)
    if offer.status == offer.Status.CONSUMMATED:
        st, sat, text = SATISFIED, offer.consummated_date, "consummated"
    elif offer.status in {offer.Status.SUPERSEDED, offer.Status.LAPSED}:
        st, sat, text = VOID, None, offer.get_status_display().lower()
    elif as_of > deadline:
        st, sat, text = VOID, deadline, "window closed without consummation; a new offer is needed (SPA 4(j)(ii))"
    else:
        st, sat, text = OPEN, None, f"the Company may close with a New Investor through {deadline.isoformat()}"
    return Row(K.ROFR_CONSUMMATION, "SPA 4(j)(ii)", offer.pk, deadline, status=st, satisfied_date=sat,
               description=f"New Transaction Offer {offer.pk} ({money(offer.amount)}): {text}",
               details={"expiration_date": expiration.isoformat(), "consummation_deadline": deadline.isoformat()})


def rofr_period_end(*, financing_id: int, last: datetime.date, effective: datetime.date, as_of: datetime.date) -> Row:
    """SPA 4(j)(i), (v): the right runs through the 240th day after the Effective Date."""
    st, sat = milestone(last, as_of)
    return Row(K.ROFR_PERIOD_END, "SPA 4(j)(i), (v)", financing_id, last, status=st, satisfied_date=sat,
               description=f"Right of First Refusal and dilution protection end: 240 days after the Effective Date {effective.isoformat()}")


# --- indemnification: Indemnification 6 ---------------------------------------------------------------------


def indemnification_claim(*, claim, survival, as_of: datetime.date) -> Row:
    """Indemnification 6: a claim's obligations stay operative through the survival date;
    the amount is what was incurred and not yet reimbursed."""
    due = claim.survival_deadline or survival.last_operative_day
    st, sat = milestone(due, as_of)
    return Row(
        K.INDEMNIFICATION_SURVIVAL, survival.clause, claim.pk, due, status=st, satisfied_date=sat,
        amount=max(Decimal(0), claim.amount_incurred - claim.amount_reimbursed),
        description=f"Claim by {claim.claimant} v. {claim.indemnifying_party}: indemnification operative through {due.isoformat()}",
        details=survival.as_dict(),
    )


def indemnification_agreement(*, issuer_id: int, survival, agreement_date: datetime.date, as_of: datetime.date) -> Row:
    """Indemnification 6: the agreement's obligations operative for 3 years."""
    due = survival.last_operative_day
    st, sat = milestone(due, as_of)
    return Row(K.INDEMNIFICATION_SURVIVAL, survival.clause, issuer_id, due, status=st, satisfied_date=sat,
               description=(f"Indemnification Agreement operative through {due.isoformat()} (3 years after "
                            f"{agreement_date.isoformat()})"), details=survival.as_dict())


# --- closing and transfers: SPA 1(d), 4(b), 5(a); Debenture 7 -------------------------------------------


def escrow_deposit(*, room_id: int, deadline) -> Row:
    """SPA 1(d): the Buyers deposit the Purchase Price with the Escrow Agent by 5:00 p.m. New
    York time on the deadline (``deadline``: the engine's escrow deadline)."""
    d = deadline
    return Row(K.ESCROW_DEPOSIT, d.clause, room_id, d.due,
               description=(f"Buyers deposit the Purchase Price with the Escrow Agent by 5:00 p.m. New York time on "
                            f"{d.due.isoformat()} ({d.trading_days} NYSE trading days after acceptance on "
                            f"{d.acceptance_date.isoformat()})"),
               details=d.as_dict())


def legend_removal(*, removal_id: int, investor_id: int | None, certificate: str, deadline) -> Row:
    """SPA 4(b), 5(a): instruct the transfer agent to remove the legend within the business
    days after the opinion of counsel."""
    return Row(K.LEGEND_REMOVAL, deadline.clause, removal_id, deadline.due, investor_id=investor_id,
               description=(f"Instruct the transfer agent to remove the legend from {certificate} "
                            f"({deadline.business_days} business days after the opinion of counsel)"),
               details=deadline.as_dict())


def sale_conversion_window(*, sale, debenture_number: str, investor_id: int | None, window, as_of: datetime.date) -> Row:
    """Debenture 7: before a Sale the Holder may convert until ``window.convert_by``; the
    Company may prepay from ``window.prepay_from`` if it does not. The window passes
    (satisfied) after ``convert_by``; a prepayment closes it on the tender (the workflow)."""
    st, sat = milestone(window.convert_by, as_of)
    return Row(K.SALE_CONVERSION_WINDOW, window.clause, sale.pk, window.convert_by, period_key=debenture_number,
               investor_id=investor_id, status=st, satisfied_date=sat,
               description=(f"{debenture_number}: Holder may convert before the {sale.get_kind_display().lower()} until "
                            f"{window.convert_by.isoformat()}; the Company may prepay from {window.prepay_from.isoformat()} "
                            "if it does not"),
               details=window.as_dict())


# --- SPA 4(j)(v): price protection reaching past conversions and exercises ------------------------


def price_protection_shares(*, adjustment_id: int, investor_id: int, due: datetime.date, shares: int, lines: list,
                            offer_id: int, held: int = 0) -> Row | None:
    """SPA 4(j)(v) "(whether previously issued and/or converted or not)": the additional shares a
    holder is owed for its Series J conversions made before the New Transaction, one row per holder.
    ``held``: the part beyond the Cap Regulations on the confirmation date (SPA 4(d)(ii), 4(i)), owed
    but not issued until they permit (docs/interpretations.md)."""
    if shares <= 0:
        return None
    text = f"{shares:,} additional shares for {len(lines)} past conversion(s) repriced by New Transaction Offer {offer_id}"
    if held:
        text += (f"; {shares - held:,} issued, {held:,} held until the Cap Regulations permit (SPA 4(d)(ii), 4(i))")
    return Row(K.PRICE_PROTECTION_SHARES, "SPA 4(j)(v)", adjustment_id, due, period_key=f"{investor_id}:shares",
               investor_id=investor_id, description=text,
               details={"shares": shares, "issued": shares - held, "held": held, "conversions": lines})


def price_protection_refund(*, adjustment_id: int, investor_id: int, due: datetime.date, amount: Decimal, lines: list,
                            offer_id: int) -> Row | None:
    """SPA 4(j)(v): the exercise price reduction repaid on Warrant shares a holder bought before the New
    Transaction, one row per holder (money owed: settled through the books)."""
    if amount <= 0:
        return None
    return Row(K.PRICE_PROTECTION_REFUND, "SPA 4(j)(v)", adjustment_id, due, period_key=f"{investor_id}:refund",
               investor_id=investor_id, amount=amount,
               description=f"Exercise price repaid on {len(lines)} past exercise(s) repriced by New Transaction Offer {offer_id}",
               details={"exercises": lines})


def sale_prepayment(*, prepayment) -> Row:
    """Debenture 7: the prepayment tendered to a Holder who elected not to convert -- principal +
    interest through the tender date (``gross_amount``), due on the tender date and settled by the
    tender (the workflow records the payment, and any amount deducted by law, as settlements)."""
    p = prepayment
    return Row(K.SALE_PREPAYMENT, "Debenture 7", p.pk, p.tender_date, investor_id=p.investor_id, amount=p.gross_amount,
               description=(f"Prepayment of Debenture {p.debenture.number} before the {p.sale.get_kind_display().lower()}: "
                            f"principal {money(p.principal)} + interest {money(p.interest)}; the right of conversion "
                            f"terminated on the tender {p.tender_date.isoformat()}"),
               details=p.snapshot)


#: every kind has exactly one builder (tests/ledger check this)
BUILDERS = {
    K.SHARE_DELIVERY: share_delivery, K.LATE_PAYMENT: late_payment, K.REVOCATION_RIGHT: revocation_right,
    K.ORIGINAL_NOTICE: original_notice, K.BUY_IN: buy_in, K.MANDATORY_PURCHASE: mandatory_purchase,
    K.CAP_REDEMPTION: cap_redemption, K.MEETING_DATE: meeting_date, K.WARRANT_DELIVERY: warrant_delivery,
    K.WARRANT_EXPIRY: warrant_expiry, K.MATURITY: maturity, K.REDEMPTION_PAYMENT: redemption_payment,
    K.REDEMPTION_CONVERT_WINDOW: redemption_convert_window, K.REQUIRED_EFFECTIVE: required_effective,
    K.AMENDMENT_DUE: amendment_due, K.PERIODIC_AMOUNT: periodic_amount, K.SUSPENSION_EXCESS: suspension_excess,
    K.ROFR_ANSWER: rofr_answer, K.ROFR_CONSUMMATION: rofr_consummation, K.ROFR_PERIOD_END: rofr_period_end,
    K.CURE_PERIOD: cure_period, K.REGISTRATION_PERIOD_END: registration_period_end,
    K.INDEMNIFICATION_SURVIVAL: indemnification_claim, K.CONVERSION_CASH: conversion_cash, K.ACCELERATION: acceleration,
    K.ESCROW_DEPOSIT: escrow_deposit, K.LEGEND_REMOVAL: legend_removal, K.SALE_CONVERSION_WINDOW: sale_conversion_window,
    K.RESERVE_SHORTFALL: reserve_shortfall,
    K.PRICE_PROTECTION_SHARES: price_protection_shares, K.PRICE_PROTECTION_REFUND: price_protection_refund,


    K.SALE_PREPAYMENT: sale_prepayment,
}
