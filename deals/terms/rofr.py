"""SPA 4(j): Right of First Refusal and Special Dilution Protection.

- 4(j)(i): from the SPA date through the 240th day after the Effective Date,
  a New Transaction (other than an underwritten public offering) for New
  Common Stock must first be offered to the Buyer, who answers in writing by
  close of business on the 3rd business day after receiving the New
  Transaction Offer (the Right of First Refusal Expiration Date).
- 4(j)(ii): what the Buyer does not take the Company may sell to the New
  Investor on the offered terms within 20 days of that date.
- 4(j)(iii): terms more beneficial to the New Investor in any respect mean a
  fresh New Transaction Offer.
- 4(j)(iv): several Buyers share pro rata by Buyer's Allocable Share; a
  Declining Buyer's part may be taken by those who exercised in full.
- 4(j)(v): a New Transaction consummated on better terms before the 240 days
  expire reprices the Series J and the Warrants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum

from .calendars import add_business_days
from .errors import InvalidInput
from .params import NHTC_DEFAULTS, DealTerms
from .rounding import CENT, ShareRounding, to_shares

ZERO = Decimal(0)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _s(v) -> str | None:
    return None if v is None else str(v)


# --- window and timeline -------------------------------------------------------


def rofr_last_day(effective_date: date | None, terms: DealTerms = NHTC_DEFAULTS) -> date | None:
    """SPA 4(j)(i), (v): the last day of the Right of First Refusal period --
    "through and including the date which is 240 days after the Effective
    Date". None while there is no Effective Date (the period is still open)."""
    if effective_date is None:
        return None
    return effective_date + timedelta(days=terms.rofr_period_days)


def rofr_applies(*, offered_on: date, effective_date: date | None, terms: DealTerms = NHTC_DEFAULTS) -> bool:
    """SPA 4(j)(i): whether an offer made on ``offered_on`` falls in the period."""
    last = rofr_last_day(effective_date, terms)
    return last is None or offered_on <= last


@dataclass(frozen=True)
class RofrTimeline:
    """SPA 4(j)(i)-(ii) deadlines for one New Transaction Offer."""

    offer_received_on: date
    expiration_date: date  # answer due by close of business (New York) that day
    consummation_deadline: date
    answer_business_days: int
    consummation_days: int
    clause: str = "SPA 4(j)(i)-(ii)"

    def as_dict(self) -> dict:
        return {
            "offer_received_on": self.offer_received_on.isoformat(),
            "expiration_date": self.expiration_date.isoformat(),
            "answer_due": f"close of business on {self.expiration_date.isoformat()}",
            "consummation_deadline": self.consummation_deadline.isoformat(),
            "answer_business_days": self.answer_business_days,
            "consummation_days": self.consummation_days,
            "clause": self.clause,
        }


def rofr_timeline(*, offer_received_on: date, terms: DealTerms = NHTC_DEFAULTS) -> RofrTimeline:
    """SPA 4(j)(i)-(ii): the Buyer's answer is due by close of business on the
    3rd business day after it receives the New Transaction Offer (the Right of
    First Refusal Expiration Date); the Company may close the rest with the
    New Investor within 20 calendar days of that date (the 20th day included)."""
    expiration = add_business_days(offer_received_on, terms.rofr_answer_business_days)
    return RofrTimeline(
        offer_received_on=offer_received_on,
        expiration_date=expiration,
        consummation_deadline=expiration + timedelta(days=terms.rofr_consummation_days),
        answer_business_days=terms.rofr_answer_business_days,
        consummation_days=terms.rofr_consummation_days,
    )


# --- 4(j)(iv): allocation among Buyers -------------------------------------------


@dataclass(frozen=True)
class BuyerResponse:
    """One Buyer's answer: its liquidation preference (the numerator of its
    Buyer's Allocable Share), the amount it exercised of its pro rata part,
    and how much of Declining Buyers' parts it asks for in addition."""

    buyer: str
    liquidation_preference: Decimal
    exercised: Decimal
    additional_requested: Decimal = ZERO


