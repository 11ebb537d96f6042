"""Conversions: one function per workflow step (Debenture 4(A) + Exhibit A;
Series J per its Certificate of Designations and SPA 4(i), 5(c), 5(d), 5(f)).

Every figure comes from ``deals.terms``; these functions load the inputs
(instrument, terms version in force, prices, share counts), call the engine,
and write the results atomically. Bad input raises ``WorkflowError`` -- its
message is a sentence a clerk can act on, with the numbers involved -- and
writes nothing.

SPA 5(c)-(f) and 4(i) govern the Series J only (they speak of "Preferred
Stock"); the Debenture has no revocation, buy-in, mandatory purchase or cap
clause, so those actions are offered on Series J conversions only
(docs/interpretations.md, "SPA 5(c)-(f) -- Series J only").
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from deals.models import (
    BuyIn,
    CapRemedy,
    Conversion,
    ConversionStatus,
    Debenture,
    InstrumentStatus,
    InterestElection,
    Issuer,
    NoticeMethod,
    ObligationStatus,
    PreferredHolding,
    Redemption,
    RedemptionStatus,
    RegistrationStatement,
)
from deals.selectors.cap import issuance_position, issuance_position_reader, issuer_scope, reserve_position
from deals.selectors.prices import prices_for
from deals.selectors.terms import TermsBook, TermsInForce, terms_in_force
from deals.services.calendar import business_date, not_after_business_date
from deals.services.errors import WorkflowError
from deals.services.issuance import issuer_lock, limit_refusal, reserve_sync
from deals.services.ledger import rows as build
from deals.services.ledger.sync import conversion_sync, debenture_sync, meeting_sync, redemption_sync, registration_sync
from deals.services.ledger.writer import history_record, ledger_close, ledger_put
from deals.terms import calendars
from deals.terms.cap import cap_limitation_redemption_amount, remedy_x_conversion
from deals.terms.conversion import (
    ConversionQuote,
    PaymentForm,
    accrued_dividends,
    debenture_conversion_date,
    quote_debenture_conversion,
    quote_preferred_conversion,
    series_j_conversion_price,
)
from deals.terms.delivery import buy_in_adjustment, mandatory_purchase_amount, revocation_right
from deals.terms.errors import InvalidInput, MissingPrices, NotEligible, TermsError
from deals.terms.params import DealTerms
from deals.terms.rounding import to_cents

# Conversions that count: not revoked or dishonoured (their shares were issued or are owed).
LIVE_STATUSES = (ConversionStatus.PENDING_DELIVERY, ConversionStatus.DELIVERED)


from nhtc.formatting import money  # noqa: E402,F401 -- the one money formatter; messages use it

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1000000000000")  # money_field: 12 digits before the point


def money_input(value, *, what: str, field: str) -> Decimal:
    """A dollar amount given to a service (form, API, admin, task or command alike), checked
    before any figure is computed: a finite number, positive, in whole cents, below $1 trillion.
    Returns it as a Decimal with 2 places. Raises ``WorkflowError`` (code ``amount``) naming the
    value entered; nothing is written."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise WorkflowError(f"The {what} must be a dollar amount; {value!r} is not a number.", code="amount", field=field)
    if not amount.is_finite():
        raise WorkflowError(f"The {what} must be a dollar amount, not {amount}.", code="amount", field=field)
    if amount <= 0:
        raise WorkflowError(f"The {what} must be more than $0.00 (you entered {money(amount)}).", code="amount", field=field)
    if amount >= MONEY_LIMIT:
        raise WorkflowError(f"The {what} {money(amount)} is not a plausible amount.", code="amount", field=field)
    if amount % CENT:
        raise WorkflowError(
            f"The {what} must be in whole cents; {amount} has a fraction of a cent "
            f"(enter {amount.quantize(CENT, rounding=ROUND_DOWN)} or {amount.quantize(CENT, rounding=ROUND_UP)}).",
            code="amount",
            field=field,
        )
    return amount.quantize(CENT)


# --- inputs -------------------------------------------------------------------------------


def prices_mapping(days, field_name: str = "closing_bid") -> dict[datetime.date, Decimal]:
    """MarketPrice rows for ``days`` as {date: price}: ``deals.selectors.prices.prices_for``."""
    return prices_for(days, field_name)


def _lookback_days(terms: DealTerms, *, is_debenture: bool, conversion_date: datetime.date):
    n = terms.debenture_lookback_days if is_debenture else terms.preferred_lookback_days
    return calendars.trading_days_before(conversion_date, n)


def cap_shares_issued(issuer_id: int | None = None) -> int:
    """Common Stock issued to holders of the Series J and the Warrants on or after the SPA date
    (SPA 4(d)(ii)); the one computation is ``deals.selectors.cap.cap_shares_issued``."""
    from deals.selectors.cap import cap_shares_issued as count

    return count(issuer_id=issuer_id)


def _effective_date(financing_id: int) -> datetime.date | None:
    return (
        RegistrationStatement.objects.filter(financing_id=financing_id, effective_date__isnull=False)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )


def _check_instrument_open(instrument, amount: Decimal | None = None) -> None:
    """Refuse a redeemed, matured (etc.) instrument; a fully converted one gets the
    "exceeds the outstanding" message with both numbers (its outstanding amount is $0.00)."""
    outstanding = _outstanding(instrument)
    what = "principal" if isinstance(instrument, Debenture) else "liquidation preference"
    if instrument.status == InstrumentStatus.CONVERTED or (instrument.status == InstrumentStatus.OUTSTANDING and outstanding <= 0):
        shown = money(amount) if amount is not None else "Any amount"
        raise WorkflowError(
            f"The amount {shown} exceeds the outstanding {what} of {instrument.label}, {money(outstanding)}: it is fully converted.",
            code="exceeds_outstanding",
            field="amount",
        )
    if instrument.status == InstrumentStatus.MATURED and isinstance(instrument, Debenture):
        paid = instrument.interest_paid_through
        raise WorkflowError(
            f"{instrument.label} matured on {instrument.maturity_date.isoformat()} and its maturity payment was recorded"
            + (f" on {paid.isoformat()}" if paid else "")
            + ": principal and interest are paid (Debenture face), so nothing is left to convert. "
            "Conversions between the Maturity Date and the payment are allowed (Debenture 5: interest accrues until payment "
            "in full; see the contract readings).",
            code="instrument_closed",
            field="instrument",
        )
    if instrument.status == InstrumentStatus.REDEEMED and isinstance(instrument, Debenture):
        prep = instrument.sale_prepayments.order_by("tender_date").first()
        if prep is not None:
            raise WorkflowError(
                f"{instrument.label} was prepaid on {prep.tender_date.isoformat()} before the Sale ({prep.sale}): on that "
                "tender of payment the right of conversion terminated (Debenture 7).",
                code="instrument_closed",
                field="instrument",
            )
    if instrument.status != InstrumentStatus.OUTSTANDING:
        raise WorkflowError(
            f"{instrument.label} is {instrument.get_status_display().lower()}: nothing is left to convert.",
            code="instrument_closed",
            field="instrument",
        )


def _outstanding(instrument) -> Decimal:
    if isinstance(instrument, Debenture):
        return instrument.principal_outstanding
    return instrument.liquidation_preference_outstanding


