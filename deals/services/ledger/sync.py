"""Refresh one record's ledger rows through the builders, in the caller's transaction.

A workflow that changes a record (a conversion reduces a Debenture's principal, an
exercise reduces a Warrant's shares, a delivery closes a conversion, ...) calls the
``*_sync`` function of every record it changed, so pages never show a stale figure
and the next sweep finds nothing to rewrite. The sweep rules call the same
``*_row(s)`` helpers (engine call + builder) for every record at once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from deals.models import (
    Conversion,
    ConversionStatus,
    Debenture,
    EventOfDefault,
    Financing,
    IndemnificationClaim,
    InstrumentStatus,
    Issuer,
    ObligationKind,
    ObligationStatus,
    Redemption,
    RedemptionStatus,
    RegistrationStatement,
    Warrant,
)
from deals.selectors.terms import TermsUnavailable, terms_in_force
from deals.services.ledger import rows as build
from deals.services.ledger.writer import Row, ledger_close, ledger_put
from deals.terms import calendars
from deals.terms import events as ev
from deals.terms.conversion import accrued_interest, original_notice_due
from deals.terms.delivery import late_payment, late_payment_per_unit, late_units, revocation_right
from deals.terms.errors import TermsError
from deals.terms.misc import indemnification_survival
from deals.terms.params import NHTC_DEFAULTS, DealTerms
from deals.terms.redemption import redemption_due_date, redemption_status
from deals.terms.rounding import to_cents


def _version_on(financing: int, day: datetime.date) -> tuple[int, DealTerms]:
    """(version id, terms) of the financing in force on ``day`` (``deals.selectors.terms``;
    raises ``TermsUnavailable`` -- the workflow that calls a refresh already priced under them)."""
    version, terms = terms_in_force(financing=financing, day=day)
    return version.pk, terms


# --- conversions ---------------------------------------------------------------------------------


def late_payment_row(*, conversion_id: int, investor_id: int | None, terms: DealTerms, terms_version_id: int | None,
                     amount: Decimal, delivery_date: datetime.date, closed_on: datetime.date | None,
                     as_of: datetime.date) -> Row | None:
    """SPA 5(c) late payment row of a Series J conversion: final once the conversion closed
    (delivered, revoked or dishonoured: counted through that day), else accruing from the
    first late day once that day has come."""
    if closed_on is not None:
        lp = late_payment(terms=terms, amount_converted=amount, delivery_date=delivery_date, delivered_on=closed_on)
        return build.late_payment(conversion_id=conversion_id, investor_id=investor_id, lp=lp, terms_version_id=terms_version_id)
    grace_end = calendars.add_business_days(delivery_date, terms.late_grace_business_days)
    first_late = calendars.add_business_days(grace_end, 1)
    if as_of < first_late:
        return None
    lp = late_payment(terms=terms, amount_converted=amount, delivery_date=delivery_date, as_of=first_late)
    first_amount = to_cents(late_payment_per_unit(1, terms) * late_units(amount, terms))
    return build.late_payment(conversion_id=conversion_id, investor_id=investor_id, lp=lp, terms_version_id=terms_version_id,
                              first_late_day=first_late, first_day_amount=first_amount)


def conversion_rows(conv: Conversion, *, as_of: datetime.date) -> list[Row]:
    """Every row of one conversion: the delivery, the revocation right and late payment
    (Series J, SPA 5(c)), the original notice (Debenture Exhibit A)."""
    terms = conv.terms_version.to_terms() if conv.terms_version_id else NHTC_DEFAULTS
    pending = conv.status == ConversionStatus.PENDING_DELIVERY
    closed_on = conv.delivered_date or conv.revoked_date or conv.dishonoured_date
    out: list[Row | None] = [build.share_delivery(
        object_id=conv.pk, investor_id=conv.investor_id, due_date=conv.delivery_date, shares=conv.shares_issuable,
        what=conv.instrument_label, clause=build.conversion_delivery_clause(conv.is_debenture), pending=pending,
        delivered_on=conv.delivered_date if conv.status == ConversionStatus.DELIVERED else None, closed_on=closed_on,
        conversion_date=conv.conversion_date,
    )]
    if not conv.is_debenture:
        r = revocation_right(terms=terms, delivery_date=conv.delivery_date, as_of=as_of)
        out.append(build.revocation_right(
            conversion_id=conv.pk, investor_id=conv.investor_id, opens_on=r.opens_on, revocation_days=terms.revocation_business_days,
            delivery_date=conv.delivery_date, details=r.as_dict() | {"as_of": None}, pending=pending, closed_on=closed_on,
            status_label=conv.status.replace("_", " "), as_of=as_of,
        ))
        if conv.late_payment_base > 0:  # SPA 5(c) on the amount being converted
            out.append(late_payment_row(conversion_id=conv.pk, investor_id=conv.investor_id, terms=terms,
                                        terms_version_id=conv.terms_version_id, amount=conv.late_payment_base,
                                        delivery_date=conv.delivery_date, closed_on=closed_on, as_of=as_of))
    elif conv.original_due_date is not None or conv.notice_method == "facsimile":
        due = conv.original_due_date or original_notice_due(conv.conversion_date, terms)
        out.append(build.original_notice(
            conversion_id=conv.pk, investor_id=conv.investor_id, due=due, number=conv.debenture.number,
            received=conv.original_received_date,
            void=conv.status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED),
            voided_on=conv.revoked_date or conv.dishonoured_date, as_of=as_of,
        ))
    snap = conv.snapshot or {}
    if snap.get("accrual_cash"):
        out.append(build.conversion_cash(
            conversion_id=conv.pk, investor_id=conv.investor_id, due=conv.delivery_date, amount=Decimal(snap["accrual_cash"]),
            is_debenture=conv.is_debenture, what=conv.instrument_label, accrual=snap.get("accrual") or {},
            conversion_date=conv.conversion_date, void=conv.status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED),
            void_on=conv.revoked_date or conv.dishonoured_date,
        ))
    return [r for r in out if r is not None]


def conversion_sync(conv: Conversion, *, as_of: datetime.date, user=None) -> tuple[int, int]:
    return ledger_put(source=conv, rows=conversion_rows(conv, as_of=as_of), as_of=as_of, user=user)


# --- debentures ------------------------------------------------------------------------------------


def maturity_row(*, debenture_id: int, investor_id: int | None, number: str, outstanding: Decimal, dated_date: datetime.date,
                 issued_date: datetime.date | None, maturity_date: datetime.date, paid_through: datetime.date | None, status: str,
                 version: tuple[int | None, DealTerms]) -> Row:
    """Debenture (Maturity Date): principal + interest to maturity (terms in force on the
    Maturity Date); the interest after it accrues in the selector."""
    live = outstanding > 0 and status == InstrumentStatus.OUTSTANDING
    interest = accrued_interest(terms=version[1], principal=outstanding, dated_date=dated_date, issued_date=issued_date,
                                to_date=maturity_date, paid_through=paid_through) if live else None
    return build.maturity(debenture_id=debenture_id, investor_id=investor_id, number=number, outstanding=outstanding,
                          interest=interest, status_label=status.replace("_", " "), live=live, maturity_date=maturity_date,
                          terms_version_id=version[0], dated_date=dated_date, issued_date=issued_date, paid_through=paid_through)


def debenture_sync(deb: Debenture, *, as_of: datetime.date, user=None, book=None) -> tuple[int, int]:
    """The Debenture's maturity row (``book``: a ``TermsBook`` the caller already read)."""
    if book is not None:
        in_force = book.in_force(financing=deb.financing_id, day=deb.maturity_date)
        version = (in_force.version.pk, in_force.terms)
    else:
        version = _version_on(deb.financing_id, deb.maturity_date)
    row = maturity_row(debenture_id=deb.pk, investor_id=deb.investor_id, number=deb.number, outstanding=deb.principal_outstanding,
                       dated_date=deb.dated_date, issued_date=deb.issue_date, maturity_date=deb.maturity_date,
                       paid_through=deb.interest_paid_through, status=deb.status, version=version)
    return ledger_put(source=deb, rows=[row], as_of=as_of, user=user)


