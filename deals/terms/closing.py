"""Closing: escrow deadline, conditions, Closing Date, debenture denominations (pure Python).

- SPA 1(d): the Buyer deposits the Purchase Price with the Escrow Agent "not later than
  5:00 p.m., New York time, on the date which is three (3) NYSE trading days after the
  Company shall have accepted this Agreement" -> ``escrow_deposit_deadline``.
- SPA 6(a): "The Closing Date shall occur on the date which is the first NYSE trading day
  after each of the conditions contemplated by Sections 7 and 8 hereof shall have either
  been satisfied or been waived by the party in whose favor such conditions run"
  -> ``closing_date_for`` (strictly after the day the last condition was met).
- SPA 7 (Company's conditions) and SPA 8 (Buyer's conditions): the checklist items are the
  clause texts below, kept as data (``CONDITIONS``), never typed by users.
- Debenture 1: denominations of US$100,000 and integral multiples; exchangeable for an
  equal aggregate principal amount -> ``check_denomination``, ``check_exchange``.
- Debenture (face): principal and interest paid on the Maturity Date to the registered
  holder "as of the tenth day prior to the Maturity Date" -> ``maturity_record_date``.
- Debenture 4(A): half convertible 90 days after the Closing, the balance after 120 days
  -> ``debenture_convertibility``.
- SPA 2(b)(iv): one-year Restricted Period (Distribution Compliance Period) from the later
  of first offer and final closing -> ``restricted_period_end``.
- SPA 4(b) and the Debenture face: the legend texts are deal terms of each financing
  (``params.DealTerms.preferred_legend_text`` / ``debenture_legend_text``, default the
  agreements' text ``params.SPA_LEGEND`` / ``params.DEBENTURE_LEGEND``).

No Django imports: dates come in, small frozen dataclasses with their working go out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendars import add_trading_days, is_trading_day
from .errors import InvalidInput
from .warrants import anniversary

CLAUSE_ESCROW = "SPA 1(d)"
CLAUSE_CLOSING_DATE = "SPA 6(a)"
CLAUSE_DENOMINATION = "Debenture 1"
CLAUSE_RECORD_DATE = "Debenture (face: holder of record on the tenth day before the Maturity Date)"
CLAUSE_RESTRICTED = "SPA 2(b)(iv)"

ESCROW_TRADING_DAYS = 3  # SPA 1(d)
DENOMINATION = Decimal("100000")  # Debenture 1
MATURITY_RECORD_DAYS = 10  # Debenture face: "as of the tenth day prior to the Maturity Date"

# --- SPA 7 and SPA 8 conditions, as data ---------------------------------------------------

COMPANY = "company"  # SPA 7: conditions to the Company's obligation to sell; run in the Company's favour
BUYER = "buyer"  # SPA 8: conditions to the Buyer's obligation to purchase; run in the Buyer's favour


@dataclass(frozen=True, slots=True)
class Condition:
    code: str  # "7(a)"
    clause: str  # "SPA 7(a)"
    in_favour_of: str  # COMPANY (SPA 7) or BUYER (SPA 8)
    text: str


CONDITIONS: tuple[Condition, ...] = (
    Condition("7(a)", "SPA 7(a)", COMPANY, "The Buyer's execution and delivery of this Agreement and the other "
              "Transaction Agreements contemplated to be signed by the Buyer."),
    Condition("7(b)", "SPA 7(b)", COMPANY, "Delivery by the Buyer to the Escrow Agent of good funds as payment in "
              "full of an amount equal to the Purchase Price for the Preferred Stock in accordance with this "
              "Agreement."),
    Condition("7(c)", "SPA 7(c)", COMPANY, "The accuracy on the Closing Date of the representations and warranties "
              "of the Buyer contained in this Agreement, each as if made on such date, and the performance by the "
              "Buyer on or before such date of all covenants and agreements of the Buyer required to be performed "
              "on or before such date."),
    Condition("7(d)", "SPA 7(d)", COMPANY, "There shall not be in effect any law, rule or regulation prohibiting or "
              "restricting the transactions contemplated hereby or requiring any consent or approval which shall "
              "not have been obtained."),
    Condition("7(e)", "SPA 7(e)", COMPANY, "From and after the date hereof to and including the Closing Date, the "
              "trading of the Common Stock shall not have been suspended by the SEC or the NASD and trading in "
              "securities generally on The NASDAQ/SmallCap Market shall not have been suspended or limited, nor "
              "shall minimum prices been established for securities traded on The NASDAQ/SmallCap Market, nor "
              "shall there be any outbreak or escalation of hostilities involving the United States or any "
              "material adverse change in any financial market that in either case in the reasonable judgment of "
              "the Company makes it impracticable or inadvisable to sell the Preferred Stock."),
    Condition("8(a)", "SPA 8(a)", BUYER, "The adoption of the Certificate of Designations by all necessary "
              "corporate action of the Company and the filing of all filings necessary to effectuate the "
              "Certificate of Designations as a part of the charter documents of the Company."),
    Condition("8(b)", "SPA 8(b)", BUYER, "The execution and delivery of this Agreement and the Registration Rights "
              "Agreement by the Company."),
    Condition("8(c)", "SPA 8(c)", BUYER, "Delivery by the Company to the Escrow Agent of the Certificates in "
              "accordance with this Agreement."),
    Condition("8(d)", "SPA 8(d)", BUYER, "The accuracy in all material respects on the Closing Date of the "
              "representations and warranties of the Company contained in this Agreement, each as if made on such "
              "date, and the performance by the Company on or before such date of all covenants and agreements of "
              "the Company required to be performed on or before such date."),
    Condition("8(e)", "SPA 8(e)", BUYER, "On the Closing Date, the Registration Rights Agreement shall be in full "
              "force and effect and the Company shall not be in default thereunder."),
    Condition("8(f)", "SPA 8(f)", BUYER, "On the Closing Date, the Buyer shall have received an opinion of counsel "
              "for the Company, dated such Closing Date, in form, scope and substance reasonably satisfactory to "
              "the Buyer, substantially to the effect set forth in Annex III attached hereto."),
    Condition("8(g)", "SPA 8(g)", BUYER, "There shall not be in effect any law, rule or regulation prohibiting or "
              "restricting the transactions contemplated hereby or requiring any consent or approval which shall "
              "not have been obtained."),
    Condition("8(h)", "SPA 8(h)", BUYER, "From and after the date hereof to and including the Closing Date, the "
              "trading of the Common Stock shall not have been suspended by the SEC or the NASD and trading in "
              "securities generally on The NASDAQ/SmallCap Market shall not have been suspended or limited, nor "
              "shall minimum prices been established for securities traded on The NASDAQ/SmallCap Market, nor "
              "shall there be any outbreak or escalation of hostilities involving the United States or any "
              "material adverse change in any financial market that in either case in the reasonable judgment of "
              "the Buyer makes it impracticable or inadvisable to purchase the Preferred Stock."),
)

CONDITIONS_BY_CODE = {c.code: c for c in CONDITIONS}


def condition(code: str) -> Condition:
    try:
        return CONDITIONS_BY_CODE[code]
    except KeyError:
        raise InvalidInput(f"No condition {code!r} in SPA 7 or SPA 8.") from None


# --- SPA 1(d): escrow deposit ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscrowDeadline:
    acceptance_date: date
    trading_days: int
    due: date  # by 5:00 p.m. New York time on this day
    clause: str = CLAUSE_ESCROW

    def as_dict(self) -> dict:
        return {
            "acceptance_date": self.acceptance_date.isoformat(),
            "trading_days": self.trading_days,
            "due": self.due.isoformat(),
            "cutoff": "5:00 p.m. New York time",
            "clause": self.clause,
        }


def escrow_deposit_deadline(acceptance_date: date, trading_days: int = ESCROW_TRADING_DAYS) -> EscrowDeadline:
    """SPA 1(d): the third NYSE trading day after the Company accepted the Agreement (the day of
    acceptance never counts, even when it is a trading day)."""
    return EscrowDeadline(acceptance_date, trading_days, add_trading_days(acceptance_date, trading_days))


def deposit_is_late(deadline: EscrowDeadline, deposited_on: date) -> bool:
    """SPA 1(d): a deposit on the due day is in time (the 5:00 p.m. cut-off is checked by the clerk)."""
    return deposited_on > deadline.due


# --- SPA 6(a): the Closing Date ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConditionState:
    code: str
    met_on: date | None  # satisfied or waived on this date; None = still open


@dataclass(frozen=True, slots=True)
class ClosingDateResult:
    closing_date: date | None
    last_condition_met_on: date | None
    missing: tuple[str, ...]  # clause references still open, in agreement order
    clause: str = CLAUSE_CLOSING_DATE

    @property
    def computable(self) -> bool:
        return self.closing_date is not None

    def as_dict(self) -> dict:
        return {
            "closing_date": self.closing_date.isoformat() if self.closing_date else None,
            "last_condition_met_on": self.last_condition_met_on.isoformat() if self.last_condition_met_on else None,
            "missing": list(self.missing),
            "clause": self.clause,
        }


def closing_date_for(states: Iterable[ConditionState]) -> ClosingDateResult:
    """SPA 6(a): the first NYSE trading day after every SPA 7 and SPA 8 condition has been
    satisfied or waived. All conditions must be present in ``states``; any open one (or one not
    given) leaves the Closing Date undetermined and is listed in ``missing``."""
    by_code = {s.code: s for s in states}
    unknown = sorted(set(by_code) - set(CONDITIONS_BY_CODE))
    if unknown:
        raise InvalidInput(f"Unknown condition(s) {', '.join(unknown)}; SPA 7 and 8 list {len(CONDITIONS)}.")
    missing = tuple(c.clause for c in CONDITIONS if by_code.get(c.code) is None or by_code[c.code].met_on is None)
    met = [s.met_on for s in by_code.values() if s.met_on is not None]
    last = max(met) if met else None
    if missing:
        return ClosingDateResult(None, last, missing)
    return ClosingDateResult(add_trading_days(last, 1), last, ())


def check_closing_on(closing: ClosingDateResult, day: date) -> None:
    """A closing may be recorded only on the computed Closing Date or later (SPA 6(a)); never
    with a condition open."""
    if not closing.computable:
        raise InvalidInput(
            f"The closing cannot be recorded: {', '.join(closing.missing)} still open (SPA 6(a): every condition "
            "of SPA 7 and SPA 8 must be satisfied or waived first)."
        )
    if day < closing.closing_date:
        raise InvalidInput(
            f"The Closing Date is {closing.closing_date.isoformat()} (SPA 6(a): the first NYSE trading day after "
            f"the last condition was met on {closing.last_condition_met_on.isoformat()}); it cannot be recorded "
            f"on {day.isoformat()}."
        )


# --- Debenture 1: denominations ------------------------------------------------------------


def check_denomination(amount: Decimal, *, what: str = "A Debenture") -> None:
    """Debenture 1: US$100,000 and integral multiples."""
    if amount <= 0 or amount % DENOMINATION != 0:
        raise InvalidInput(
            f"{what} of ${Decimal(amount):,.2f} is not a multiple of $100,000 (Debenture 1: the Debentures are "
            "issuable in denominations of US$100,000 and integral multiples thereof)."
        )


def check_exchange(outstanding: Decimal, denominations: Iterable[Decimal]) -> tuple[Decimal, ...]:
    """Debenture 1: a Debenture is exchangeable for an equal aggregate principal amount of
    Debentures of authorized denominations. Returns the denominations, each checked."""
    parts = tuple(Decimal(d) for d in denominations)
    if len(parts) < 1:
        raise InvalidInput("Give at least one denomination (Debenture 1).")
    for p in parts:
        check_denomination(p, what="A denomination")
    total = sum(parts, Decimal("0"))
    if total != outstanding:
        raise InvalidInput(
            f"The new denominations total ${total:,.2f} but the Debenture surrendered has ${Decimal(outstanding):,.2f} "
            "outstanding (Debenture 1: an equal aggregate principal amount)."
        )
    return parts


def split_principal(principal: Decimal, *, parts: int | None = None) -> tuple[Decimal, ...]:
    """One buyer's principal as D-number face amounts: a single Debenture unless ``parts`` asks
    for a split into equal $100,000 multiples (Debenture 1)."""
    check_denomination(principal, what="A subscription")
    if not parts or parts == 1:
        return (Decimal(principal),)
    units = int(principal / DENOMINATION)
    if parts < 1 or parts > units:
        raise InvalidInput(f"${principal:,.2f} cannot be split into {parts} Debentures of at least $100,000.")
    base, extra = divmod(units, parts)
    return tuple(DENOMINATION * (base + (1 if i < extra else 0)) for i in range(parts))


# --- Debenture 4(A) convertibility and the maturity record date ---------------------------


@dataclass(frozen=True, slots=True)
class Convertibility:
    closing_date: date
    first_tranche_from: date
    first_tranche_pct: Decimal
    full_from: date
    clause: str = "Debenture 4(A)"

    def as_dict(self) -> dict:
        return {
            "closing_date": self.closing_date.isoformat(),
            "first_tranche_from": self.first_tranche_from.isoformat(),
            "first_tranche_pct": str(self.first_tranche_pct),
            "full_from": self.full_from.isoformat(),
            "clause": self.clause,
        }


def debenture_convertibility(
    closing_date: date, *, first_days: int = 90, first_pct: Decimal = Decimal("50"), full_days: int = 120
) -> Convertibility:
    """Debenture 4(A): one-half convertible from 90 days after the Closing, the balance from 120
    days (calendar days), or all from the registration statement's effective date if earlier."""
    return Convertibility(
        closing_date, closing_date + timedelta(days=first_days), first_pct, closing_date + timedelta(days=full_days)
    )


