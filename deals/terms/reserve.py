"""Share reserve: SPA 3(c) authorized shares and SPA 4(g) Available Shares.

SPA 4(g): the Company shall have at all times authorized and reserved shares
of Common Stock sufficient to yield (i) 150% of the shares issuable on
conversion (including shares paying dividends) plus (ii) the shares issuable
on exercise of the Warrants. SPA 3(c): 50,000,000 shares of Common Stock are
authorized, about 7,860,000 issued at signing. The 150% part is rounded up
to a whole share ("sufficient to yield"), see docs/interpretations.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from .errors import InvalidInput
from .params import NHTC_AUTHORIZED_COMMON_SHARES, DealTerms
from .rounding import pct

CLAUSE_RESERVE = "SPA 3(c), 4(g)"


@dataclass(frozen=True, slots=True)
class ReserveCheck:
    """Required reserve against authorized-but-unissued shares, with the working."""

    authorized_shares: int
    issued_shares: int
    available_shares: int  # authorized - issued
    conversion_shares: int
    reserve_pct: Decimal
    conversion_reserve: int  # ceil(reserve_pct x conversion_shares)
    warrant_shares: int
    required_shares: int  # conversion_reserve + warrant_shares
    shortfall: int  # max(0, required - available)
    sufficient: bool
    clause: str = CLAUSE_RESERVE

    def as_dict(self) -> dict:
        return {
            "authorized_shares": self.authorized_shares,
            "issued_shares": self.issued_shares,
            "available_shares": self.available_shares,
            "conversion_shares": self.conversion_shares,
            "reserve_pct": str(self.reserve_pct),
            "conversion_reserve": self.conversion_reserve,
            "warrant_shares": self.warrant_shares,
            "required_shares": self.required_shares,
            "shortfall": self.shortfall,
            "sufficient": self.sufficient,
            "clause": self.clause,
        }


def required_reserve(*, terms: DealTerms, conversion_shares: int, warrant_shares: int) -> int:
    """Shares SPA 4(g) requires reserved: 150% of conversion shares (rounded up) + warrant shares."""
    if conversion_shares < 0 or warrant_shares < 0:
        raise InvalidInput("Share counts for the reserve cannot be negative.")
    conv = int((pct(terms.reserve_pct) * conversion_shares).to_integral_value(rounding=ROUND_CEILING))
    return conv + warrant_shares


def reserve_check(
    *,
    terms: DealTerms,
    conversion_shares: int,
    warrant_shares: int,
    issued_shares: int,
    authorized_shares: int | None = None,
) -> ReserveCheck:
    """SPA 3(c), 4(g): is the authorized-but-unissued Common Stock enough for the reserve?

    ``conversion_shares`` are the shares issuable on conversion of everything
    still outstanding (and its dividends/interest, if paid in shares);
    ``issued_shares`` the Common Stock issued now; ``authorized_shares``
    defaults to ``NHTC_AUTHORIZED_COMMON_SHARES`` (50,000,000); the app passes the Issuer's figure.
    """
    authorized = NHTC_AUTHORIZED_COMMON_SHARES if authorized_shares is None else authorized_shares
    if issued_shares < 0 or authorized < 0:
        raise InvalidInput("Issued and authorized share counts cannot be negative.")
    if issued_shares > authorized:
        raise InvalidInput(f"Issued shares {issued_shares:,} exceed authorized shares {authorized:,}.")
    required = required_reserve(
        terms=terms, conversion_shares=conversion_shares, warrant_shares=warrant_shares
    )
    available = authorized - issued_shares
    shortfall = max(0, required - available)
    return ReserveCheck(
        authorized_shares=authorized,
        issued_shares=issued_shares,
        available_shares=available,
        conversion_shares=conversion_shares,
        reserve_pct=terms.reserve_pct,
        conversion_reserve=required - warrant_shares,
        warrant_shares=warrant_shares,
        required_shares=required,
        shortfall=shortfall,
        sufficient=shortfall == 0,
    )