@dataclass(frozen=True)
class AllocationLine:
    buyer: str
    liquidation_preference: Decimal
    allocable_fraction: Decimal
    pro_rata_part: Decimal
    exercised: Decimal
    full_exercise: bool
    additional_requested: Decimal
    additional_allocated: Decimal
    total: Decimal

    def as_dict(self) -> dict:
        return {
            "buyer": self.buyer,
            "liquidation_preference": str(self.liquidation_preference),
            "allocable_fraction": str(self.allocable_fraction),
            "pro_rata_part": str(self.pro_rata_part),
            "exercised": str(self.exercised),
            "full_exercise": self.full_exercise,
            "additional_requested": str(self.additional_requested),
            "additional_allocated": str(self.additional_allocated),
            "total": str(self.total),
        }


@dataclass(frozen=True)
class RofrAllocation:
    """SPA 4(j)(iv) split of a New Transaction Offer among the Buyers."""

    offer_amount: Decimal
    lines: tuple[AllocationLine, ...]
    declined_pool: Decimal
    reallocation_rounds: tuple[tuple[tuple[str, Decimal], ...], ...]
    remaining_for_new_investor: Decimal
    clause: str = "SPA 4(j)(ii), 4(j)(iv)"

    def as_dict(self) -> dict:
        return {
            "offer_amount": str(self.offer_amount),
            "lines": [line.as_dict() for line in self.lines],
            "declined_pool": str(self.declined_pool),
            "reallocation_rounds": [[[b, str(a)] for b, a in rnd] for rnd in self.reallocation_rounds],
            "remaining_for_new_investor": str(self.remaining_for_new_investor),
            "clause": self.clause,
        }