def redemption_rows(*, redemption_id: int, investor_id: int | None, number: str, terms: DealTerms, notice: datetime.date,
                    due: datetime.date | None, convert_until: datetime.date, total: Decimal, paid: datetime.date | None,
                    status: str, as_of: datetime.date) -> tuple[Row, Row, bool]:
    """Debenture 4(B)(ii) payment and convert-instead window; and whether the notice is now void."""
    due = due or redemption_due_date(notice, terms)
    rs = redemption_status(terms=terms, notice_date=notice, as_of=as_of, paid_on=paid)
    pay = build.redemption_payment(redemption_id=redemption_id, investor_id=investor_id, number=number, due=due, total=total,
                                   state=rs, converted=status == RedemptionStatus.CONVERTED, paid_on=paid)
    window = build.redemption_convert_window(redemption_id=redemption_id, investor_id=investor_id, number=number,
                                             convert_until=convert_until, pending=status == RedemptionStatus.PENDING, as_of=as_of)
    return pay, window, bool(rs.void and status == RedemptionStatus.PENDING and status != RedemptionStatus.CONVERTED)


def redemption_sync(red: Redemption, *, as_of: datetime.date, user=None) -> tuple[int, int]:
    pay, window, _ = redemption_rows(
        redemption_id=red.pk, investor_id=red.debenture.investor_id, number=red.debenture.number, terms=red.terms_version.to_terms(),
        notice=red.notice_date, due=red.payment_due_date, convert_until=red.convert_until, total=red.total_amount,
        paid=red.payment_date, status=red.status, as_of=as_of,
    )
    return ledger_put(source=red, rows=[pay, window], as_of=as_of, user=user)


