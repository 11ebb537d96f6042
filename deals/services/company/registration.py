"""Registration statement workflows (RRA 2(a), 2(b)(i), 3(a), 3(c), 4(a)).

The overview is read-only and computed live from the records: shares
required under RRA 2(a)(i) against shares registered, the Increased Shares
Amount (RRA 2(a)(ii)) at the business date, the Required Effective Dates
(RRA 2(b)(i)), the filing checklist (RRA 3(c), 4(a)) and the Registration
Period (RRA 3(a)). Every figure comes from ``deals.terms.registration``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from deals.models import (
    Conversion,
    ConversionStatus,
    Financing,
    ObligationKind,
    RegistrationAmendment,
    RegistrationStatement,
    Warrant,
)
from deals.selectors.terms import terms_in_force
from deals.services.ledger import rows as build
from deals.services.ledger.writer import ledger_close, ledger_put, obligations_for
from deals.terms import registration as reg
from deals.terms import rofr
from deals.terms.conversion import ConversionPrice, series_j_conversion_price
from deals.terms.errors import TermsError
from deals.terms.params import DealTerms

from ._common import buyers, closing_bids_before, primary_statement, registration_terms

CLAUSE_REQUIRED = "RRA 2(a)(i)"
CLAUSE_INCREASED = "RRA 2(a)(ii)"
CLAUSE_INITIAL_EFFECTIVE = "RRA 2(b)(i)(A)"


@dataclass
class RegistrationOverview:
    """Everything the registration page shows, with the engine's working."""

    financing: Financing
    statement: RegistrationStatement | None
    as_of: datetime.date
    terms: DealTerms
    liquidation_preference: Decimal
    unconverted_liquidation_preference: Decimal
    warrant_shares: int
    shares_issued_on_conversion: int
    registered: int
    anticipated_initial_effective_date: datetime.date | None
    required: reg.SharesToRegister | None = None
    required_price: ConversionPrice | None = None
    increased: reg.IncreasedShares | None = None
    current_price: ConversionPrice | None = None
    registrable_now: int | None = None
    is_increased_registered_shares_date: bool = False
    filing: reg.FilingDeadlines | None = None
    registration_period: reg.RegistrationPeriod | None = None
    rofr_last_day: datetime.date | None = None
    errors: list[str] = field(default_factory=list)
    amendments: list[RegistrationAmendment] = field(default_factory=list)

    @property
    def shortfall(self) -> int | None:
        if self.required is None:
            return None
        return max(0, self.required.total - self.registered)


def _price(terms: DealTerms, day: datetime.date) -> ConversionPrice:
    prices = closing_bids_before(day, terms.preferred_lookback_days)
    return series_j_conversion_price(terms=terms, prices=prices, conversion_date=day)


def registered_shares(statement: RegistrationStatement | None, amendments, as_of: datetime.date | None = None) -> int:
    """RRA 2(a)(ii) "the aggregate number of shares of Common Stock then registered" -- the one
    definition the registration page and the admin figure share: shares covered by a filed
    registration statement, effective or not (2(a)(ii)(A) amends a statement "not ... declared
    effective", so its shares already count), plus shares added by amendments filed, each
    counted from its filing date (on or before ``as_of`` when given)."""
    if statement is None or statement.filed_date is None:
        return 0
    if as_of is not None and statement.filed_date > as_of:
        return 0
    return statement.shares_registered + sum(
        a.shares_added for a in amendments if a.filed_date and (as_of is None or a.filed_date <= as_of)
    )