def maturity_record_date(maturity_date: date, days: int = MATURITY_RECORD_DAYS) -> date:
    """Debenture face: principal and interest go to the registered holder as of the tenth
    (calendar) day prior to the Maturity Date (March 31, 2000 -> March 21, 2000)."""
    return maturity_date - timedelta(days=days)


# --- SPA 2(b)(iv): Regulation S restricted period -------------------------------------------


@dataclass(frozen=True, slots=True)
class RestrictedPeriod:
    starts: date
    ends: date  # last day inside the period
    free_from: date  # first day outside it
    years: int
    clause: str = CLAUSE_RESTRICTED

    def contains(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    def as_dict(self) -> dict:
        return {
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "free_from": self.free_from.isoformat(),
            "years": self.years,
            "clause": self.clause,
        }


def restricted_period_end(
    *, final_closing_date: date, first_offered_on: date | None = None, years: int = 1
) -> RestrictedPeriod:
    """SPA 2(b)(iv): the one-year Distribution Compliance Period commences on the later of (A) the
    first offer to persons other than Distributors and (B) the final closing of the Offering; it
    ends the day before the anniversary of its start, so the anniversary is the first free day."""
    if years < 0:
        raise InvalidInput("The restricted period cannot be negative.")
    start = max(final_closing_date, first_offered_on) if first_offered_on else final_closing_date
    free = anniversary(start, years)
    return RestrictedPeriod(start, free - timedelta(days=1), free, years)


def next_trading_day_on_or_after(d: date) -> date:
    """``d`` if the NYSE is open that day, else the next trading day."""
    return d if is_trading_day(d) else add_trading_days(d, 1)