def _pending_redemption(debenture: Debenture) -> Redemption | None:
    return Redemption.objects.filter(debenture=debenture, status=RedemptionStatus.PENDING).order_by("-notice_date").first()


def _amount_errors(instrument, amount: Decimal, terms: DealTerms) -> None:
    what = "principal" if isinstance(instrument, Debenture) else "liquidation preference"
    outstanding = _outstanding(instrument)  # ``amount`` passed ``money_input`` already
    if amount > outstanding:
        raise WorkflowError(
            f"The amount {money(amount)} exceeds the outstanding {what} of {instrument.label}, {money(outstanding)}.",
            code="exceeds_outstanding",
            field="amount",
        )
    if isinstance(instrument, PreferredHolding):
        stated = terms.preferred_stated_value
        if amount % stated:
            raise WorkflowError(
                f"Series J converts in whole preferred shares of {money(stated)} liquidation preference each "
                f"(SPA 1(b)(iv)); {money(amount)} is not a multiple of {money(stated)}.",
                code="amount",
                field="amount",
            )


def _check_instrument_existed(instrument, conversion_date: datetime.date) -> None:
    """A Date of Conversion before the instrument was issued is refused as such (issue 15 item 17),
    not as "no deal terms version in force": a Debenture exists from its date of initial issuance
    (Debenture, interest paragraph), a Series J holding from its Closing (SPA 1(b)(vi))."""
    is_debenture = isinstance(instrument, Debenture)
    began = instrument.issue_date if is_debenture else instrument.closing_date
    if conversion_date < began:
        what, clause = ("issued", "Debenture 4(A)") if is_debenture else ("issued at its Closing", "SPA 1(b)(vi)")
        raise WorkflowError(
            f"The Date of Conversion {conversion_date.isoformat()} is before {instrument.label} existed: it was {what} on "
            f"{began.isoformat()}, so nothing can be converted on an earlier date ({clause}).",
            code="before_issue",
            field="conversion_date",
        )


def conversion_quote(
    *,
    instrument: Debenture | PreferredHolding,
    amount: Decimal,
    conversion_date: datetime.date,
    notice_method: str = NoticeMethod.FACSIMILE,
    notice_received_date: datetime.date | None = None,
    interest_election: str = InterestElection.CASH,
    as_of: datetime.date | None = None,
    fax_date_confirmed_by=None,
) -> ConversionQuote:
    """Quote a conversion (pure read): Debenture 4(A) or the Series J terms, with the cap
    (SPA 4(d)(ii), 4(i)) and reserve (SPA 3(c), 4(g)) checks. Raises ``WorkflowError``."""
    book = TermsBook()  # the terms of every financing, read once for the quote and the issuer-wide reserve
    inputs = _quote_inputs(
        instrument=instrument,
        amount=amount,
        conversion_date=conversion_date,
        notice_method=notice_method,
        notice_received_date=notice_received_date,
        interest_election=interest_election,
        as_of=as_of,
        fax_date_confirmed_by=fax_date_confirmed_by,
        book=book,
    )
    issuer_id = instrument.financing.issuer_id
    scope = issuer_scope(issuer_id)
    quote = inputs.engine(issuance_position(issuer_id=issuer_id, day=conversion_date, scope=scope))
    return _issuer_reserve(quote, reserve_position(issuer_id=issuer_id, day=conversion_date, book=book, scope=scope))


@dataclass(frozen=True)
class _QuoteInputs:
    """What a quote reads besides the issuer's figures, read once: the terms in force that price
    it (the submit stores that version), the pending redemption (Debenture 4(B)(ii)) and
    ``engine(pos)``: the contract engine on those inputs and the issuer's figures ``pos``
    -- no database read (the submit calls it under the issuer lock on figures read under it)."""

    in_force: TermsInForce
    redemption: Redemption | None
    engine: Callable[..., ConversionQuote]


def _quote_inputs(
    *,
    instrument: Debenture | PreferredHolding,
    amount: Decimal,
    conversion_date: datetime.date,
    notice_method: str,
    notice_received_date: datetime.date | None,
    interest_election: str,
    as_of: datetime.date | None,
    fax_date_confirmed_by,
    book: TermsBook,
) -> _QuoteInputs:
    """The checks and reads of ``conversion_quote`` that do not depend on the issuer's figures
    (``book``: the caller's ``TermsBook``, read once for every terms look-up of the step)."""
    amount = money_input(amount, what="amount to convert", field="amount")
    today = business_date() if as_of is None else as_of
    received = conversion_date if notice_received_date is None else notice_received_date
    is_debenture = isinstance(instrument, Debenture)
    not_after_business_date(conversion_date, what="Date of Conversion", field="conversion_date", today=today,
                            then="; a conversion cannot be recorded ahead of time")
    not_after_business_date(received, what="notice receipt date", field="notice_received_date", today=today)
    if received < conversion_date:
        raise WorkflowError(
            f"The notice was received on {received.isoformat()}, before its Date of Conversion {conversion_date.isoformat()}; "
            "check both dates.",
            code="received_before_conversion",
            field="notice_received_date",
        )
    if is_debenture and notice_method == NoticeMethod.ORIGINAL and received != conversion_date:
        raise WorkflowError(
            "When the original Debenture and notice are delivered, the Conversion Date is the delivery date "
            f"(Debenture 4(A)): enter {received.isoformat()} as the Date of Conversion, not {conversion_date.isoformat()}.",
            code="conversion_date_basis",
            field="conversion_date",
        )
    _check_instrument_open(instrument, amount)
    _check_instrument_existed(instrument, conversion_date)
    redemption = None
    if is_debenture:
        redemption = _pending_redemption(instrument)
        if redemption is not None and received > redemption.convert_until:
            raise WorkflowError(
                f"{instrument.label} is being redeemed (Notice of Redemption dated {redemption.notice_date.isoformat()}, "
                f"received {redemption.notice_received_date.isoformat()}); the holder could convert instead only until "
                f"{redemption.convert_until.isoformat()} (Debenture 4(B)(ii)).",
                code="redemption_pending",
                field="instrument",
            )
    in_force = book.in_force(financing=instrument.financing, day=conversion_date)
    version, terms = in_force
    _amount_errors(instrument, amount, terms)
    if is_debenture and notice_method == NoticeMethod.FACSIMILE:
        _check_fax_date(conversion_date, today, terms, fax_date_confirmed_by)

    days = _lookback_days(terms, is_debenture=is_debenture, conversion_date=conversion_date)
    prices = prices_mapping(days)
    effective = _effective_date(instrument.financing_id) if is_debenture else None
    election = _election(interest_election)

    def engine(pos) -> ConversionQuote:
        """The contract engine on the inputs read above and the issuer's figures ``pos``."""
        common = dict(
            terms=terms,
            amount=amount,
            conversion_date=conversion_date,
            prices=prices,
            cap_shares_issued=pos.cap_issued,
            shares_outstanding_at_signing=pos.shares_outstanding_at_signing,
            stockholder_approval=pos.approval is not None,
            issued_shares=min(pos.issued, pos.authorized),
            authorized_shares=pos.authorized,
            warrant_shares=pos.warrant_shares,
        )
        with _engine_errors(conversion_date):
            if not is_debenture:
                return quote_preferred_conversion(
                    liquidation_preference=instrument.liquidation_preference,
                    closing_date=instrument.closing_date,
                    converted=instrument.liquidation_preference - instrument.liquidation_preference_outstanding,
                    dividend_payment=election,
                    **common,
                )
            quote = quote_debenture_conversion(
                principal=instrument.principal,
                closing_date=instrument.closing_date,
                converted_principal=instrument.principal - instrument.principal_outstanding,
                dated_date=instrument.dated_date,
                issued_date=instrument.issue_date,
                effective_date=effective,
                interest_payment=election,
                interest_paid_through=instrument.interest_paid_through,
                notice_delivered=received,
                **common,
            )
        if not quote.authorized.fits:
            raise WorkflowError(
                limit_refusal(what=f"Converting {money(amount)} of {instrument.label}", requested=quote.total_shares,
                              pos=pos, cap_room=None, cap_shares=None,
                              extra=f" {quote.authorized.over:,} shares are over; convert at most a part whose shares fit, "
                                    "or the Company must first authorize more shares."),
                code="authorized_shares",
                field="amount",
            )
        return quote

    return _QuoteInputs(in_force, redemption, engine)