def registration_overview(*, financing: Financing, as_of: datetime.date) -> RegistrationOverview:
    """RRA 2(a), 2(b)(i), 3(a), 3(c), 4(a) for one financing on ``as_of``.

    Fixed number of queries whatever the number of conversions or warrants.
    """
    terms = registration_terms(financing=financing, day=as_of)
    statement = primary_statement(financing)
    amendments = list(statement.amendments.order_by("id")) if statement else []
    holders = buyers(financing)
    lp = sum((h[1] for h in holders), Decimal(0))
    outstanding = sum((h[2] for h in holders), Decimal(0))
    warrant_shares = Warrant.objects.filter(financing=financing).aggregate(n=Sum("shares"))["n"] or 0
    # live = neither revoked nor dishonoured; written as the partial index's predicate so the sum
    # is an index-only scan (conversion_live_seriesj_shares, issue 17)
    issued = (
        Conversion.objects.filter(
            preferred__isnull=False, preferred__financing=financing,
            status__in=[ConversionStatus.PENDING_DELIVERY, ConversionStatus.DELIVERED],
        )
        .aggregate(n=Sum("shares_issuable"))["n"]
        or 0
    )
    closing = financing.initial_closing_date
    ov = RegistrationOverview(
        financing=financing,
        statement=statement,
        as_of=as_of,
        terms=terms,
        liquidation_preference=lp,
        unconverted_liquidation_preference=outstanding,
        warrant_shares=warrant_shares,
        shares_issued_on_conversion=issued,
        registered=registered_shares(statement, amendments, as_of),
        anticipated_initial_effective_date=(reg.anticipated_initial_effective_date(closing, terms) if closing else None),
        amendments=amendments,
    )
    if closing is None:
        ov.errors.append("The financing has no Initial Closing Date: RRA 2(a)-(b) dates cannot be computed.")
        return ov
    if lp <= 0:
        ov.errors.append("No Series J holdings are recorded for this financing: nothing to register.")
        return ov
    effective = statement.effective_date if statement else None
    filing_day = (statement.filed_date if statement else None) or as_of
    try:
        ov.required_price = _price(terms, filing_day)
        ov.required = reg.shares_to_register(
            liquidation_preference=lp,
            conversion_price=ov.required_price.applied_price,
            warrant_shares=warrant_shares,
            closing_date=closing,
            filing_date=max(filing_day, closing),
            terms=terms,
        )
    except TermsError as err:
        ov.errors.append(f"{CLAUSE_REQUIRED} at {filing_day.isoformat()}: {err}")
    try:
        ov.current_price = ov.required_price if (filing_day == as_of and ov.required_price) else _price(terms, as_of)
        ov.increased = reg.increased_shares(
            increased_registered_shares_date=max(as_of, closing),
            initial_closing_date=closing,
            shares_issued_on_conversion=issued,
            unconverted_liquidation_preference=outstanding,
            conversion_price=ov.current_price.applied_price,
            warrant_shares=warrant_shares,
            registered_shares=ov.registered,
            registration_effective=effective is not None and effective <= as_of,
            terms=terms,
        )
        # The Registrable Securities themselves (100%, not the 200% the
        # Increased Shares Amount registers): docs/interpretations.md.
        ov.registrable_now = issued + ov.increased.unconverted_conversion_shares + warrant_shares
        # RRA 2(a)(ii) compares with the shares "then registered": before a statement is filed
        # nothing is registered and RRA 2(a)(i) (the initial filing) governs, not an IRSD.
        filed = statement is not None and statement.filed_date is not None and statement.filed_date <= as_of
        ov.is_increased_registered_shares_date = filed and reg.is_increased_registered_shares_date(
            registrable_shares=ov.registrable_now, registered_shares=ov.registered
        )
    except TermsError as err:
        ov.errors.append(f"{CLAUSE_INCREASED} at {as_of.isoformat()}: {err}")
    if statement is not None:
        planned = statement.filed_date or statement.anticipated_filing_date
        if planned:
            ov.filing = reg.filing_deadlines(
                filing_date=planned,
                counsel_copy_on=statement.counsel_review_sent,
                requested_information_on=statement.requested_information_received,
                terms=terms,
            )
        if effective:
            ov.registration_period = reg.registration_period(effective_date=effective, terms=terms)
    ov.rofr_last_day = rofr.rofr_last_day(effective, terms)
    return ov


def _validate_dates(data: dict) -> None:
    filed, effective = data.get("filed_date"), data.get("effective_date")
    if effective and not filed:
        raise ValidationError({"effective_date": "A statement cannot be declared effective before it is filed."})
    if effective and filed and effective < filed:
        raise ValidationError({"effective_date": f"Effective {effective.isoformat()} is before the filing date {filed.isoformat()}."})


STATEMENT_FIELDS = (
    "sec_file_number",
    "anticipated_filing_date",
    "counsel_review_sent",
    "requested_information_received",
    "filed_date",
    "effective_date",
    "shares_registered",
)


@transaction.atomic
def registration_statement_save(*, financing: Financing, data: dict, user, as_of: datetime.date) -> RegistrationStatement:
    """Record the statement's dates and shares (RRA 2(a)(i), 3(c), 4(a)) and
    the obligations they drive: the Required Effective Date (RRA 2(b)(i)(A)),
    closed when the statement is declared effective, and the end of the
    Registration Period (RRA 3(a))."""
    _validate_dates(data)
    Financing.objects.select_for_update().get(pk=financing.pk)
    statement = primary_statement(financing)
    if statement is None:
        statement = RegistrationStatement(financing=financing)
        for name in STATEMENT_FIELDS:
            setattr(statement, name, data.get(name, getattr(statement, name)))
        statement.save()
    else:
        changed = [n for n in STATEMENT_FIELDS if n in data and getattr(statement, n) != data[n]]
        for name in changed:
            setattr(statement, name, data[name])
        if changed:
            statement.save(update_fields=[*changed, "updated_at"])
    if financing.initial_closing_date:
        # the same builders and terms (in force at the Initial Closing) as the sweep's rules
        _, terms = terms_in_force(financing=financing, day=financing.initial_closing_date)
        effective = statement.effective_date if statement.effective_date and statement.effective_date <= as_of else None
        rows = [build.initial_required_effective(
            object_id=statement.pk, due=reg.anticipated_initial_effective_date(financing.initial_closing_date, terms),
            days=terms.required_effective_days, effective_on=effective,
        )]
        if effective:
            period = reg.registration_period(effective_date=effective, terms=terms)
            rows.append(build.registration_period_end(statement_id=statement.pk, period=period, as_of=as_of))
        ledger_put(source=statement, rows=rows, as_of=as_of, user=user)
    from .liquidated_damages import ld_obligations_sync

    ld_obligations_sync(financing=financing, as_of=as_of)
    return statement


