"""Smaller clauses: Regulation S restricted period, RRA amendments and
assignment, Indemnification survival, and month/year date arithmetic.

- SPA 2(b)(iv): one-year Distribution Compliance Period ("Restricted Period").
- RRA 10: amendments and waivers need the Company and Investors holding 67%
  of the Registrable Securities measured by liquidation preference.
- RRA 9: automatic assignment of registration rights, conditions (a)-(e).
- Indemnification 6: obligations operative for three years after
  October 31, 2006.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import InvalidInput
from .params import NHTC_DEFAULTS, DealTerms
from .rounding import HUNDRED

INDEMNIFICATION_DATE = date(2006, 10, 31)
INDEMNIFICATION_SURVIVAL_YEARS = 3


def add_months(d: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier if negative).

    A day the target month lacks (31st, Feb 29/30) becomes that month's last
    day -- New York General Construction Law s. 30 style; see
    docs/interpretations.md ("anniversaries and month ends").
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def add_years(d: date, years: int) -> date:
    """The anniversary ``years`` later; Feb 29 becomes Feb 28 in common years."""
    return add_months(d, 12 * years)


def month_end(d: date) -> date:
    """The last day of d's calendar month."""
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


# --- SPA 2(b)(iv): Regulation S Restricted Period ---------------------------

@dataclass(frozen=True)
class RestrictedPeriod:
    """The Regulation S Distribution Compliance Period and its working."""

    first_offered_on: date
    final_closing_on: date
    commences_on: date
    anchor: str  # which of (A)/(B) was later
    years: int
    last_restricted_day: date
    first_unrestricted_day: date
    clause: str = "SPA 2(b)(iv)"

    def is_restricted(self, on: date) -> bool:
        return self.commences_on <= on <= self.last_restricted_day

    def as_dict(self) -> dict:
        return {
            "first_offered_on": self.first_offered_on.isoformat(),
            "final_closing_on": self.final_closing_on.isoformat(),
            "commences_on": self.commences_on.isoformat(),
            "anchor": self.anchor,
            "years": self.years,
            "last_restricted_day": self.last_restricted_day.isoformat(),
            "first_unrestricted_day": self.first_unrestricted_day.isoformat(),
            "clause": self.clause,
        }


def restricted_period(
    *, first_offered_on: date, final_closing_on: date, terms: DealTerms = NHTC_DEFAULTS
) -> RestrictedPeriod:
    """SPA 2(b)(iv): the one-year Restricted Period, commencing on the later of
    (A) the date the Preferred Stock is first offered to persons other than
    Distributors and (B) the date of the final closing of the Offering.

    The commencement day is day one; the period ends the day before the
    anniversary, so the anniversary is the first day U.S. sales may be made.
    """
    if terms.restricted_period_years < 1:
        raise InvalidInput("The Restricted Period must be at least one year.")
    if final_closing_on >= first_offered_on:
        commences, anchor = final_closing_on, "(B) final closing of the Offering"
    else:
        commences, anchor = first_offered_on, "(A) first offered to persons other than Distributors"
    free = add_years(commences, terms.restricted_period_years)
    return RestrictedPeriod(
        first_offered_on=first_offered_on,
        final_closing_on=final_closing_on,
        commences_on=commences,
        anchor=anchor,
        years=terms.restricted_period_years,
        last_restricted_day=free - timedelta(days=1),
        first_unrestricted_day=free,
    )


# --- RRA 10: amendments and waivers -----------------------------------------

@dataclass(frozen=True)
class AmendmentConsent:
    """Whether an RRA amendment or waiver has the consents RRA 10 requires."""

    total_liquidation_preference: Decimal
    consenting_liquidation_preference: Decimal
    consenting_pct: Decimal  # e.g. 67.5 for 67.5%
    required_pct: Decimal
    company_consents: bool
    holders_consenting: tuple[str, ...]
    holders_not_consenting: tuple[str, ...]
    passes: bool
    reasons: tuple[str, ...]
    clause: str = "RRA 10"

    def as_dict(self) -> dict:
        return {
            "total_liquidation_preference": str(self.total_liquidation_preference),
            "consenting_liquidation_preference": str(self.consenting_liquidation_preference),
            "consenting_pct": str(self.consenting_pct),
            "required_pct": str(self.required_pct),
            "company_consents": self.company_consents,
            "holders_consenting": list(self.holders_consenting),
            "holders_not_consenting": list(self.holders_not_consenting),
            "passes": self.passes,
            "reasons": list(self.reasons),
            "clause": self.clause,
        }