def _election(value: str) -> PaymentForm:
    try:
        return PaymentForm(value)
    except ValueError as err:
        raise WorkflowError(str(err), code="invalid")


@contextlib.contextmanager
def _engine_errors(conversion_date: datetime.date):
    """The contract engine's refusals as the clerk-readable ``WorkflowError``s."""
    try:
        yield
    except MissingPrices as err:
        days_txt = ", ".join(d.isoformat() for d in err.dates)
        raise WorkflowError(
            f"No closing bid is recorded for {len(err.dates)} look-back trading day(s): {days_txt}. Import the prices, then quote again.",
            code="missing_prices",
            field=None,
            missing_dates=err.dates,
        )
    except NotEligible as err:
        when = (
            f" More becomes convertible on {err.eligible_on.isoformat()}."
            if err.eligible_on
            else " No later date makes that amount convertible."
        )
        raise WorkflowError(
            f"{money(err.requested)} is more than the {money(err.available)} convertible on "
            f"{conversion_date.isoformat()} ({err.clause}).{when}",
            code="not_eligible",
            field="amount",
        )
    except InvalidInput as err:
        raise WorkflowError(str(err), code="invalid")
    except TermsError as err:
        raise WorkflowError(str(err), code="terms")


def _issuer_reserve(quote: ConversionQuote, pos) -> ConversionQuote:
    """SPA 3(c), 4(g): the quote shows the reserve across every outstanding instrument of the
    issuer (all Series J, all Debentures, all Warrants: ``reserve_position`` ``pos``), not only the
    one being converted; the engine's single-instrument figure stays when the issuer-wide one
    cannot be computed."""
    return dataclasses.replace(quote, reserve=pos.check) if pos.check is not None else quote


def _check_fax_date(fax_date: datetime.date, recorded_on: datetime.date, terms: DealTerms, confirmed_by) -> None:
    """Debenture 4(A): the Conversion Date of a faxed notice is "the date set forth in such
    facsimile delivery". A fax dated more than ``fax_date_max_business_days`` business days before
    the day it is recorded is refused unless a deal admin confirms the date (the confirmation is
    kept in the snapshot)."""
    limit = terms.fax_date_max_business_days
    age = calendars.count_business_days(fax_date, recorded_on)
    if age <= limit:
        return
    from deals.services.roles import is_deal_admin

    if confirmed_by is not None and is_deal_admin(confirmed_by):
        return
    raise WorkflowError(
        f"The faxed notice is dated {fax_date.isoformat()}, {age} business days before it is recorded on "
        f"{recorded_on.isoformat()}; more than {limit} needs a deal admin's confirmation of the fax date "
        "(Debenture 4(A): the Conversion Date is the date set forth in the fax).",
        code="fax_date_unconfirmed",
        field="conversion_date",
    )


# --- submit -------------------------------------------------------------------------------


def _lock(instrument):
    """Lock the instrument row only (``of=self``): the issuer row is locked in one place,
    ``deals.services.issuance.issuer_lock``, by the steps that issue shares."""
    model = type(instrument)
    return model.objects.select_for_update(of=("self",)).select_related("financing__issuer", "investor").get(pk=instrument.pk)


@dataclass
class Applied:
    """What a conversion changed on the instrument and the issuer (for revocation/dishonour)."""

    amount_converted: Decimal
    shares_issued: int
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"amount_converted": str(to_cents(self.amount_converted)), "shares_issued": self.shares_issued, **self.extra}


def _applied(instrument, quote: ConversionQuote, terms: DealTerms) -> tuple[Applied, int]:
    """(what is applied now, Unconverted Shares). Debentures: everything (the SPA cap does not
    govern them). Series J: the preferred shares that fit under the cap (SPA 4(i))."""
    split = quote.unconverted
    if isinstance(instrument, Debenture) or split is None or split.unconverted_preferred == 0:
        return Applied(quote.amount, quote.total_shares), 0
    return Applied(quote.amount_converted, split.common_shares), split.unconverted_preferred


def _reduce_outstanding(instrument, amount: Decimal, user=None) -> None:
    """Lower the outstanding amount with a guarded F-expression update (with its history
    row); set CONVERTED at zero."""
    if amount <= 0:
        return
    model = type(instrument)
    col = "principal_outstanding" if model is Debenture else "liquidation_preference_outstanding"
    rows = model.objects.filter(pk=instrument.pk, **{f"{col}__gte": amount}).update(**{col: F(col) - amount})
    if rows != 1:  # cannot happen under the row lock; a guard, not a path
        raise WorkflowError(f"The amount {money(amount)} exceeds the outstanding amount of {instrument.label}.", code="exceeds_outstanding")
    _audit(model, instrument.pk, user, "conversion")
    instrument.refresh_from_db(fields=[col, "status"])
    if getattr(instrument, col) == 0:
        instrument.status = InstrumentStatus.CONVERTED
        instrument.save(update_fields=["status", "updated_at"])


def _restore_outstanding(instrument, amount: Decimal, user=None) -> None:
    if amount <= 0:
        return
    model = type(instrument)
    col = "principal_outstanding" if model is Debenture else "liquidation_preference_outstanding"
    model.objects.filter(pk=instrument.pk).update(**{col: F(col) + amount})
    _audit(model, instrument.pk, user, "conversion undone")
    instrument.refresh_from_db(fields=[col, "status"])
    if instrument.status == InstrumentStatus.CONVERTED and getattr(instrument, col) > 0:
        instrument.status = InstrumentStatus.OUTSTANDING
        instrument.save(update_fields=["status", "updated_at"])


def _issuer_shares(issuer_id: int, delta: int, user=None) -> None:
    if delta:
        Issuer.objects.filter(pk=issuer_id).update(shares_issued=F("shares_issued") + delta)
        _audit(Issuer, issuer_id, user, "shares issued" if delta > 0 else "shares returned")