@transaction.atomic
def increased_shares_record(*, financing: Financing, user, as_of: datetime.date) -> RegistrationAmendment:
    """RRA 2(a)(ii): record today as an Increased Registered Shares Date, with
    the Increased Shares Amount, the 10-business-day amendment deadline (if
    the statement is not yet effective) and the new Required Effective Date
    (RRA 2(b)(i)(B)-(C)); both go to the obligations ledger."""
    Financing.objects.select_for_update().get(pk=financing.pk)
    ov = registration_overview(financing=financing, as_of=as_of)
    if ov.statement is None:
        raise ValidationError("Record the registration statement first (RRA 2(a)(i)).")
    if ov.increased is None:
        raise ValidationError("; ".join(ov.errors) or "The Increased Shares Amount cannot be computed.")
    if not ov.is_increased_registered_shares_date:
        raise ValidationError(
            f"RRA 2(a)(ii): registrable shares ({ov.registrable_now:,}) do not exceed the shares registered "
            f"({ov.registered:,}) on {as_of.isoformat()}, so it is not an Increased Registered Shares Date."
        )
    if ov.statement.amendments.filter(increased_registered_shares_date=as_of).exists():
        raise ValidationError(f"{as_of.isoformat()} is already recorded as an Increased Registered Shares Date.")
    inc = ov.increased
    amendment = RegistrationAmendment.objects.create(
        statement=ov.statement,
        increased_registered_shares_date=as_of,
        snapshot=inc.as_dict(),
        created_by=user,
    )
    rows = []
    if inc.amendment_deadline:
        rows.append(build.amendment_due(
            object_id=amendment.pk, due=inc.amendment_deadline, clause="RRA 2(a)(ii)(A)", filed_on=None, details=inc.as_dict(),
            description=f"Amend the statement to register {inc.increased_shares_amount:,} shares",
        ))
    rows.append(build.required_effective(
        object_id=amendment.pk, due=inc.required_effective_date, clause="RRA 2(b)(i)(B)" if inc.amendment_deadline else "RRA 2(b)(i)(C)",
        effective_on=None, description=inc.required_effective_date_working, details=inc.as_dict(),
    ))
    ledger_put(source=amendment, rows=rows, as_of=as_of, user=user)
    # RRA 2(b)(i)(B)-(C): the new Required Effective Date is a lateness of its own; the Periodic
    # Amounts rows follow at once (the same figures and labels the sweep writes)
    from .liquidated_damages import ld_obligations_sync

    ld_obligations_sync(financing=financing, as_of=as_of, user=user)
    return amendment


@transaction.atomic
def amendment_update(
    *,
    amendment: RegistrationAmendment,
    filed_date: datetime.date | None,
    effective_date: datetime.date | None,
    shares_added: int,
    user,
    as_of: datetime.date,
) -> RegistrationAmendment:
    """Record an amendment's (or Additional Registration Statement's) filing
    and effectiveness (RRA 2(a)(ii)); closes the amendment and Required
    Effective Date obligations it satisfies."""
    amendment = RegistrationAmendment.objects.select_for_update().get(pk=amendment.pk)
    _validate_dates({"filed_date": filed_date, "effective_date": effective_date})
    irsd = amendment.increased_registered_shares_date
    if filed_date and irsd and filed_date < irsd:
        raise ValidationError(
            {"filed_date": f"Filed {filed_date.isoformat()} before the Increased Registered Shares Date {irsd.isoformat()}."}
        )
    amendment.filed_date = filed_date
    amendment.effective_date = effective_date
    amendment.shares_added = shares_added
    amendment.save(update_fields=["filed_date", "effective_date", "shares_added", "updated_at"])
    if filed_date:
        ledger_close(source=amendment, kinds=[ObligationKind.AMENDMENT_DUE], on=filed_date, as_of=as_of, user=user)
    if effective_date:
        ledger_close(source=amendment, kinds=[ObligationKind.REQUIRED_EFFECTIVE], on=effective_date, as_of=as_of, user=user)
    from .liquidated_damages import ld_obligations_sync

    ld_obligations_sync(financing=amendment.statement.financing, as_of=as_of)
    return amendment


def statement_obligations(statement: RegistrationStatement | None):
    """Open and closed ledger rows of the statement (for the page)."""
    if statement is None:
        return []
    return list(obligations_for(statement))
