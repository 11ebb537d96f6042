"""Deal terms: every parameter the contract engine takes, with the NHTC defaults.

``DealTerms`` is flat on purpose: the ``deals.DealTermsVersion`` model gets
one column per field here (same name, type and default), generated from this
class, so the engine and the database cannot drift apart. Each field carries
the clause it comes from (``metadata["clause"]``), shown in the admin as help
text. Percentages are written as numbers (80 means 80%).

Fields marked "CoD" stand for the Certificate of Designations of the Series J
(SPA Annex I), which we do not have: their defaults and the reasons are in
docs/interpretations.md, and a deal admin can change them.
"""

from __future__ import annotations

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


class DayCount(str, Enum):
    """Day-count convention for interest and dividends."""

    ACT_365 = "act_365"  # actual days / 365 (default, see interpretations)
    ACT_360 = "act_360"
    THIRTY_360 = "30_360"


D = Decimal
DEB_CONV = "Debenture 4(A)"
COD = "Series J CoD (not in seeds) -- see docs/interpretations.md"


@dataclass(frozen=True)
class DealTerms:
    # Debenture conversion
    debenture_fixed_price: Decimal = term(D("1.4375"), DEB_CONV, "Fixed Conversion Price")
    debenture_discount_pct: Decimal = term(D("80"), DEB_CONV, "percent of the Market Price")
    debenture_lookback_method: LookbackMethod = term(LookbackMethod.AVERAGE_PRECEDING, DEB_CONV)
    debenture_lookback_days: int = term(5, DEB_CONV, "trading days immediately preceding the Conversion Date")
    debenture_lookback_lowest: int = term(5, DEB_CONV, "used only by the average-of-lowest method")
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

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def with_changes(self, **changes) -> DealTerms:
        return replace(self, **changes)


NHTC_DEFAULTS = DealTerms()

# Capital facts (SPA 3(c), 4(d)(ii)) are facts about the Issuer, not deal terms:
# the app passes the Issuer record's figures. These are the engine's defaults
# for callers without one (tests, benches).
NHTC_SHARES_OUTSTANDING_AT_SIGNING = 7_860_000  # SPA 3(c): "approximately 7,860,000"
NHTC_AUTHORIZED_COMMON_SHARES = 50_000_000  # SPA 3(c)