def _audit(model, pk: int, user, reason: str) -> None:
    """History row (who, when) for a set-based write that bypasses simple-history."""
    history_record(model, [pk], user_id=getattr(user, "pk", None), reason=reason)


def _refresh_instrument(instrument, *, user, today: datetime.date | None = None, fresh: bool = False, book=None,
                        issuer=None, scope=None) -> None:
    """No stale figures: the rows a conversion (or its undoing) moves follow in the same
    transaction -- a Debenture's maturity amount; a Series J holding's RRA figures (Periodic
    Amounts, the unrecorded Increased Registered Shares Date); the Meeting Date (SPA 4(d)(ii):
    issuances since signing). ``fresh``: the caller has just refreshed the outstanding amount and
    status (``_reduce_outstanding``), the only fields a conversion moves. ``book``, ``issuer``
    (the issuer lock's row) and ``scope``: what the submit already read in this transaction."""
    today = today or business_date()
    if isinstance(instrument, Debenture):
        if not fresh:
            instrument.refresh_from_db()
        debenture_sync(instrument, as_of=today, user=user, book=book)
    else:
        registration_sync(instrument.financing, as_of=today, user=user, investor_id=instrument.investor_id)
    meeting_sync(instrument.financing.issuer_id, as_of=today, user=user, issuer=issuer, book=book, scope=scope)


@transaction.atomic
def conversion_submit(
    *,
    instrument: Debenture | PreferredHolding,
    amount: Decimal,
    conversion_date: datetime.date,
    notice_method: str,
    notice_received_date: datetime.date,
    interest_election: str = InterestElection.CASH,
    reference: str = "",
    idempotency_key: str,
    user,
    fax_date_confirmed_by=None,
) -> Conversion:
    """Record a Notice of Conversion: lock the instrument, re-quote, write the conversion with its
    snapshot and terms version, lower the outstanding amount, raise the issued share count, open
    the delivery (and original-notice) obligations and request the notice.

    Idempotent on ``idempotency_key``: a repeat returns the existing conversion (``replayed`` is
    True on it) and writes nothing. Raises ``WorkflowError`` (nothing written) on bad input.
    """
    if not idempotency_key:
        raise WorkflowError("The form is missing its submission key; reload the page and try again.", code="no_key")
    locked = _lock(instrument)
    existing = Conversion.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        existing.replayed = True
        return existing
    today = business_date()
    issuer_id = locked.financing.issuer_id
    book = TermsBook()  # every financing's terms, read once for the quote, the ledger rows and the reserve
    # The quote's reads that other issuances do not move (terms, prices, the issuer-wide reserve)
    # with only the instrument locked; then THE issuer lock (SPA 3(c), 4(d)(ii)), the issuer's
    # figures read under it and the engine on them, so the cap split, the authorized-shares check
    # and the figures stored with the conversion are those of the moment it is recorded
    # (conversions of one issuer wait on each other for the engine and the writes, not the reads).
    inputs = _quote_inputs(
        instrument=locked,
        amount=amount,
        conversion_date=conversion_date,
        notice_method=notice_method,
        notice_received_date=notice_received_date,
        interest_election=interest_election,
        as_of=today,
        fax_date_confirmed_by=fax_date_confirmed_by,
        book=book,
    )
    version, terms = inputs.in_force  # the terms that priced the quote, looked up once
    scope = issuer_scope(issuer_id)
    reserve = reserve_position(issuer_id=issuer_id, day=conversion_date, book=book, scope=scope)  # as quoted (docs/architecture.md)
    read_position = issuance_position_reader(issuer_id=issuer_id, day=conversion_date, scope=scope)  # compiled, not read
    issuer = issuer_lock(issuer_id)
    quote = _issuer_reserve(inputs.engine(read_position(issuer)), reserve)
    applied, unconverted = _applied(locked, quote, terms)
    is_debenture = isinstance(locked, Debenture)
    original_due = quote.original_notice_due if is_debenture and notice_method == NoticeMethod.FACSIMILE else None
    snapshot = quote.as_dict()
    snapshot["applied"] = applied.as_dict()
    snapshot["terms_version"] = version.version
    if fax_date_confirmed_by is not None and isinstance(locked, Debenture) and notice_method == NoticeMethod.FACSIMILE:
        snapshot["fax_date_confirmed_by"] = fax_date_confirmed_by.get_username()
    try:
        with transaction.atomic():
            conversion = Conversion.objects.create(
                debenture=locked if is_debenture else None,
                preferred=None if is_debenture else locked,
                investor=locked.investor,
                terms_version=version,
                amount=quote.amount,
                conversion_date=conversion_date,
                notice_method=notice_method,
                notice_received_date=notice_received_date,
                interest_election=interest_election,
                reference=reference,
                market_price=quote.market_price.price,
                conversion_price=quote.price.shown_price,  # the column is 4 dp; the snapshot keeps the exact price
                shares_for_amount=quote.shares,
                interest_amount=quote.accrual.amount,
                interest_shares=quote.accrual_shares,
                late_payment_base=quote.late_payment_base,
                shares_issuable=applied.shares_issued,
                unconverted_shares=unconverted,
                delivery_date=quote.delivery_date,
                original_due_date=original_due,
                original_received_date=notice_received_date if notice_method == NoticeMethod.ORIGINAL else None,
                snapshot=snapshot,
                idempotency_key=idempotency_key,
                created_by=user,
            )
    except IntegrityError:
        existing = Conversion.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        existing.replayed = True
        return existing
    conversion.replayed = False
    # the outstanding amount moves by exactly the amount stored with the conversion
    _reduce_outstanding(locked, Decimal(snapshot["applied"]["amount_converted"]), user)
    _issuer_shares(issuer_id, applied.shares_issued, user)

    if inputs.redemption is not None:  # within the window (the quote refused otherwise)
        _redemption_converted(inputs.redemption, on=notice_received_date, user=user)

    conversion_sync(conversion, as_of=today, user=user)
    _refresh_instrument(locked, user=user, today=today, fresh=True, book=book, issuer=issuer, scope=scope)
    # SPA 4(g): the reserve after the issuance (the issuer's figures as held under its lock)
    after = (issuer.authorized_common_shares, issuer.shares_issued + applied.shares_issued)
    reserve_sync(issuer_id, as_of=today, user=user, book=book, scope=scope, issuer_figures=after)
    from notices.services import notice_request

    notice_request(record=conversion, kind="conversion", user=user, created=True)
    return conversion


def _redemption_converted(redemption: Redemption, *, on: datetime.date, user=None) -> None:
    """Debenture 4(B)(ii): a Notice of Conversion within 5 business days of the holder's receipt of
    the Notice of Redemption takes the Debenture out of the redemption."""
    redemption.status = RedemptionStatus.CONVERTED
    redemption.save(update_fields=["status", "updated_at"])
    ledger_close(source=redemption, status=ObligationStatus.VOID, on=on, user=user)
    redemption_sync(redemption, as_of=business_date(), user=user)


# --- after submission ----------------------------------------------------------------------


def _lock_conversion(conversion: Conversion) -> Conversion:
    return Conversion.objects.select_for_update(of=("self",)).select_related("debenture", "preferred", "investor").get(pk=conversion.pk)


