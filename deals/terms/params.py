"""Deal terms: every parameter the contract engine takes, with the NHTC defaults.

``DealTerms`` is one flat dataclass on purpose: every engine function keeps
taking one ``terms`` argument, and the ``deals.DealTermsVersion`` model gets
one column per field here (same name, type and default), generated from this
class, so the engine and the database cannot drift apart. Each field belongs
to a group -- what it governs (``group_of``): preferred stock, debentures,
warrants, registration rights, or the Company's covenants that every
financing's conversions report (cap, reserve, rounding, notices). A financing
carries only the groups of its kind (``KIND_GROUPS``); the other fields are
``None`` in its versions. ``term_problems`` is the one check that a version
can be computed with (ranges and cross-field rules). Each field carries
the clause it comes from (``metadata["clause"]``), shown in the admin as help
text. Percentages are written as numbers (80 means 80%).

Fields marked "CoD" stand for the Certificate of Designations of the Series J
(SPA Annex I), which we do not have: their defaults and the reasons are in
docs/interpretations.md, and a deal admin can change them.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from enum import Enum

from .rounding import ShareRounding


def term(default, clause: str, note: str = ""):
    """A deal term with the clause it comes from."""
    return field(default=default, metadata={"clause": clause, "note": note})


class LookbackMethod(str, Enum):
    """How a market price is taken from closing bids before a date."""

    # Debenture 4(A): average closing bid of the N trading days immediately
    # preceding the Conversion Date.
    AVERAGE_PRECEDING = "average_preceding"
    # SPA 1(b)(ix): average of the K lowest closing bids among the N trading
    # days ending on the trading day immediately preceding the date.
    AVERAGE_LOWEST = "average_lowest"


class PricePrecision(str, Enum):
    """How the conversion price is carried into the share division (Debenture 4(A), Series J CoD)."""

    EXACT = "exact"  # the exact Decimal; only the share count is rounded (the clause's words)
    FOUR_DP = "4dp"  # rounded to $0.0001 half up first (a transfer agent that rounds the price)


class DayCount(str, Enum):
    """Day-count convention for interest and dividends."""

    ACT_365 = "act_365"  # actual days / 365 (default, see interpretations)
    ACT_360 = "act_360"
    THIRTY_360 = "30_360"


D = Decimal
DEB_CONV = "Debenture 4(A)"
COD = "Series J CoD (not in seeds) -- see docs/interpretations.md"


# The agreements' legend texts: the default of each financing's legend term (SPA 4(b); Debenture face).
SPA_LEGEND = (
    'THESE SECURITIES (THE "SECURITIES") HAVE NOT BEEN REGISTERED UNDER THE SECURITIES ACT OF 1933, AS '
    "AMENDED, OR THE SECURITIES LAWS OF ANY STATE AND MAY NOT BE SOLD OR OFFERED FOR SALE IN THE ABSENCE OF "
    "AN EFFECTIVE REGISTRATION STATEMENT FOR THE SECURITIES OR AN OPINION OF COUNSEL OR OTHER EVIDENCE "
    "ACCEPTABLE TO THE COMPANY THAT SUCH REGISTRATION IS NOT REQUIRED."
)
DEBENTURE_LEGEND = (
    'THESE SECURITIES (THE "SECURITIES"), AND THE SHARES ISSUABLE UPON CONVERSION HEREOF, HAVE NOT BEEN '
    'REGISTERED UNDER THE SECURITIES ACT OF 1933, AS AMENDED (THE "SECURITIES ACT"), OR THE SECURITIES LAWS '
    "OF ANY STATE AND MAY NOT BE SOLD OR OFFERED FOR SALE IN THE ABSENCE OF AN EFFECTIVE REGISTRATION "
    "STATEMENT FOR THE SECURITIES OR AN OPINION OF COUNSEL OR OTHER EVIDENCE ACCEPTABLE TO THE CORPORATION "
    "THAT SUCH REGISTRATION IS NOT REQUIRED."
)
LEGEND_MAX_LENGTH = 2000


@dataclass(frozen=True)
class DealTerms:
    # Debenture conversion
    debenture_fixed_price: Decimal = term(D("1.4375"), DEB_CONV, "Fixed Conversion Price")
    debenture_discount_pct: Decimal = term(D("80"), DEB_CONV, "percent of the Market Price")
    debenture_lookback_method: LookbackMethod = term(LookbackMethod.AVERAGE_PRECEDING, DEB_CONV)
    debenture_lookback_days: int = term(5, DEB_CONV, "trading days immediately preceding the Conversion Date")
    debenture_lookback_lowest: int = term(5, DEB_CONV, "used only by the average-of-lowest method")
    conversion_price_precision: PricePrecision = term(
        PricePrecision.EXACT,
        "Debenture 4(A); Series J CoD",
        "exact: only shares are rounded (\"rounded to the nearest whole share\"); 4dp: the price is rounded to "
        "$0.0001 before dividing, for a deal whose transfer agent rounds",
    )
    # Debenture interest
    debenture_interest_rate_pct: Decimal = term(D("6"), "Debenture 1", "per annum")
    debenture_day_count: DayCount = term(DayCount.ACT_365, "Debenture 1", "interpretation")
    # Debenture eligibility
    debenture_first_tranche_days: int = term(90, DEB_CONV, "days after Closing")
    debenture_first_tranche_pct: Decimal = term(D("50"), DEB_CONV, "percent of principal")
    debenture_full_conversion_days: int = term(120, DEB_CONV, "days after Closing")
    # Debenture redemption
    redemption_premium_pct: Decimal = term(D("120"), "Debenture 4(B)")
    redemption_payment_business_days: int = term(10, "Debenture 4(B)")
    redemption_convert_window_business_days: int = term(5, "Debenture 4(B)")
    # Debenture delivery and the original notice
    debenture_delivery_business_days: int = term(3, DEB_CONV, "certificates within N business days")
    original_notice_business_days: int = term(5, "Debenture Exhibit A", "original due by the Nth business day")
    fax_date_max_business_days: int = term(
        5,
        DEB_CONV,
        "a faxed notice dated more than N business days before it is recorded needs a deal admin's confirmation",
    )
    fax_original_business_days: int = term(
        3, DEB_CONV, "fax date is the Conversion Date if the original arrives within N business days"
    )
    # Series J conversion
    preferred_stated_value: Decimal = term(D("1000"), "SPA 1(b)(iv)", "liquidation preference per share")
    preferred_fixed_price: Decimal = term(D("1.4375"), COD, "Fixed Price")
    preferred_discount_pct: Decimal = term(D("80"), COD, "percent of the Market Price")
    preferred_lookback_method: LookbackMethod = term(LookbackMethod.AVERAGE_LOWEST, "SPA 1(b)(ix)")
    preferred_lookback_days: int = term(20, "SPA 1(b)(ix)")
    preferred_lookback_lowest: int = term(3, "SPA 1(b)(ix)")
    preferred_dividend_rate_pct: Decimal = term(D("6"), COD, "per annum")
    preferred_day_count: DayCount = term(DayCount.ACT_365, COD)
    preferred_delivery_business_days: int = term(3, COD, "Delivery Date")
    # Shares
    share_rounding: ShareRounding = term(ShareRounding.HALF_UP, DEB_CONV, "nearest whole share")
    # Late delivery
    late_grace_business_days: int = term(3, "SPA 5(c)", "business days beyond the Delivery Date before lateness counts")
    late_payment_per_unit: Decimal = term(D("100"), "SPA 5(c)", "per business day late, days 1-10")
    late_payment_unit: Decimal = term(D("10000"), "SPA 5(c)", "per $10,000 converted")
    late_payment_step_after_cap: Decimal = term(D("200"), "SPA 5(c)", "per business day beyond 10")
    late_payment_cap_days: int = term(10, "SPA 5(c)")
    late_payment_prorate_partial_unit: bool = term(True, "SPA 5(c)", "interpretation: pro rata for part of $10,000")
    revocation_business_days: int = term(3, "SPA 5(c)", "holder may revoke after N business days past the Delivery Date")
    mandatory_purchase_pct: Decimal = term(D("145"), "SPA 5(f)")
    mandatory_purchase_business_days: int = term(5, "SPA 5(f)")
    # Cap Regulations
    cap_pct: Decimal = term(D("20"), "SPA 4(d)(ii), 4(i)", "percent of shares outstanding at signing")
    cap_meeting_trigger_pct: Decimal = term(D("10"), "SPA 4(d)(ii)", "Meeting Date trigger")
    cap_meeting_days: int = term(75, "SPA 4(d)(ii)", "Meeting Date: days after the trigger")
    cap_redemption_days: int = term(30, "SPA 4(i)")
    # Share reserve
    reserve_pct: Decimal = term(D("150"), "SPA 4(g)")
    # Cap remedy and warrant mechanics
    cap_remedy_window_days: int = term(5, "SPA 4(i)(x)", "consecutive trading days averaged")
    cap_remedy_lookback_days: int = term(60, "SPA 4(i)(x)", "trading days immediately preceding the notice")
    warrant_share_rounding: ShareRounding = term(ShareRounding.DOWN, "SPA 4(h)", "whole shares, rounded down")
    # Warrants
    warrant_coverage_pct: Decimal = term(D("20"), "SPA 4(h)", "percent of purchase price")
    warrant_price_pct: Decimal = term(D("110"), "SPA 4(h)", "percent of the closing bid before Closing")
    warrant_term_years: int = term(5, "SPA 4(h)")
    # Registration rights
    registration_multiple_pct: Decimal = term(D("200"), "RRA 2(a)(i)")
    registration_dividend_years: int = term(5, "RRA 2(a)(i)", "dividends through the Nth anniversary")
    required_effective_days: int = term(90, "RRA 2(b)(i)(A)", "days after the Initial Closing Date")
    increased_required_effective_days: int = term(
        60, "RRA 2(b)(i)(B)-(C)", "days after the Increased Registered Shares Date"
    )
    amendment_business_days: int = term(10, "RRA 2(a)(ii)(A)")
    periodic_amount_pct: Decimal = term(D("2"), "RRA 2(b)(iii)", "per period")
    periodic_period_days: int = term(
        30, "RRA 2(b)(iii), 2(b)(vii)", "period length and Computation Date spacing"
    )
    counsel_review_business_days: int = term(3, "RRA 3(c)")
    requested_information_days: int = term(
        10, "RRA 4(a)", "calendar days before the first anticipated filing date"
    )
    suspension_max_per_12_months: int = term(2, "RRA 3(h)")
    suspension_max_days: int = term(20, "RRA 3(h)")
    suspension_gap_business_days: int = term(10, "RRA 3(h)")
    suspension_notice_business_days: int = term(2, "RRA 3(h)")
    # Right of first refusal
    rofr_answer_business_days: int = term(3, "SPA 4(j)")
    rofr_consummation_days: int = term(20, "SPA 4(j)")
    rofr_period_days: int = term(240, "SPA 4(j)", "days after the Effective Date")
    # Registration rights (continued)
    increased_registration_dividend_years: int = term(
        2, "RRA 2(a)(ii)(A)", "dividends through the Nth anniversary (2(a)(i) says fifth)"
    )
    held_shares_lookback_days: int = term(
        30, "RRA 2(b)(iii)", "conversions within N days before the Restricted Sale Date"
    )
    registration_period_years: int = term(
        2, "RRA 3(a)(i)", "years after the last day of the month after the Effective Date"
    )
    rra_amendment_consent_pct: Decimal = term(D("67"), "RRA 10", "percent of liquidation preference")
    rra_assignment_min_liquidation_preference: Decimal = term(D("100000"), "RRA 9(e)")
    # Regulation S
    restricted_period_years: int = term(1, "SPA 2(b)(iv)", "Distribution Compliance Period")
    # Notices
    notice_mail_business_days: int = term(7, "SPA 10(b)", "registered or certified mail")
    notice_courier_business_days: int = term(3, "SPA 10(c)", "express courier")
    notice_address_change_days: int = term(10, "SPA 10", "advance notice of a new address")
    # Debenture Events of Default
    eod_delivery_cure_business_days: int = term(5, "Debenture 10(c)-(d)")
    eod_covenant_cure_days: int = term(30, "Debenture 10(e)", "days after the Holder's written notice")
    eod_dismissal_days: int = term(60, "Debenture 10(g), (h), (i), (j)")
    eod_judgment_threshold: Decimal = term(D("200000"), "Debenture 10(i)", "aggregate, strictly in excess")
    eod_judgment_sale_days: int = term(5, "Debenture 10(i)", "days before a proposed sale")
    eod_delisting_business_days: int = term(1, "Debenture 10(k)", "suspension longer than N business days")
    # Legends: the text each certificate, warrant and transfer-agent letter carries when issued
    preferred_legend_text: str = term(
        SPA_LEGEND, "SPA 4(b)", "the restrictive legend on the Preferred Stock, the Warrants and the Common Stock issued "
        "on their conversion or exercise until registered and sold or Rule 144(k)"
    )
    debenture_legend_text: str = term(DEBENTURE_LEGEND, "Debenture (face legend)", "the legend on the face of each Debenture")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def with_changes(self, **changes) -> DealTerms:
        return replace(self, **changes)


NHTC_DEFAULTS = DealTerms()

# --- groups: what each term governs ------------------------------------------------------

PREFERRED, DEBENTURE, WARRANT, REGISTRATION, COMPANY = "preferred", "debenture", "warrant", "registration", "company"
GROUP_LABELS = {
    PREFERRED: "Preferred stock: conversion, dividends, delivery, SPA 5 remedies, cap remedies, first refusal",
    DEBENTURE: "Debentures: conversion, interest, redemption, original notice, Events of Default",
    WARRANT: "Warrants (SPA 4(h))",
    REGISTRATION: "Registration rights (RRA)",
    COMPANY: "Company covenants every conversion reports: cap, reserve, rounding, Regulation S, notices",
}
# The groups a financing of each kind carries. A preferred issue comes with warrants and an RRA
# (SPA 4(h), RRA 2); a debenture issue with neither.
KIND_GROUPS: dict[str, frozenset[str]] = {
    PREFERRED: frozenset({PREFERRED, WARRANT, REGISTRATION, COMPANY}),
    DEBENTURE: frozenset({DEBENTURE, COMPANY}),
}
_PREFIX_GROUPS = (
    (("preferred_", "late_", "revocation_", "mandatory_purchase_", "cap_remedy_", "cap_redemption_", "rofr_"), PREFERRED),
    (("debenture_", "redemption_", "original_notice_", "fax_original_", "eod_"), DEBENTURE),
    (("warrant_",), WARRANT),
    (("registration_", "required_effective_", "increased_", "amendment_", "periodic_", "counsel_review_",
      "requested_information_", "suspension_", "held_shares_", "rra_"), REGISTRATION),
    (("cap_", "reserve_", "share_rounding", "restricted_period_", "notice_"), COMPANY),
)


def group_of(name: str) -> str:
    """The group a DealTerms field belongs to (what it governs). A new term whose prefix is not
    listed in ``_PREFIX_GROUPS`` counts as a company covenant: every financing carries it."""
    for prefixes, group in _PREFIX_GROUPS:
        if name.startswith(prefixes):
            return group
    return COMPANY


def fields_for(kind: str) -> tuple[str, ...]:
    """The DealTerms fields a financing of ``kind`` ("preferred" or "debenture") carries."""
    groups = KIND_GROUPS[kind]
    return tuple(n for n in DealTerms.field_names() if group_of(n) in groups)


# --- contract terms and clerical terms (RRA 10, SPA 9(i)) ------------------------------------

CONTRACT, CLERICAL = "contract", "clerical"
# The one list of clerical terms: settings of the back office itself that no agreement fixes, so
# changing them amends no contract and needs no holder's consent (four eyes still apply). Every
# other term carries a figure or a reading of the agreements (SPA, RRA, Debenture, Series J CoD):
# a version that changes one is an amendment under RRA 10 / SPA 9(i) and needs the written
# instrument and the consents. docs/terms.md lists both (tests/terms/test_term_classes.py).
CLERICAL_TERMS: dict[str, str] = {
    "fax_date_max_business_days": (
        "the back office's own check: how old a faxed notice's date may be before a deal admin must confirm it "
        "(Debenture 4(A) takes the fax date as it is)"
    ),
}


def term_class(name: str) -> str:
    """``CONTRACT`` or ``CLERICAL`` for a DealTerms field (RRA 10 / SPA 9(i))."""
    if name not in DealTerms.field_names():
        raise KeyError(f"{name} is not a deal term")
    return CLERICAL if name in CLERICAL_TERMS else CONTRACT


def contract_terms_changed(old: dict, new: dict, kind: str) -> tuple[str, ...]:
    """The contract terms of a ``kind`` financing whose values differ between ``old`` and ``new``."""
    return tuple(n for n in fields_for(kind) if term_class(n) == CONTRACT and _same(old.get(n)) != _same(new.get(n)))


def _same(v):
    if isinstance(v, Enum):
        v = v.value
    if isinstance(v, (Decimal, float)) or (isinstance(v, str) and v.replace(".", "", 1).lstrip("-").isdigit()):
        try:
            return D(str(v)).normalize()
        except ArithmeticError:
            return v
    return v


# --- the one validity check ---------------------------------------------------------------

# (lowest, highest, lowest allowed?) per field; Decimal percentages and amounts must be
# more than 0, counts at least 1. Unlisted ints: 1..1,000; unlisted Decimals: (0, 1,000,000,000].
_HUNDRED, _THOUSAND = D("100"), D("1000")
_BOUNDS: dict[str, tuple[Decimal, Decimal, bool]] = {
    "preferred_discount_pct": (D(0), _HUNDRED, False),
    "debenture_discount_pct": (D(0), _HUNDRED, False),
    "debenture_first_tranche_pct": (D(0), _HUNDRED, False),
    "preferred_dividend_rate_pct": (D(0), _HUNDRED, False),
    "debenture_interest_rate_pct": (D(0), _HUNDRED, False),
    "cap_pct": (D(0), _HUNDRED, False),
    "cap_meeting_trigger_pct": (D(0), _HUNDRED, False),
    "warrant_coverage_pct": (D(0), _THOUSAND, False),
    "periodic_amount_pct": (D(0), _HUNDRED, False),
    "rra_amendment_consent_pct": (D(0), _HUNDRED, False),
    "preferred_fixed_price": (D(0), D("100000"), False),
    "debenture_fixed_price": (D(0), D("100000"), False),
    "preferred_stated_value": (D(0), D("100000000"), False),
}
_PCT_HIGH = D("10000")  # premiums, multiples and reserve percentages (120%, 145%, 150%, 200%)
_YEARS_HIGH = 50


def _bounds(name: str, value) -> tuple[Decimal, Decimal, bool]:
    if name in _BOUNDS:
        return _BOUNDS[name]
    if isinstance(value, int):
        return (D(1), D(_YEARS_HIGH if name.endswith("_years") else 1000), True)
    if name.endswith("_pct"):
        return (D(0), _PCT_HIGH, False)
    return (D(0), D("1000000000"), False)


def _show(value) -> str:
    return f"{value:,}" if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else repr(value)


def term_problems(values: dict, kind: str) -> dict[str, str]:
    """What makes a version of a ``kind`` financing unusable, per field: a missing term of its
    kind, a term of another kind, a value out of range (0, negatives, 2,147,483,648 ...), an
    unknown choice, or a broken cross-field rule. Empty when the engine can compute with it."""
    hints = _field_types()
    carried = set(fields_for(kind))
    out: dict[str, str] = {}
    for name in DealTerms.field_names():
        value = values.get(name)
        if name not in carried:
            if value is not None:
                out[name] = f"is a {group_of(name)} term; a {kind} financing does not carry it"
            continue
        if value is None:
            out[name] = "is missing"
            continue
        py = hints[name]
        if py is bool:
            continue
        if py is str:
            if not str(value).strip():
                out[name] = "is empty; give the agreement's text"
            elif len(str(value)) > LEGEND_MAX_LENGTH:
                out[name] = f"is {len(str(value)):,} characters; it must be at most {LEGEND_MAX_LENGTH:,}"
            continue
        if isinstance(py, type) and issubclass(py, Enum):
            allowed = [m.value for m in py]
            if (value.value if isinstance(value, Enum) else value) not in allowed:
                out[name] = f"is {value!r}; it must be one of {', '.join(allowed)}"
            continue
        try:
            number = D(str(value))
        except ArithmeticError:
            out[name] = f"is {value!r}, not a number"
            continue
        if not number.is_finite():
            out[name] = f"is {value!r}, not a number"
            continue
        low, high, low_ok = _bounds(name, value if py is int else number)
        if py is int and number != number.to_integral_value():
            out[name] = f"is {_show(number)}; it must be a whole number"
        elif number < low or (number == low and not low_ok):
            out[name] = f"is {_show(number)}; it must be {'at least' if low_ok else 'more than'} {_show(low)}"
        elif number > high:
            out[name] = f"is {_show(number)}; it must be at most {_show(high)}"
    for prefix in ("preferred", "debenture"):
        days, lowest = values.get(f"{prefix}_lookback_days"), values.get(f"{prefix}_lookback_lowest")
        method = values.get(f"{prefix}_lookback_method")
        method = method.value if isinstance(method, Enum) else method
        if (f"{prefix}_lookback_lowest" not in out and f"{prefix}_lookback_days" not in out and days is not None
                and lowest is not None and method == LookbackMethod.AVERAGE_LOWEST.value and int(lowest) > int(days)):
            out[f"{prefix}_lookback_lowest"] = (
                f"is {lowest}; the average of the lowest prices cannot take more than the {days} look-back trading days"
            )
    return out


@functools.cache
def _field_types() -> dict:
    """DealTerms' field types (resolved once: ``get_type_hints`` is slow and the class is fixed)."""
    import typing

    return typing.get_type_hints(DealTerms, globals())

# Capital facts (SPA 3(c), 4(d)(ii)) are facts about the Issuer, not deal terms:
# the app passes the Issuer record's figures. These are the engine's defaults
# for callers without one (tests, benches).
NHTC_SHARES_OUTSTANDING_AT_SIGNING = 7_860_000  # SPA 3(c): "approximately 7,860,000"
NHTC_AUTHORIZED_COMMON_SHARES = 50_000_000  # SPA 3(c)
