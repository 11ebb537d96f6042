"""RRA 3(h): Permitted Suspension Periods.

After effectiveness the Company may stop the Investors selling while a
Potential Material Event is undisclosed, but only within a Permitted
Suspension Period: at most two suspension periods in any consecutive 12
months, none longer than 20 days, none beginning less than 10 business days
after the last day of the preceding suspension (permitted or not), and -- if
lawful -- at least 2 business days' notice of the existence of the event.

A suspension day that breaks a rule is a day of restriction outside a
Permitted Suspension Period: RRA 2(b)(ii) makes the first such day a
Restricted Sale Date and Periodic Amounts run (see registration.py).

Model (docs/interpretations.md, "RRA 3(h)"): a period is ``start..end``,
both days included. The two rules about when a period may *begin* are judged
on the period as a whole: a period that begins while two suspension periods
already fall in the consecutive 12 months ending on its first day (a third
period), or fewer than 10 business days after the last day of the preceding
suspension, is not a Permitted Suspension Period for any of its days. The
length rule and the notice proviso are judged day by day: days after the 20th
counted from the start, and days before the 2nd business day after the
notice, are not permitted. The day-by-day rulings remain the explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from .calendars import add_business_days
from .errors import InvalidInput
from .misc import add_months
from .params import NHTC_DEFAULTS, DealTerms


class SuspensionRule(str, Enum):
    MAX_PER_12_MONTHS = "max_per_12_months"
    MAX_LENGTH = "max_length"
    GAP = "gap"
    NOTICE = "notice"

    def describe(self, terms: DealTerms = NHTC_DEFAULTS) -> str:
        return {
            SuspensionRule.MAX_PER_12_MONTHS: (
                f"RRA 3(h): at most {terms.suspension_max_per_12_months} suspension periods "
                "in any consecutive 12-month period"
            ),
            SuspensionRule.MAX_LENGTH: (
                f"RRA 3(h)(i): a suspension period may not exceed {terms.suspension_max_days} days"
            ),
            SuspensionRule.GAP: (
                f"RRA 3(h)(ii): a suspension may not begin less than {terms.suspension_gap_business_days} "
                "business days after the last day of the preceding suspension"
            ),
            SuspensionRule.NOTICE: (
                f"RRA 3(h) proviso: at least {terms.suspension_notice_business_days} business days' notice "
                "of the existence of a Potential Material Event"
            ),
        }[self]


@dataclass(frozen=True)
class SuspensionPeriod:
    """A suspension of sales from ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise InvalidInput(
                f"Suspension ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})."
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


@dataclass(frozen=True)
class Breach:
    """One rule the proposed period breaks and the days it costs."""

    rule: SuspensionRule
    first_day: date
    last_day: date
    message: str

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.value,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "days": self.days,
            "message": self.message,
        }


@dataclass(frozen=True)
class DayRuling:
    day: date
    rules: tuple[SuspensionRule, ...]

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "rules": [r.value for r in self.rules]}


@dataclass(frozen=True)
class SuspensionVerdict:
    """RRA 3(h) verdict on a proposed suspension: which days are not permitted and why."""

    proposed: SuspensionPeriod
    notice_given_on: date | None
    notice_required: bool
    earliest_start_by_gap: date | None
    earliest_start_by_notice: date | None
    earliest_start_by_count: date | None
    last_day_by_length: date
    permitted_from: date | None
    permitted_through: date | None
    not_permitted: tuple[DayRuling, ...]
    breaches: tuple[Breach, ...]
    clause: str = "RRA 3(h)"

    @property
    def permitted(self) -> bool:
        """Every day of the proposed period is within a Permitted Suspension Period."""
        return not self.not_permitted

    @property
    def not_permitted_days(self) -> tuple[date, ...]:
        return tuple(r.day for r in self.not_permitted)

    @property
    def restricted_spans(self) -> tuple[tuple[date, date], ...]:
        """Runs of consecutive not-permitted days; each run's first day is a
        Restricted Sale Date (RRA 2(b)(ii))."""
        spans: list[tuple[date, date]] = []
        for d in self.not_permitted_days:
            if spans and spans[-1][1] + timedelta(days=1) == d:
                spans[-1] = (spans[-1][0], d)
            else:
                spans.append((d, d))
        return tuple(spans)

    def as_dict(self) -> dict:
        def iso(d):
            return d.isoformat() if d else None

        return {
            "proposed": self.proposed.as_dict(),
            "notice_given_on": iso(self.notice_given_on),
            "notice_required": self.notice_required,
            "earliest_start_by_gap": iso(self.earliest_start_by_gap),
            "earliest_start_by_notice": iso(self.earliest_start_by_notice),
            "earliest_start_by_count": iso(self.earliest_start_by_count),
            "last_day_by_length": self.last_day_by_length.isoformat(),
            "permitted": self.permitted,
            "permitted_from": iso(self.permitted_from),
            "permitted_through": iso(self.permitted_through),
            "not_permitted": [r.as_dict() for r in self.not_permitted],
            "restricted_spans": [[a.isoformat(), b.isoformat()] for a, b in self.restricted_spans],
            "breaches": [b.as_dict() for b in self.breaches],
            "clause": self.clause,
        }


def _periods_in_window(existing: Sequence[SuspensionPeriod], d: date) -> int:
    # The consecutive 12-month period ending on d begins the day after the
    # date 12 months before d; an earlier period counts if it ends inside it.
    window_start = add_months(d, -12) + timedelta(days=1)
    return sum(1 for p in existing if p.end >= window_start)