def _require_pending(conv: Conversion, action: str) -> None:
    if conv.status != ConversionStatus.PENDING_DELIVERY:
        raise WorkflowError(f"Cannot {action}: conversion #{conv.pk} is {conv.get_status_display().lower()}.", code="wrong_status")


def _require_series_j(conv: Conversion, clause: str) -> None:
    if conv.is_debenture:
        raise WorkflowError(
            f"{clause} applies to conversions of the Series J Preferred Stock; the Debenture has no such clause.",
            code="not_applicable",
        )


def _not_future(day: datetime.date, what: str, field_name: str) -> None:
    not_after_business_date(day, what=what, field=field_name)


@transaction.atomic
def delivery_record(*, conversion: Conversion, delivered_date: datetime.date, reference: str, user) -> Conversion:
    """Record delivery of the conversion shares (certificates, or DWAC/FAST per SPA 5(e)). Closes the
    delivery obligation; for a Series J conversion delivered after the SPA 5(c) grace period, records
    the late payment owed on demand."""
    conv = _lock_conversion(conversion)
    _require_pending(conv, "record delivery")
    _not_future(delivered_date, "delivery date", "delivered_date")
    if delivered_date < conv.conversion_date:
        raise WorkflowError(
            f"Shares cannot be delivered on {delivered_date.isoformat()}, before the Date of Conversion "
            f"{conv.conversion_date.isoformat()}.",
            code="invalid",
            field="delivered_date",
        )
    if not reference.strip():
        raise WorkflowError("Give the certificate numbers or the DWAC/FAST reference.", code="invalid", field="reference")
    conv.status = ConversionStatus.DELIVERED
    conv.delivered_date = delivered_date
    conv.delivery_reference = reference.strip()
    conv.save(update_fields=["status", "delivered_date", "delivery_reference", "updated_at"])
    conversion_sync(conv, as_of=business_date(), user=user)
    return conv


def revocation_status(conversion: Conversion, as_of: datetime.date | None = None):
    """SPA 5(c): whether the holder may revoke this conversion as of the business date (engine result)."""
    today = business_date() if as_of is None else as_of
    return revocation_right(
        terms=conversion.terms_version.to_terms(),
        delivery_date=conversion.delivery_date,
        as_of=today,
        delivered_on=conversion.delivered_date,
    )


@transaction.atomic
def conversion_revoke(*, conversion: Conversion, revoked_date: datetime.date, user) -> Conversion:
    """SPA 5(c): the holder revokes its Notice of Conversion because the shares were not delivered
    within 3 business days after the Delivery Date. Both sides are restored: the outstanding
    liquidation preference and the issued share count go back; open obligations are voided."""
    conv = _lock_conversion(conversion)
    _require_series_j(conv, "Revocation under SPA 5(c)")
    _require_pending(conv, "record a revocation")
    _not_future(revoked_date, "revocation date", "revoked_date")
    right = revocation_status(conv, as_of=revoked_date)
    if not right.available:
        raise WorkflowError(
            f"The holder may revoke only from {right.opens_on.isoformat()}: the shares were due on the Delivery Date "
            f"{conv.delivery_date.isoformat()} and SPA 5(c) allows 3 more business days (to {right.window_end.isoformat()}).",
            code="too_early",
            field="revoked_date",
        )
    instrument = _lock(conv.instrument)
    issuer_lock(instrument.financing.issuer_id)  # SPA 3(c), 4(g): issued shares and the reserve move together
    applied = conv.snapshot.get("applied", {})
    _restore_outstanding(instrument, Decimal(applied.get("amount_converted", conv.amount)), user)
    _issuer_shares(instrument.financing.issuer_id, -int(applied.get("shares_issued", conv.shares_issuable)), user)
    conv.status = ConversionStatus.REVOKED
    conv.revoked_date = revoked_date
    conv.save(update_fields=["status", "revoked_date", "updated_at"])
    conversion_sync(conv, as_of=business_date(), user=user)
    _refresh_instrument(instrument, user=user)
    reserve_sync(instrument.financing.issuer_id, user=user)  # SPA 4(g): the restored preference needs its reserve again
    return conv


def buy_in_quote(*, conversion: Conversion, buy_in_date: datetime.date, covering_cost: Decimal, sold_proceeds: Decimal):
    """SPA 5(d) Buy-In Adjustment Amount for a conversion (engine result; raises WorkflowError)."""
    _require_series_j(conversion, "The Buy-In of SPA 5(d)")
    try:
        return buy_in_adjustment(
            covering_purchase_price=covering_cost,
            sold_net_proceeds=sold_proceeds,
            delivery_date=conversion.delivery_date,
            purchase_date=buy_in_date,
            delivered_on=conversion.delivered_date,
        )
    except InvalidInput as err:
        raise WorkflowError(str(err), code="invalid")


@transaction.atomic
def buy_in_record(*, conversion: Conversion, buy_in_date: datetime.date, covering_cost: Decimal, sold_proceeds: Decimal, user) -> BuyIn:
    """SPA 5(d): record a Buy-In and the Buy-In Adjustment Amount the Company owes the Converting
    Holder on demand (covering purchase price - net proceeds of the Sold Shares)."""
    conv = _lock_conversion(conversion)
    _not_future(buy_in_date, "Buy-In date", "buy_in_date")
    if conv.status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED):
        raise WorkflowError(f"Conversion #{conv.pk} is {conv.get_status_display().lower()}; no Buy-In applies.", code="wrong_status")
    adj = buy_in_quote(conversion=conv, buy_in_date=buy_in_date, covering_cost=covering_cost, sold_proceeds=sold_proceeds)
    buy_in = BuyIn.objects.create(
        conversion=conv,
        buy_in_date=buy_in_date,
        covering_cost=covering_cost,
        sold_proceeds=sold_proceeds,
        adjustment_amount=adj.amount,
        created_by=user,
    )
    ledger_put(source=buy_in, rows=[build.buy_in(buy_in_id=buy_in.pk, investor_id=conv.investor_id, investor_name=str(conv.investor),
                                               buy_in_date=buy_in_date, adj=adj)], user=user)
    return buy_in


def dishonour_quote(*, conversion: Conversion, notice_date: datetime.date):
    """SPA 5(f) Mandatory Purchase Amount if this conversion is dishonoured and the holder gives
    notice on ``notice_date``: 145% of the unconverted liquidation preference it holds (this
    conversion's amount included, since it was not honoured) + dividends to the payment date."""
    _require_series_j(conversion, "The Mandatory Purchase Amount of SPA 5(f)")
    holding = conversion.preferred
    applied = Decimal(conversion.snapshot.get("applied", {}).get("amount_converted", conversion.amount))
    unconverted = holding.liquidation_preference_outstanding + applied
    try:
        return mandatory_purchase_amount(
            terms=conversion.terms_version.to_terms(),
            unconverted_liquidation_preference=unconverted,
            issue_date=holding.closing_date,
            notice_date=notice_date,
        )
    except TermsError as err:
        raise WorkflowError(str(err), code="invalid")