# --- warrants ----------------------------------------------------------------------------------------


def warrant_sync(w: Warrant, *, as_of: datetime.date, user=None) -> tuple[int, int]:
    row = build.warrant_expiry(warrant_id=w.pk, investor_id=w.investor_id, number=w.number, remaining=w.shares_remaining,
                               expiry=w.expiry_date, exercised=w.status == InstrumentStatus.EXERCISED, as_of=as_of)
    return ledger_put(source=w, rows=[row], as_of=as_of, user=user)


# --- Events of Default, claims --------------------------------------------------------------------------


def cure_deadline_of(eod: EventOfDefault, terms: DealTerms) -> ev.CureDeadline | None:
    """Debenture 10 cure deadline from the event's recorded facts (None if the engine cannot tell)."""
    d = eod.details or {}
    try:
        return ev.cure_deadline(
            ev.EventOfDefault(eod.kind), occurred_on=eod.occurred_date, notice_on=eod.written_notice_date,
            proposed_sale_on=datetime.date.fromisoformat(d["proposed_sale_on"]) if d.get("proposed_sale_on") else None,
            instituted_by_company=bool(d.get("instituted_by_company")), company_acquiesced=bool(d.get("company_acquiesced")),
            terms=terms,
        )
    except (ValueError, TermsError):
        return None


def default_row(eod: EventOfDefault, *, terms: DealTerms, as_of: datetime.date) -> Row | None:
    return build.cure_period(eod=eod, deadline=cure_deadline_of(eod, terms), as_of=as_of)


def default_sync(eod: EventOfDefault, *, as_of: datetime.date, user=None) -> tuple[int, int]:
    terms = _version_on(eod.financing_id, eod.occurred_date)[1]
    return ledger_put(source=eod, rows=[default_row(eod, terms=terms, as_of=as_of)], as_of=as_of, user=user)


def claim_row(claim: IndemnificationClaim, *, as_of: datetime.date) -> Row | None:
    if claim.source != IndemnificationClaim.Source.INDEMNIFICATION_AGREEMENT:
        return None
    return build.indemnification_claim(claim=claim, survival=indemnification_survival(), as_of=as_of)


def claim_sync(claim: IndemnificationClaim, *, as_of: datetime.date, user=None) -> tuple[int, int]:
    return ledger_put(source=claim, rows=[claim_row(claim, as_of=as_of)], as_of=as_of, user=user)


# --- the cap: SPA 4(d)(ii) Meeting Date ----------------------------------------------------------------


def meeting_sync(issuer_id: int, *, as_of: datetime.date, user=None, issuer: Issuer | None = None, book=None,
                 scope=None) -> tuple[int, int]:
    """A conversion, an exercise or a new stockholders' meeting date moves the Meeting Date
    (SPA 4(d)(ii)) at once: the row follows in the same transaction, built from the same inputs
    as the sweep rule (``deals.services.issuance.meeting_row``). ``issuer`` (the row the issuer
    lock read), ``book`` and ``scope``: what the issuing workflow already read."""
    from deals.services.issuance import meeting_row

    issuer = issuer if issuer is not None else Issuer.objects.get(pk=issuer_id)
    try:
        row = meeting_row(issuer, as_of=as_of, book=book, scope=scope)
    except TermsUnavailable:
        return 0, 0
    if row is None:
        return 0, 0
    return ledger_put(source=issuer, rows=[row], as_of=as_of, user=user)


# --- registration: RRA 2(a)(ii), 2(b) ---------------------------------------------------------------

UNRECORDED_INCREASE_GONE = "Increased Registered Shares Date recorded (or registrable no longer exceeds registered)"


def detect_increase(financing: Financing, as_of: datetime.date) -> tuple[int, int] | None:
    """(registrable, registered) if ``as_of`` is an Increased Registered Shares Date by the
    registration workflow's live overview (RRA 2(a)(ii)); None if not, or if it cannot tell."""
    import logging

    from deals.services.company.registration import registration_overview

    try:
        ov = registration_overview(financing=financing, as_of=as_of)
    except Exception:  # prices missing etc.: nothing to flag
        logging.getLogger(__name__).info("Increased Registered Shares check skipped for %s", financing, exc_info=True)
        return None
    if getattr(ov, "is_increased_registered_shares_date", False):
        return int(ov.registrable_now), int(ov.registered)
    return None