def judge_suspension(
    *,
    proposed: SuspensionPeriod,
    existing: Sequence[SuspensionPeriod] = (),
    notice_given_on: date | None,
    notice_required: bool = True,
    terms: DealTerms = NHTC_DEFAULTS,
) -> SuspensionVerdict:
    """RRA 3(h): judge a proposed suspension against the earlier ones.

    ``existing``: earlier suspensions (permitted or not), each ending before
    the proposed one starts. ``notice_given_on``: when the Company told the
    Investors a Potential Material Event exists (None: no notice);
    ``notice_required=False`` when such notice would have been unlawful
    (the proviso applies "if lawful to do so").
    """
    earlier = sorted(existing, key=lambda p: p.start)
    for a, b in zip(earlier, earlier[1:], strict=False):
        if b.start <= a.end:
            raise InvalidInput(
                f"Existing suspensions overlap: {a.start.isoformat()} and {b.start.isoformat()}."
            )
    if earlier and earlier[-1].end >= proposed.start:
        raise InvalidInput(
            "Existing suspensions must end before the proposed one starts "
            f"(one ends {earlier[-1].end.isoformat()}, proposed starts {proposed.start.isoformat()})."
        )

    last_by_length = proposed.start + timedelta(days=terms.suspension_max_days - 1)
    gap_start = add_business_days(earlier[-1].end, terms.suspension_gap_business_days) if earlier else None
    if not notice_required:
        notice_start = None
    elif notice_given_on is None:
        notice_start = date.max
    else:
        notice_start = add_business_days(notice_given_on, terms.suspension_notice_business_days)

    # RRA 3(h): "up to two suspension periods during any consecutive 12-month period, each of
    # which ... shall not ... (ii) begin less than ten (10) business days after the last day of
    # the preceding suspension" -- both judged at the period's beginning, for the whole period.
    third_period = _periods_in_window(earlier, proposed.start) >= terms.suspension_max_per_12_months
    too_soon = gap_start is not None and proposed.start < gap_start

    rulings: list[DayRuling] = []
    d = proposed.start
    while d <= proposed.end:
        rules = []
        if third_period:
            rules.append(SuspensionRule.MAX_PER_12_MONTHS)
        if d > last_by_length:
            rules.append(SuspensionRule.MAX_LENGTH)
        if too_soon:
            rules.append(SuspensionRule.GAP)
        if notice_start is not None and d < notice_start:
            rules.append(SuspensionRule.NOTICE)
        if rules:
            rulings.append(DayRuling(d, tuple(rules)))
        d += timedelta(days=1)
    count_start = _first_day_count_allows(earlier, proposed.start, terms)

    bad = {r.day for r in rulings}
    ok_days = [proposed.start + timedelta(days=i) for i in range(proposed.days)]
    ok_days = [x for x in ok_days if x not in bad]

    breaches = []
    for rule in SuspensionRule:
        days = [r.day for r in rulings if rule in r.rules]
        if days:
            breaches.append(
                Breach(rule, days[0], days[-1], _message(rule, days, earlier, notice_given_on, terms))
            )
    return SuspensionVerdict(
        proposed=proposed,
        notice_given_on=notice_given_on,
        notice_required=notice_required,
        earliest_start_by_gap=gap_start,
        earliest_start_by_notice=notice_start if notice_start not in (None, date.max) else None,
        earliest_start_by_count=count_start,
        last_day_by_length=last_by_length,
        permitted_from=ok_days[0] if ok_days else None,
        permitted_through=ok_days[-1] if ok_days else None,
        not_permitted=tuple(rulings),
        breaches=tuple(breaches),
    )


def _first_day_count_allows(
    earlier: Sequence[SuspensionPeriod], start: date, terms: DealTerms
) -> date | None:
    """The first day from ``start`` on that the 12-month count allows; None if ``start`` itself does."""
    d = start
    while _periods_in_window(earlier, d) >= terms.suspension_max_per_12_months:
        d += timedelta(days=1)
    return None if d == start else d


def _message(
    rule: SuspensionRule,
    days: list[date],
    earlier: Sequence[SuspensionPeriod],
    notice_given_on: date | None,
    terms: DealTerms,
) -> str:
    span = f"{days[0].isoformat()}..{days[-1].isoformat()} ({len(days)} day(s))"
    text = rule.describe(terms)
    if rule is SuspensionRule.MAX_PER_12_MONTHS:
        window = [p for p in earlier if p.end >= add_months(days[0], -12) + timedelta(days=1)]
        listed = ", ".join(f"{p.start.isoformat()}..{p.end.isoformat()}" for p in window)
        return (
            f"{text}; already in the 12 months ending {days[0].isoformat()}: {listed}, so this is a third "
            f"period and none of its days is a Permitted Suspension Period; a period beginning on or after "
            f"{_first_day_count_allows(earlier, days[0], terms).isoformat()} would not be. Not permitted: {span}."
        )
    if rule is SuspensionRule.MAX_LENGTH:
        return f"{text}; days beyond the {terms.suspension_max_days}th are not permitted: {span}."
    if rule is SuspensionRule.GAP:
        prev = earlier[-1].end
        return (
            f"{text}; the preceding suspension ended {prev.isoformat()}, so a period may begin on or after "
            f"{add_business_days(prev, terms.suspension_gap_business_days).isoformat()}; this one begins "
            f"earlier and none of its days is a Permitted Suspension Period. Not permitted: {span}."
        )
    if notice_given_on is None:
        return f"{text}; no notice was given. Not permitted: {span}."
    return (
        f"{text}; notice given {notice_given_on.isoformat()}, so the earliest start is "
        f"{add_business_days(notice_given_on, terms.suspension_notice_business_days).isoformat()}. "
        f"Not permitted: {span}."
    )