@transaction.atomic
def conversion_dishonour(*, conversion: Conversion, notice_date: datetime.date, user) -> Conversion:
    """SPA 5(f): the Company dishonoured the conversion and the holder gave written notice; the
    conversion is undone and the Mandatory Purchase Amount (145% + accrued dividends) falls due in
    cash within 5 business days of the notice. Deal admins only (checked by the view)."""
    conv = _lock_conversion(conversion)
    _require_series_j(conv, "SPA 5(f)")
    _require_pending(conv, "record a dishonour")
    _not_future(notice_date, "holder's notice date", "notice_date")
    if notice_date < conv.notice_received_date:
        raise WorkflowError(
            f"The holder's SPA 5(f) notice ({notice_date.isoformat()}) cannot precede its Notice of Conversion "
            f"({conv.notice_received_date.isoformat()}).",
            code="invalid",
            field="notice_date",
        )
    instrument = _lock(conv.instrument)
    issuer_lock(instrument.financing.issuer_id)  # SPA 3(c), 4(g): issued shares and the reserve move together
    mp = dishonour_quote(conversion=conv, notice_date=notice_date)
    applied = conv.snapshot.get("applied", {})
    _restore_outstanding(instrument, Decimal(applied.get("amount_converted", conv.amount)), user)
    _issuer_shares(instrument.financing.issuer_id, -int(applied.get("shares_issued", conv.shares_issuable)), user)
    conv.status = ConversionStatus.DISHONOURED
    conv.dishonoured_date = notice_date
    conv.save(update_fields=["status", "dishonoured_date", "updated_at"])
    conversion_sync(conv, as_of=business_date(), user=user)
    ledger_put(source=conv, rows=[build.mandatory_purchase(conversion_id=conv.pk, investor_id=conv.investor_id, mp=mp,
                                                         terms_version_id=conv.terms_version_id,
                                                         issue_date=instrument.closing_date)], user=user)
    _refresh_instrument(instrument, user=user)
    reserve_sync(instrument.financing.issuer_id, user=user)  # SPA 4(g): the restored preference needs its reserve again
    return conv


def unconverted_remaining(conversion: Conversion) -> int:
    """Unconverted Shares of this conversion not yet covered by a remedy choice (SPA 4(i))."""
    chosen = conversion.cap_remedies.aggregate(n=Sum("unconverted_shares"))["n"] or 0
    return max(0, conversion.unconverted_shares - chosen)


@transaction.atomic
def cap_remedy_choose(*, conversion: Conversion, remedy: str, shares: int, chosen_date: datetime.date, user) -> CapRemedy:
    """SPA 4(i): record the holder's remedy for some of the Unconverted Shares of a conversion.

    (x): conversion at the lowest 5-consecutive-day average closing price in the 60 trading days
    before the notice of conversion -- only "if permitted by the Cap Regulations", i.e. the shares
    must fit in the cap room. (y): redemption for V x M / CP within 30 days of the Redemption Date
    (``chosen_date``); M is the highest closing price so far and is final only at payment.
    """
    conv = _lock_conversion(conversion)
    _require_series_j(conv, "SPA 4(i)")
    _not_future(chosen_date, "remedy date", "chosen_date")
    remaining = unconverted_remaining(conv)
    if remaining <= 0:
        raise WorkflowError(f"Conversion #{conv.pk} has no Unconverted Shares left without a remedy.", code="none_left")
    if shares <= 0 or shares > remaining:
        raise WorkflowError(f"Choose between 1 and {remaining} Unconverted Share(s); you entered {shares}.", code="invalid", field="shares")
    if chosen_date < conv.conversion_date:
        raise WorkflowError(
            f"The remedy date {chosen_date.isoformat()} is before the Date of Conversion {conv.conversion_date.isoformat()}.",
            code="invalid",
            field="chosen_date",
        )
    holding = _lock(conv.preferred)
    issuer_lock(holding.financing.issuer_id)  # SPA 4(i)(x) issues shares: the cap count is read under the lock
    version, terms = terms_in_force(financing=holding.financing, day=chosen_date)
    stated = terms.preferred_stated_value
    per_share_dividends = accrued_dividends(
        terms=terms, liquidation_preference=stated, issue_date=holding.closing_date, to_date=chosen_date
    ).amount
    try:
        if remedy == CapRemedy.Remedy.X_PRICE:
            lookback = calendars.trading_days_before(conv.notice_received_date, terms.cap_remedy_lookback_days)
            closing = prices_mapping(lookback, "closing_price")
            x = remedy_x_conversion(
                terms=terms,
                closing_prices=closing,
                notice_date=conv.notice_received_date,
                amount=(stated + per_share_dividends) * shares,
            )
            limits = remedy_x_limits(holding, day=chosen_date, terms=terms)
            if x.shares > limits.room:
                raise WorkflowError(
                    "Remedy (x) applies only if the Cap Regulations permit it (SPA 4(i)(x)): "
                    + limit_refusal(what=f"Remedy (x) for {shares} Unconverted Share(s)", requested=x.shares, pos=limits.pos,
                                    cap_room=limits.cap_room, cap_shares=limits.cap_shares,
                                    extra=" Choose remedy (y)"
                                    + (" or obtain stockholder approval." if limits.pos.approval is None else "."))
                    + f" Only {limits.room:,} shares fit.",
                    code="cap",
                    field="remedy",
                )
            snap = {**x.as_dict(), "shares": x.shares}
            remedy_row = CapRemedy.objects.create(
                conversion=conv,
                remedy=remedy,
                chosen_date=chosen_date,
                unconverted_shares=shares,
                snapshot=snap,
                created_by=user,
            )
            _reduce_outstanding(holding, stated * shares, user)
            _issuer_shares(holding.financing.issuer_id, x.shares, user)
            reserve_sync(holding.financing.issuer_id, user=user)
            ledger_put(source=remedy_row, rows=[build.share_delivery(
                object_id=remedy_row.pk, investor_id=conv.investor_id,
                due_date=calendars.add_business_days(chosen_date, terms.preferred_delivery_business_days), shares=x.shares,
                what=f"{shares} Unconverted Share(s) (remedy (x))", clause="SPA 4(i)(x)", pending=True,
            )], user=user)
            _refresh_instrument(holding, user=user)
            return remedy_row
        if remedy == CapRemedy.Remedy.Y_REDEMPTION:
            cp = series_j_conversion_price(
                terms=terms,
                prices=prices_mapping(calendars.trading_days_before(chosen_date, terms.preferred_lookback_days)),
                conversion_date=chosen_date,
            )
            last_trading = chosen_date if calendars.is_trading_day(chosen_date) else calendars.add_trading_days(chosen_date, 1)
            pay_to = max(last_trading, min(business_date(), chosen_date + datetime.timedelta(days=terms.cap_redemption_days)))
            y = cap_limitation_redemption_amount(
                terms=terms,
                unconverted_preferred=shares,
                accrued_dividends_per_share=per_share_dividends,
                conversion_price=cp.shown_price,
                closing_prices=prices_mapping(calendars.trading_days_between(chosen_date, pay_to), "closing_price"),
                redemption_date=chosen_date,
                payment_date=pay_to,
            )
            remedy_row = CapRemedy.objects.create(
                conversion=conv,
                remedy=remedy,
                chosen_date=chosen_date,
                unconverted_shares=shares,
                amount=y.amount,
                due_date=y.due_date,
                snapshot={**y.as_dict(), "conversion_price": cp.as_dict()},
                created_by=user,
            )
            _reduce_outstanding(holding, stated * shares, user)
            ledger_put(source=remedy_row, rows=[build.cap_redemption(
                remedy_id=remedy_row.pk, investor_id=conv.investor_id, due=y.due_date, amount=y.amount, unconverted_shares=shares,
                snapshot=remedy_row.snapshot,
            )], user=user)
            _refresh_instrument(holding, user=user)
            return remedy_row
    except MissingPrices as err:
        days_txt = ", ".join(d.isoformat() for d in err.dates)
        raise WorkflowError(
            f"No {err.field} is recorded for {len(err.dates)} trading day(s) the remedy needs: {days_txt}.",
            code="missing_prices",
            missing_dates=err.dates,
        )
    except TermsError as err:
        raise WorkflowError(str(err), code="invalid")
    raise WorkflowError(f"Unknown remedy {remedy!r}; choose (x) or (y).", code="invalid", field="remedy")