def split_pro_rata(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``amount`` (in cents) in proportion to ``weights``; the parts add up
    exactly: each part is rounded down to a cent and the leftover cents go to
    the largest remainders (the earlier entry on a tie). SPA 4(j)(iv) pro rata."""
    total = sum(weights, ZERO)
    if total <= 0:
        raise InvalidInput("Pro rata split needs positive weights.")
    exact = [amount * w / total for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    leftover = int((amount - sum(parts, ZERO)) / CENT)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += CENT
    return parts


def allocate_offer(*, offer_amount: Decimal, responses: Sequence[BuyerResponse]) -> RofrAllocation:
    """SPA 4(j)(iv): each Buyer's part of the New Transaction Offer is pro rata
    to its Buyer's Allocable Share among the Buyers; the unexercised parts of
    Declining Buyers go, pro rata among them, to Buyers who exercised their own
    part in full, up to what each asks for -- a part one of them does not want
    is offered again to the others still asking (rounds listed). What nobody
    takes may go to the New Investor (4(j)(ii)). Amounts are dollars, to the cent.
    """
    offer = Decimal(offer_amount)
    if not offer.is_finite() or offer <= 0 or offer != offer.quantize(CENT):
        raise InvalidInput("The offer amount must be a positive amount in whole cents.")
    if not responses:
        raise InvalidInput("At least one Buyer is needed.")
    names = [r.buyer for r in responses]
    if len(set(names)) != len(names):
        raise InvalidInput("Each Buyer may answer only once.")
    for r in responses:
        if r.liquidation_preference <= 0:
            raise InvalidInput(f"{r.buyer}: liquidation preference must be positive.")
        if r.exercised < 0 or r.additional_requested < 0:
            raise InvalidInput(f"{r.buyer}: amounts cannot be negative.")
    weights = [Decimal(r.liquidation_preference) for r in responses]
    total_lp = sum(weights, ZERO)
    parts = split_pro_rata(offer, weights)
    full = []
    for r, part in zip(responses, parts, strict=True):
        if r.exercised > part:
            raise InvalidInput(f"{r.buyer} exercised {r.exercised}, more than its pro rata part {part}.")
        is_full = r.exercised == part
        if r.additional_requested > 0 and not is_full:
            raise InvalidInput(
                f"{r.buyer} did not exercise in full, so it cannot take Declining Buyers' parts "
                "(SPA 4(j)(iv))."
            )
        full.append(is_full)
    pool = sum((p - Decimal(r.exercised) for r, p in zip(responses, parts, strict=True)), ZERO)

    extra = dict.fromkeys(names, ZERO)
    wanting = {r.buyer: Decimal(r.additional_requested) for r in responses if r.additional_requested > 0}
    lp = {r.buyer: Decimal(r.liquidation_preference) for r in responses}
    left = pool
    rounds = []
    while left > 0 and wanting:
        eligible = list(wanting)
        shares = split_pro_rata(left, [lp[b] for b in eligible])
        given = []
        for b, share in zip(eligible, shares, strict=True):
            take = min(share, wanting[b])
            extra[b] += take
            wanting[b] -= take
            left -= take
            given.append((b, take))
            if wanting[b] == 0:
                del wanting[b]
        rounds.append(tuple(given))

    lines = tuple(
        AllocationLine(
            buyer=r.buyer,
            liquidation_preference=Decimal(r.liquidation_preference),
            allocable_fraction=Decimal(r.liquidation_preference) / total_lp,
            pro_rata_part=part,
            exercised=Decimal(r.exercised),
            full_exercise=is_full,
            additional_requested=Decimal(r.additional_requested),
            additional_allocated=extra[r.buyer],
            total=Decimal(r.exercised) + extra[r.buyer],
        )
        for r, part, is_full in zip(responses, parts, full, strict=True)
    )
    return RofrAllocation(
        offer_amount=offer,
        lines=lines,
        declined_pool=pool,
        reallocation_rounds=tuple(rounds),
        remaining_for_new_investor=left,
    )


# --- terms of a New Transaction: 4(j)(iii) and 4(j)(v) ---------------------------


@dataclass(frozen=True)
class NewTransactionTerms:
    """The price terms of a New Transaction that 4(j) compares. None = the
    transaction has no such term.

    market_price_pct: sale or conversion price as a percentage of the market
    price (howsoever computed), e.g. 75 for 75%; fixed_price: a fixed sale or
    conversion price; warrant_exercise_price; warrant_shares_per_dollar:
    warrant shares per dollar the New Investor pays or invests."""

    market_price_pct: Decimal | None = None
    fixed_price: Decimal | None = None
    warrant_exercise_price: Decimal | None = None
    warrant_shares_per_dollar: Decimal | None = None
    # SPA 4(j)(iii) "more beneficial ... in any respect": the offer's other terms (issue 16 item 8).
    # Not price terms: SPA 4(j)(v) price protection does not read them.
    fees_pct: Decimal | None = None  # fees, commissions or discounts the Company pays the New Investor, % of the amount
    reset: str = ""  # a reset / repricing provision, as written ("" = none)
    maturity_months: int | None = None  # months to maturity of the instrument sold (None = none / not applicable)
    other: str = ""  # any other term, as written

    def as_dict(self) -> dict:
        return {
            "market_price_pct": _s(self.market_price_pct),
            "fixed_price": _s(self.fixed_price),
            "warrant_exercise_price": _s(self.warrant_exercise_price),
            "warrant_shares_per_dollar": _s(self.warrant_shares_per_dollar),
            "fees_pct": _s(self.fees_pct),
            "reset": self.reset,
            "maturity_months": self.maturity_months,
            "other": self.other,
        }


class Respect(str, Enum):
    MARKET_PRICE_PCT = "market_price_pct"  # lower is better for the investor
    FIXED_PRICE = "fixed_price"  # lower is better
    WARRANT_EXERCISE_PRICE = "warrant_exercise_price"  # lower is better
    WARRANT_SHARES_PER_DOLLAR = "warrant_shares_per_dollar"  # higher is better

    @property
    def higher_is_better(self) -> bool:
        return self is Respect.WARRANT_SHARES_PER_DOLLAR


@dataclass(frozen=True)
class Comparison:
    """One respect compared: is ``new`` better for the investor than ``current``?"""

    respect: Respect
    current: Decimal | None
    new: Decimal | None
    new_is_better: bool
    reason: str

    def as_dict(self) -> dict:
        return {
            "respect": self.respect.value,
            "current": _s(self.current),
            "new": _s(self.new),
            "new_is_better": self.new_is_better,
            "reason": self.reason,
        }


def _compare(respect: Respect, current: Decimal | None, new: Decimal | None) -> Comparison:
    if new is None:
        return Comparison(respect, current, new, False, "the new terms have no such term")
    if current is None:
        return Comparison(respect, current, new, True, "the new terms add a term the current ones lack")
    better = new > current if respect.higher_is_better else new < current
    word = ("more" if respect.higher_is_better else "lower") if better else "not better"
    return Comparison(respect, current, new, better, f"{word}: {new} against {current}")


def compare_terms(current: NewTransactionTerms, new: NewTransactionTerms) -> tuple[Comparison, ...]:
    """SPA 4(j)(iii), (v): compare two sets of price terms respect by respect,
    from the investor's side: a lower percentage of market, a lower fixed
    price, a lower warrant exercise price and more warrant shares per dollar
    are better."""
    return tuple(_compare(r, getattr(current, r.value), getattr(new, r.value)) for r in Respect)


@dataclass(frozen=True)
class OtherComparison:
    """SPA 4(j)(iii): one of the offer's other terms compared (``restart``: it needs a new offer)."""

    term: str
    offered: object
    final: object
    restart: bool
    reason: str

    def as_dict(self) -> dict:
        return {"term": self.term, "offered": _s(self.offered) if isinstance(self.offered, Decimal) else self.offered,
                "final": _s(self.final) if isinstance(self.final, Decimal) else self.final, "restart": self.restart,
                "reason": self.reason}


def _norm_text(text: str) -> str:
    return " ".join((text or "").split())


def compare_other_terms(offered: NewTransactionTerms, final: NewTransactionTerms) -> tuple[OtherComparison, ...]:
    """SPA 4(j)(iii) "in any respect" beyond the price terms. Fees paid to the New Investor: more is
    more beneficial to it (a fee added counts). A reset provision: adding one is more beneficial;
    removing one is not; changing its wording cannot be ranked. Maturity and any other term: the
    app cannot say which way a change cuts, so any change counts as possibly more beneficial and
    needs a new offer (docs/interpretations.md). Text is compared ignoring spacing."""
    out = []
    of, ff = offered.fees_pct, final.fees_pct
    if (ff or 0) <= (of or 0):
        out.append(OtherComparison("fees_pct", of, ff, False, "no higher fees for the New Investor"))
    else:
        out.append(OtherComparison("fees_pct", of, ff, True, f"higher fees for the New Investor: {ff}% against {of or 0}%"))
    o_reset, f_reset = _norm_text(offered.reset), _norm_text(final.reset)
    if o_reset == f_reset or not f_reset:
        out.append(OtherComparison("reset", offered.reset, final.reset, False, "no reset added or changed"))
    elif not o_reset:
        out.append(OtherComparison("reset", offered.reset, final.reset, True, "a reset provision is added"))
    else:
        out.append(OtherComparison("reset", offered.reset, final.reset, True, "the reset provision changed (cannot be ranked)"))
    om, fm = offered.maturity_months, final.maturity_months
    changed = om != fm
    out.append(OtherComparison("maturity_months", om, fm, changed,
                               f"maturity changed from {om} to {fm} months (cannot be ranked)" if changed else "maturity unchanged"))
    o_other, f_other = _norm_text(offered.other), _norm_text(final.other)
    changed = o_other != f_other
    out.append(OtherComparison("other", offered.other, final.other, changed,
                               "other terms changed (free text, cannot be ranked)" if changed else "other terms unchanged"))
    return tuple(out)


@dataclass(frozen=True)
class TermsChange:
    """SPA 4(j)(iii): do changed terms need a fresh New Transaction Offer?"""

    offered: NewTransactionTerms
    final: NewTransactionTerms
    comparisons: tuple[Comparison, ...]
    restart: bool
    new_timeline: RofrTimeline | None
    other_comparisons: tuple[OtherComparison, ...] = ()
    clause: str = "SPA 4(j)(iii)"

    @property
    def more_beneficial_respects(self) -> tuple[Respect, ...]:
        return tuple(c.respect for c in self.comparisons if c.new_is_better)

    @property
    def restart_reasons(self) -> tuple[str, ...]:
        """Every respect that needs a new offer, named."""
        price = tuple(f"{c.respect.value.replace('_', ' ')} ({c.reason})" for c in self.comparisons if c.new_is_better)
        return price + tuple(f"{o.term.replace('_', ' ')} ({o.reason})" for o in self.other_comparisons if o.restart)

    def as_dict(self) -> dict:
        return {
            "offered": self.offered.as_dict(),
            "final": self.final.as_dict(),
            "comparisons": [c.as_dict() for c in self.comparisons],
            "other_comparisons": [o.as_dict() for o in self.other_comparisons],
            "restart": self.restart,
            "more_beneficial_respects": [r.value for r in self.more_beneficial_respects],
            "new_timeline": None if self.new_timeline is None else self.new_timeline.as_dict(),
            "clause": self.clause,
        }


def changed_terms(
    *,
    offered: NewTransactionTerms,
    final: NewTransactionTerms,
    new_offer_received_on: date | None = None,
    terms: DealTerms = NHTC_DEFAULTS,
) -> TermsChange:
    """SPA 4(j)(iii): if the terms to be consummated with the New Investor are
    more beneficial to it in any respect than those in the New Transaction
    Offer, the Company must give the Buyer a new offer and the Right of First
    Refusal starts again; ``new_offer_received_on`` gives the new timeline."""
    comparisons = compare_terms(offered, final)
    others = compare_other_terms(offered, final)
    restart = any(c.new_is_better for c in comparisons) or any(o.restart for o in others)
    timeline = (
        rofr_timeline(offer_received_on=new_offer_received_on, terms=terms)
        if restart and new_offer_received_on is not None
        else None
    )
    return TermsChange(offered, final, comparisons, restart, timeline, others)


@dataclass(frozen=True)
class PriceProtection:
    """SPA 4(j)(v): how a New Transaction reprices the Series J and the Warrants."""

    consummated_on: date
    window_last_day: date | None
    applies: bool
    current: NewTransactionTerms
    new: NewTransactionTerms
    comparisons: tuple[Comparison, ...]
    deal_terms_changes: dict = field(default_factory=dict)
    warrant_changes: dict = field(default_factory=dict)
    clause: str = "SPA 4(j)(v)"

    def adjusted_terms(self, terms: DealTerms) -> DealTerms:
        """The DealTerms with the Series J changes applied (warrants are not DealTerms fields)."""
        return terms.with_changes(**self.deal_terms_changes)

    def as_dict(self) -> dict:
        return {
            "consummated_on": self.consummated_on.isoformat(),
            "window_last_day": _iso(self.window_last_day),
            "applies": self.applies,
            "current": self.current.as_dict(),
            "new": self.new.as_dict(),
            "comparisons": [c.as_dict() for c in self.comparisons],
            "deal_terms_changes": {k: str(v) for k, v in self.deal_terms_changes.items()},
            "warrant_changes": {
                k: (v if isinstance(v, int | str) else str(v)) for k, v in self.warrant_changes.items()
            },
            "clause": self.clause,
        }


def price_protection(
    *,
    new: NewTransactionTerms,
    consummated_on: date,
    effective_date: date | None,
    warrant_exercise_price: Decimal,
    warrant_shares: int,
    purchase_price: Decimal,
    terms: DealTerms = NHTC_DEFAULTS,
) -> PriceProtection:
    """SPA 4(j)(v): a New Transaction consummated before 240 days after the
    Effective Date on (x) a lower percentage of market price or a lower Fixed
    Price than the Series J, or (y) warrants at a lower exercise price or for
    more shares per dollar, brings the Series J and the Warrants (issued,
    converted or not) down to those terms.

    Current terms: ``preferred_discount_pct`` and ``preferred_fixed_price`` from
    DealTerms; the Buyer's Warrants (``warrant_exercise_price``,
    ``warrant_shares`` for ``purchase_price``). Returns the DealTerms field
    changes and the warrant changes; more warrant shares come with the New
    Transaction warrants' exercise price formula (the proviso).
    """
    if warrant_exercise_price <= 0 or purchase_price <= 0 or warrant_shares < 0:
        raise InvalidInput("Warrant price and purchase price must be positive, warrant shares not negative.")
    for name in ("market_price_pct", "fixed_price", "warrant_exercise_price", "warrant_shares_per_dollar"):
        v = getattr(new, name)
        if v is not None and v <= 0:
            raise InvalidInput(f"New Transaction {name} must be positive.")
    current = NewTransactionTerms(
        market_price_pct=terms.preferred_discount_pct,
        fixed_price=terms.preferred_fixed_price,
        warrant_exercise_price=Decimal(warrant_exercise_price),
        warrant_shares_per_dollar=Decimal(warrant_shares) / Decimal(purchase_price),
    )
    comparisons = compare_terms(current, new)
    last = rofr_last_day(effective_date, terms)
    applies = last is None or consummated_on <= last
    better = {c.respect for c in comparisons if c.new_is_better} if applies else set()
    deal_changes: dict = {}
    warrant_changes: dict = {}
    if Respect.MARKET_PRICE_PCT in better:
        deal_changes["preferred_discount_pct"] = new.market_price_pct
    if Respect.FIXED_PRICE in better:
        deal_changes["preferred_fixed_price"] = new.fixed_price
    if Respect.WARRANT_EXERCISE_PRICE in better:
        warrant_changes["exercise_price"] = new.warrant_exercise_price
    if Respect.WARRANT_SHARES_PER_DOLLAR in better:
        shares = to_shares(new.warrant_shares_per_dollar * Decimal(purchase_price), ShareRounding.DOWN)
        warrant_changes["shares"] = shares
        warrant_changes["additional_shares"] = shares - warrant_shares
        warrant_changes["additional_shares_exercise_price"] = (
            "the New Transaction warrants' exercise price formula"
        )
    return PriceProtection(
        consummated_on=consummated_on,
        window_last_day=last,
        applies=applies,
        current=current,
        new=new,
        comparisons=comparisons,
        deal_terms_changes=deal_changes,
        warrant_changes=warrant_changes,
    )


# --- SPA 4(j)(v): "(whether previously issued and/or converted or not)" -------------------------


@dataclass(frozen=True)
class PastConversionCatchUp:
    """SPA 4(j)(v): a Series J conversion made before the New Transaction, priced again on the
    modified terms; ``additional_shares`` is what the holder is owed (0 when the new terms give
    no more shares)."""

    amount: Decimal
    market_average: Decimal
    price_before: Decimal
    shares_before: int
    price_after: Decimal
    shares_after: int
    additional_shares: int
    clause: str = "SPA 4(j)(v)"

    def as_dict(self) -> dict:
        return {
            "amount": str(self.amount),
            "market_average": str(self.market_average),
            "price_before": str(self.price_before),
            "shares_before": self.shares_before,
            "price_after": str(self.price_after),
            "shares_after": self.shares_after,
            "additional_shares": self.additional_shares,
            "clause": self.clause,
        }


def past_conversion_catch_up(
    *,
    amount: Decimal,
    market_average: Decimal,
    price_before: Decimal,
    shares_before: int,
    new_discount_pct: Decimal,
    new_fixed_price: Decimal,
    rounding: ShareRounding = ShareRounding.HALF_UP,
) -> PastConversionCatchUp:
    """SPA 4(j)(v): the Conversion Rate and Fixed Price are modified "whether previously ... converted
    or not": the converted amount is priced again at the lesser of the new Fixed Price and the new
    percentage of the Market Price the conversion used (its exact average), and the holder is owed the
    shares beyond those it received (never fewer: the clause only reduces prices)."""
    if amount <= 0 or market_average <= 0 or new_fixed_price <= 0 or new_discount_pct <= 0:
        raise InvalidInput("Amount, Market Price, Fixed Price and percentage must be positive.")
    price_after = min(new_fixed_price, new_discount_pct * market_average / Decimal(100), price_before)
    shares_after = to_shares(amount / price_after, rounding)
    return PastConversionCatchUp(
        amount, market_average, price_before, shares_before, price_after, shares_after, max(0, shares_after - shares_before)
    )


@dataclass(frozen=True)
class PastExerciseCatchUp:
    """SPA 4(j)(v): a Warrant exercised before the New Transaction at a higher exercise price; the
    holder is owed the price difference on the shares it bought."""

    shares: int
    price_paid: Decimal
    new_price: Decimal
    amount_owed: Decimal
    clause: str = "SPA 4(j)(v)"

    def as_dict(self) -> dict:
        return {"shares": self.shares, "price_paid": str(self.price_paid), "new_price": str(self.new_price),
                "amount_owed": str(self.amount_owed), "clause": self.clause}


def past_exercise_catch_up(*, shares: int, price_paid: Decimal, new_price: Decimal) -> PastExerciseCatchUp:
    """SPA 4(j)(v): the Warrant exercise price is reduced "whether previously issued and/or converted
    or not"; for shares already bought the reduction is repaid in cash: (price paid - new price) x
    shares, to the cent (half up); nothing when the new price is not lower."""
    if shares <= 0 or price_paid <= 0 or new_price <= 0:
        raise InvalidInput("Shares and prices must be positive.")
    owed = ((price_paid - new_price) * shares).quantize(CENT, rounding=ROUND_HALF_UP) if new_price < price_paid else Decimal(0)
    return PastExerciseCatchUp(shares, price_paid, new_price, owed)