def amendment_consent(
    *,
    holdings: Mapping[str, Decimal],
    consenting: Iterable[str],
    company_consents: bool,
    terms: DealTerms = NHTC_DEFAULTS,
    required_pct: Decimal | None = None,
    clause: str = "RRA 10",
) -> AmendmentConsent:
    """RRA 10: an amendment or waiver needs the written consent of the Company
    and of Investors holding at least 67% of the Registrable Securities, "as
    calculated by the liquidation preference of the Preferred Stock without
    any reference to the Warrant Shares".

    ``holdings`` maps each Investor to the liquidation preference its
    Registrable Securities represent (see docs/interpretations.md, RRA 10).

    ``required_pct`` / ``clause``: another consent rule on the same arithmetic -- SPA 9(i) for a
    debenture financing's terms ("an instrument in writing signed by the party to be charged"):
    every holder, 100% of the principal (docs/interpretations.md, "Consents to a terms version").
    """
    consenting = tuple(dict.fromkeys(consenting))
    unknown = [name for name in consenting if name not in holdings]
    if unknown:
        raise InvalidInput(f"Consenting holder(s) not among the Investors: {', '.join(unknown)}.")
    for name, lp in holdings.items():
        if Decimal(lp) < 0:
            raise InvalidInput(f"Liquidation preference of {name} is negative.")
    total = sum((Decimal(v) for v in holdings.values()), Decimal(0))
    if total <= 0 and holdings:
        raise InvalidInput(f"No holdings on the date: nobody can consent under {clause}.")
    yes = sum((Decimal(holdings[n]) for n in consenting), Decimal(0))
    # Nothing held on the date (before any closing): no holder is bound, so the Company's signature
    # alone is the instrument "signed by the party to be charged" (docs/interpretations.md).
    pct_yes = yes * HUNDRED / total if total > 0 else HUNDRED
    required = terms.rra_amendment_consent_pct if required_pct is None else Decimal(required_pct)
    reasons = []
    if not company_consents:
        reasons.append(f"{clause}: the Company has not consented in writing.")
    if total > 0 and pct_yes < required:
        measure = "the liquidation preference" if clause == "RRA 10" else "the holdings"
        reasons.append(
            f"{clause}: consenting holders hold {pct_yes.quantize(Decimal('0.01'))}% of {measure}; "
            f"{format(required.normalize(), 'f')}% is required."
        )
    return AmendmentConsent(
        total_liquidation_preference=total,
        consenting_liquidation_preference=yes,
        consenting_pct=pct_yes,
        required_pct=required,
        company_consents=company_consents,
        holders_consenting=consenting,
        holders_not_consenting=tuple(n for n in holdings if n not in consenting),
        passes=not reasons,
        reasons=tuple(reasons),
        clause=clause,
    )


# --- RRA 9: assignment of registration rights ------------------------------

@dataclass(frozen=True)
class AssignmentCondition:
    letter: str
    text: str
    met: bool

    def as_dict(self) -> dict:
        return {"letter": self.letter, "text": self.text, "met": self.met}


@dataclass(frozen=True)
class AssignmentCheck:
    """Whether registration rights pass to a transferee under RRA 9."""

    conditions: tuple[AssignmentCondition, ...]
    assigned: bool
    clause: str = "RRA 9"

    @property
    def unmet(self) -> tuple[AssignmentCondition, ...]:
        return tuple(c for c in self.conditions if not c.met)

    def as_dict(self) -> dict:
        return {
            "conditions": [c.as_dict() for c in self.conditions],
            "assigned": self.assigned,
            "clause": self.clause,
        }


def assignment_check(
    *,
    written_assignment_furnished: bool,
    transferee_notice_furnished: bool,
    further_disposition_restricted: bool,
    transferee_bound_in_writing: bool,
    transfer_disclosed_on: date | None,
    initial_effective_date: date | None,
    converted_liquidation_preference: Decimal = Decimal(0),
    terms: DealTerms = NHTC_DEFAULTS,
) -> AssignmentCheck:
    """RRA 9: registration rights pass automatically to a transferee only if
    all of (a)-(e) hold. (e): the transfer is completed and disclosed to the
    Company before the initial Effective Date, or it transfers Registrable
    Securities from the conversion of Preferred Stock with a liquidation
    preference of at least $100,000 (``rra_assignment_min_liquidation_preference``).
    """
    if converted_liquidation_preference < 0:
        raise InvalidInput("Converted liquidation preference cannot be negative.")
    before_effective = transfer_disclosed_on is not None and (
        initial_effective_date is None or transfer_disclosed_on < initial_effective_date
    )
    minimum = terms.rra_assignment_min_liquidation_preference
    large_enough = converted_liquidation_preference >= minimum
    conditions = (
        AssignmentCondition("a", "assignment agreed in writing and a copy furnished to the Company",
                            written_assignment_furnished),
        AssignmentCondition("b", "Company given the transferee's name and address and the securities",
                            transferee_notice_furnished),
        AssignmentCondition("c", "further disposition by the transferee restricted under the Securities Act",
                            further_disposition_restricted),
        AssignmentCondition("d", "transferee agreed in writing to be bound by the RRA",
                            transferee_bound_in_writing),
        AssignmentCondition(
            "e",
            "transfer completed and disclosed before the initial Effective Date "
            f"(met: {before_effective}), or shares from converting at least ${minimum} "
            f"of liquidation preference (met: {large_enough})",
            before_effective or large_enough,
        ),
    )
    return AssignmentCheck(conditions=conditions, assigned=all(c.met for c in conditions))


# --- Indemnification 6: survival ---------------------------------------------

@dataclass(frozen=True)
class Survival:
    agreement_date: date
    years: int
    last_operative_day: date
    clause: str = "Indemnification 6"

    def is_operative(self, on: date) -> bool:
        return self.agreement_date <= on <= self.last_operative_day

    def as_dict(self) -> dict:
        return {
            "agreement_date": self.agreement_date.isoformat(),
            "years": self.years,
            "last_operative_day": self.last_operative_day.isoformat(),
            "clause": self.clause,
        }


def indemnification_survival(
    agreement_date: date = INDEMNIFICATION_DATE, years: int = INDEMNIFICATION_SURVIVAL_YEARS
) -> Survival:
    """Indemnification 6: obligations "remain operative ... for a period of
    three (3) years following the date hereof" (effective October 31, 2006).

    The period runs from the day after the date hereof, so its last day is
    the third anniversary: 2009-10-31.
    """
    if years < 0:
        raise InvalidInput("Survival years cannot be negative.")
    return Survival(
        agreement_date=agreement_date, years=years, last_operative_day=add_years(agreement_date, years)
    )