@dataclass(frozen=True)
class IssuanceLimits:
    """What the Cap Regulations (SPA 4(i)) let the Company issue on a day: ``room`` is the
    authorized but unissued shares and, without stockholder approval, the room under the cap."""

    pos: object  # deals.selectors.cap.IssuancePosition
    cap_shares: int | None  # None once stockholders approved (SPA 4(d)(ii))
    cap_room: int | None
    room: int


def issuance_limits(issuer_id: int, *, day: datetime.date, terms: DealTerms) -> IssuanceLimits:
    """SPA 3(c), 4(d)(ii), 4(i): the room for an issuance dated ``day`` (read after ``issuer_lock``)."""
    from deals.terms.cap import cap_shares

    pos = issuance_position(issuer_id=issuer_id, day=day)
    if pos.approval is not None:
        return IssuanceLimits(pos, None, None, pos.authorized_unissued)
    try:
        cap = cap_shares(terms, pos.shares_outstanding_at_signing)
    except InvalidInput as err:
        raise WorkflowError(f"{err} Correct the Issuer's shares outstanding at signing (SPA 3(c), 4(d)(ii)).", code="invalid")
    cap_room = max(0, cap - pos.cap_issued)
    return IssuanceLimits(pos, cap, cap_room, min(cap_room, pos.authorized_unissued))


def remedy_x_limits(holding: PreferredHolding, *, day: datetime.date, terms: DealTerms) -> IssuanceLimits:
    """SPA 4(i)(x): "if permitted by the Cap Regulations" -- the room on the remedy date."""
    return issuance_limits(holding.financing.issuer_id, day=day, terms=terms)


@dataclass(frozen=True)
class OriginalReceipt:
    conversion: Conversion
    late: bool
    warnings: tuple[str, ...]


@transaction.atomic
def original_notice_receive(*, conversion: Conversion, received_date: datetime.date, user) -> OriginalReceipt:
    """Debenture 4(A), Exhibit A: record receipt of the original Debenture and Notice of Conversion
    after a facsimile notice. Warns when it came after the 3-business-day window (the Conversion
    Date becomes the delivery date) or after the 5th business day (Exhibit A)."""
    conv = _lock_conversion(conversion)
    if conv.original_received_date is not None:
        raise WorkflowError(
            f"The original was already recorded as received on {conv.original_received_date.isoformat()}.", code="duplicate"
        )
    if conv.status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED):
        raise WorkflowError(f"Conversion #{conv.pk} is {conv.get_status_display().lower()}.", code="wrong_status")
    _not_future(received_date, "receipt date", "received_date")
    if received_date < conv.notice_received_date:
        raise WorkflowError(
            f"The original cannot arrive on {received_date.isoformat()}, before the faxed notice "
            f"({conv.notice_received_date.isoformat()}).",
            code="invalid",
            field="received_date",
        )
    warnings: list[str] = []
    late = False
    if conv.is_debenture:
        cd = debenture_conversion_date(terms=conv.terms_version.to_terms(), fax_date=conv.conversion_date, original_received=received_date)
        late = bool(cd.original_late)
        if cd.conversion_date != conv.conversion_date:
            warnings.append(
                f"The original arrived after {cd.fax_window_end.isoformat()} (3 business days after the fax): under "
                f"Debenture 4(A) the Conversion Date becomes {cd.conversion_date.isoformat()}, not the faxed date. "
                "A deal admin can re-price it on the conversion page (a new quote on that date)."
            )
        if late:
            warnings.append(
                f"The original was due by {cd.original_due.isoformat()} (Debenture Exhibit A: 5th business day); "
                f"it arrived {received_date.isoformat()}."
            )
    conv.original_received_date = received_date
    conv.save(update_fields=["original_received_date", "updated_at"])
    conversion_sync(conv, as_of=business_date(), user=user)
    return OriginalReceipt(conv, late, tuple(warnings))


# --- Debenture 4(A): re-price when the original arrives after the fax window -------------------


@dataclass(frozen=True)
class RepriceQuote:
    """Debenture 4(A): the conversion quoted again on the original's delivery date."""

    conversion: Conversion
    fax_date: datetime.date
    conversion_date: datetime.date  # the delivery date of the original: the Conversion Date now
    fax_window_end: datetime.date
    quote: ConversionQuote

    @property
    def shares_delta(self) -> int:
        return self.quote.total_shares - self.conversion.shares_issuable


def reprice_due(conv: Conversion) -> datetime.date | None:
    """The Conversion Date Debenture 4(A) gives a faxed conversion whose original arrived after the
    3-business-day window (the delivery date), when it differs from the recorded one and the
    conversion has not been re-priced yet; None otherwise (pure read)."""
    if not conv.is_debenture or conv.original_received_date is None or (conv.snapshot or {}).get("repriced"):
        return None
    if conv.notice_method != NoticeMethod.FACSIMILE:
        return None
    cd = debenture_conversion_date(
        terms=conv.terms_version.to_terms(), fax_date=conv.conversion_date, original_received=conv.original_received_date
    )
    return cd.conversion_date if cd.conversion_date != conv.conversion_date else None


def conversion_reprice_quote(*, conversion: Conversion) -> RepriceQuote:
    """Debenture 4(A): "if such Debenture is not delivered within three (3) business days ... the
    Conversion Date shall be the date the original Debenture is delivered". Quote the same amount
    again on that date, as the debenture and the issuer stood before this conversion (pure read:
    the adjustments are made on unsaved copies). Raises ``WorkflowError``."""
    new_date = reprice_due(conversion)
    if new_date is None:
        raise WorkflowError(
            f"Conversion #{conversion.pk} has nothing to re-price: only a faxed Debenture conversion whose original "
            "arrived after the 3-business-day window, not yet re-priced, moves its Conversion Date (Debenture 4(A)).",
            code="no_reprice",
        )
    if conversion.status != ConversionStatus.PENDING_DELIVERY:
        raise WorkflowError(
            f"Conversion #{conversion.pk} is {conversion.get_status_display().lower()}: its shares are no longer "
            "pending, so it cannot be re-priced here.",
            code="wrong_status",
        )
    deb = Debenture.objects.select_related("financing__issuer").get(pk=conversion.debenture_id)
    deb.principal_outstanding += conversion.amount  # as before this conversion (unsaved)
    if deb.status == InstrumentStatus.CONVERTED:
        deb.status = InstrumentStatus.OUTSTANDING
    deb.financing.issuer.shares_issued -= conversion.shares_issuable
    fax_window_end = debenture_conversion_date(
        terms=conversion.terms_version.to_terms(), fax_date=conversion.conversion_date,
        original_received=conversion.original_received_date,
    ).fax_window_end
    quote = conversion_quote(
        instrument=deb,
        amount=conversion.amount,
        conversion_date=new_date,
        notice_method=NoticeMethod.ORIGINAL,
        notice_received_date=new_date,
        interest_election=conversion.interest_election,
        as_of=business_date(),
    )
    return RepriceQuote(conversion, conversion.conversion_date, new_date, fax_window_end, quote)