def unrecorded_increase_row(*, statement_id: int, terms: DealTerms, registrable: int, registered: int,
                            as_of: datetime.date) -> Row:
    """RRA 2(a)(ii): registrable shares exceed the shares registered and no Increased Registered
    Shares Date is recorded: a flag on the statement, due 10 business days from the day first seen."""
    return build.amendment_due(
        object_id=statement_id, due=calendars.add_business_days(as_of, terms.amendment_business_days),
        clause="RRA 2(a)(ii)", period_key="unrecorded", filed_on=None,
        description=(
            f"Registrable shares {registrable:,} exceed the {registered:,} registered: record the Increased "
            f"Registered Shares Date and amend or file within {terms.amendment_business_days} business days"
        ),
        details={"registrable": registrable, "registered": registered, "first_seen": as_of.isoformat()},
    )


def registration_sync(financing: Financing, *, as_of: datetime.date, user=None, investor_id: int | None = None) -> None:
    """A conversion of Series J moves the RRA figures at once (issue 11: "registration figures
    after a conversion"): the Periodic Amounts (RRA 2(b)(iii): after the Effective Date the base
    is the unconverted principal plus the Held Shares Value) and the unrecorded Increased
    Registered Shares Date flag (RRA 2(a)(ii): registrable against registered) -- the same
    builders and keys as the sweep's registration rules, in the caller's transaction.
    ``investor_id``: the converting holder -- its Periodic Amounts only, when the others' rows
    are known current (``liquidated_damages.ld_holder_sync``: the same rows a full sync writes)."""
    if financing.kind != Financing.Kind.SERIES_J or not financing.initial_closing_date:
        return
    import logging

    from deals.selectors.terms import TermsUnavailable
    from deals.services.company.liquidated_damages import ld_holder_sync, ld_obligations_sync

    try:
        if investor_id is not None:
            ld_holder_sync(financing=financing, investor_id=investor_id, as_of=as_of, user=user)
        else:
            ld_obligations_sync(financing=financing, as_of=as_of, user=user)
    except (TermsUnavailable, TermsError):  # the workflow stands; the sweep names what is missing
        logging.getLogger(__name__).warning("Periodic Amounts of %s not refreshed on %s", financing, as_of, exc_info=True)
        return
    statement = RegistrationStatement.objects.filter(financing=financing).order_by("id").first()
    if statement is None:
        return
    pending = statement.amendments.filter(increased_registered_shares_date__isnull=False).exclude(effective_date__lte=as_of)
    flag = None if pending.exists() else detect_increase(financing, as_of)
    open_flag = statement_flag_open(statement.pk)
    if flag is not None and not open_flag:  # the flag keeps the date it was first seen: only create it
        terms = _version_on(financing.pk, financing.initial_closing_date)[1]
        ledger_put(source=statement, rows=[unrecorded_increase_row(statement_id=statement.pk, terms=terms, registrable=flag[0],
                                                                   registered=flag[1], as_of=as_of)], as_of=as_of, user=user)
    elif flag is None and open_flag:
        ledger_close(source=statement, kinds=[ObligationKind.AMENDMENT_DUE], period_key="unrecorded", status=ObligationStatus.VOID,
                     on=as_of, as_of=as_of, user=user, description=UNRECORDED_INCREASE_GONE)


def statement_flag_open(statement_id: int) -> bool:
    from deals.models import Obligation

    return Obligation.objects.filter(content_type__model="registrationstatement", object_id=statement_id,
                                     kind=ObligationKind.AMENDMENT_DUE, period_key="unrecorded",
                                     status=ObligationStatus.OPEN).exists()


# --- Debenture 7: the holders' window before a Sale ---------------------------------------------------


def sale_window_rows(sales, *, as_of: datetime.date) -> list[Row]:
    """One row per debenture a Sale's notice covered (``SaleEvent.snapshot["debentures"]``): the
    Holder may convert through ``convert_by`` (Debenture 7; the sweep's period rule and the Sale
    workflow alike). Two queries for any number of Sales."""
    from deals.models import SaleEvent
    from deals.terms import transfers as transfer_terms

    sales = list(sales) if not isinstance(sales, SaleEvent) else [sales]
    numbers = {(s.financing_id, n) for s in sales for n in (s.snapshot or {}).get("debentures", [])}
    investor_of = {(f, n): inv for f, n, inv in Debenture.objects.filter(
        financing_id__in={f for f, _ in numbers}, number__in={n for _, n in numbers}).values_list("financing_id", "number", "investor_id")}
    out = []
    for s in sales:
        window = transfer_terms.sale_conversion_window(s.notice_received)
        for n in (s.snapshot or {}).get("debentures", []):
            out.append(build.sale_conversion_window(sale=s, debenture_number=n, investor_id=investor_of.get((s.financing_id, n)),
                                                    window=window, as_of=as_of))
    return out