@transaction.atomic
def conversion_reprice(*, conversion: Conversion, reason: str, user) -> Conversion:
    """Debenture 4(A): a deal admin confirms the re-price of a faxed conversion whose original arrived
    after the fax window. The conversion takes the new Conversion Date and figures (the old ones stay
    in its history and in ``snapshot["repriced"]``), the issued share count moves by the difference,
    the obligations follow and the conversion notice is superseded with the reason. Refused (nothing
    written) for a non-admin, without a reason, or when there is nothing to re-price."""
    from deals.services.roles import is_deal_admin

    if not is_deal_admin(user):
        raise WorkflowError("Only a deal admin confirms a re-price (Debenture 4(A)).", code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Give the reason for the re-price; it is kept with the conversion and its notice.", code="invalid",
                            field="reason")
    conv = _lock_conversion(conversion)
    deb = _lock(conv.debenture)
    rq = conversion_reprice_quote(conversion=conv)
    quote = rq.quote
    version, terms = terms_in_force(financing=deb.financing, day=rq.conversion_date)
    applied, _ = _applied(deb, quote, terms)
    old = {
        "conversion_date": conv.conversion_date.isoformat(),
        "terms_version": conv.terms_version.version,
        "conversion_price": str(conv.conversion_price),
        "market_price": str(conv.market_price),
        "shares_for_amount": conv.shares_for_amount,
        "interest_amount": str(conv.interest_amount),
        "interest_shares": conv.interest_shares,
        "shares_issuable": conv.shares_issuable,
        "delivery_date": conv.delivery_date.isoformat(),
    }
    snapshot = quote.as_dict()
    snapshot["applied"] = {**applied.as_dict(), "amount_converted": str(to_cents(conv.amount))}
    snapshot["terms_version"] = version.version
    snapshot["repriced"] = {
        "clause": "Debenture 4(A)",
        "fax_date": rq.fax_date.isoformat(),
        "fax_window_end": rq.fax_window_end.isoformat(),
        "original_received": conv.original_received_date.isoformat(),
        "reason": reason,
        "by": user.get_username(),
        "on": business_date().isoformat(),
        "before": old,
        "previous_snapshot": conv.snapshot,
    }
    delta = applied.shares_issued - conv.shares_issuable
    conv.terms_version = version
    conv.conversion_date = rq.conversion_date
    conv.market_price = quote.market_price.price
    conv.conversion_price = quote.price.shown_price
    conv.shares_for_amount = quote.shares
    conv.interest_amount = quote.accrual.amount
    conv.interest_shares = quote.accrual_shares
    conv.late_payment_base = quote.late_payment_base
    conv.shares_issuable = applied.shares_issued
    conv.delivery_date = quote.delivery_date
    conv.snapshot = snapshot
    conv._change_reason = f"Re-priced (Debenture 4(A)): {reason}"[:100]
    conv.save()
    _issuer_shares(deb.financing.issuer_id, delta, user)
    conversion_sync(conv, as_of=business_date(), user=user)
    _supersede_conversion_notice(conv, user=user, reason=f"Re-priced on the original's delivery date (Debenture 4(A)): {reason}")
    return conv


def _supersede_conversion_notice(conv: Conversion, *, user, reason: str) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import ValidationError

    from notices.models import Notice
    from notices.services import notice_request, notice_supersede

    ct = ContentType.objects.get_for_model(Conversion)
    current = Notice.objects.filter(content_type=ct, object_id=conv.pk, kind="conversion", superseded_by__isnull=True).order_by(
        "-version"
    ).first()
    try:
        if current is None:
            notice_request(record=conv, kind="conversion", user=user)
        else:
            notice_supersede(notice=current, user=user, reason=reason)
    except ValidationError as err:
        raise WorkflowError("The conversion notice cannot be superseded now: " + " ".join(err.messages), code="notice_busy")


def available_actions(conversion: Conversion, *, as_of: datetime.date | None = None) -> dict[str, bool]:
    """Which after-submission actions the agreements allow now (roles are checked by the views)."""
    today = business_date() if as_of is None else as_of
    pending = conversion.status == ConversionStatus.PENDING_DELIVERY
    series_j = not conversion.is_debenture
    live = conversion.status in LIVE_STATUSES
    return {
        "deliver": pending,
        "original": live and conversion.original_due_date is not None and conversion.original_received_date is None,
        "reprice": pending and reprice_due(conversion) is not None,
        "revoke": series_j and pending and revocation_status(conversion, as_of=today).available,
        "buy_in": series_j
        and live
        and (conversion.delivered_date is None or conversion.delivered_date > conversion.delivery_date)
        and today > conversion.delivery_date,
        "dishonour": series_j and pending,
        "remedy": series_j and live and conversion.unconverted_shares > 0 and unconverted_remaining(conversion) > 0,
    }


def remedy_x_offer(conversion: Conversion, *, as_of: datetime.date | None = None) -> tuple[bool, str]:
    """SPA 4(i)(x) is offered only "if permitted by the Cap Regulations" at the time: (offered,
    the sentence saying why, with the numbers). Read-only; ``cap_remedy_choose`` checks again."""
    today = business_date() if as_of is None else as_of
    if conversion.is_debenture or conversion.preferred_id is None:
        return False, "SPA 4(i) applies to the Series J only."
    holding = conversion.preferred
    try:
        _, terms = terms_in_force(financing=holding.financing_id, day=today)
    except WorkflowError as err:
        return False, str(err)
    lim = remedy_x_limits(holding, day=today, terms=terms)
    if lim.room <= 0:
        why = f"{lim.pos.authorized_unissued:,} authorized but unissued shares (SPA 3(c))"
        if lim.cap_room is not None:
            why += f", {lim.cap_room:,} left under the 20% cap of {lim.cap_shares:,} (SPA 4(d)(ii); no stockholder approval)"
        return False, (f"Remedy (x) is not offered: the Cap Regulations do not permit more shares on {today.isoformat()} "
                       f"({why}). SPA 4(i)(x).")
    basis = "stockholder approval recorded" if lim.cap_room is None else f"{lim.cap_room:,} left under the 20% cap"
    return True, f"Remedy (x) may issue up to {lim.room:,} shares on {today.isoformat()} ({basis}; SPA 4(i)(x))."
