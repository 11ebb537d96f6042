"""What every sweep rule shares: the run's context, statistics, helpers and the registration facts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from deals.models import (
    CapRemedy,
    Conversion,
    Debenture,
    EventOfDefault,
    Financing,
    IndemnificationClaim,
    Issuer,
    NewTransactionOffer,
    Obligation,
    ObligationKind,
    ObligationStatus,
    OfferResponse,
    PreferredHolding,
    Redemption,
    RegistrationAmendment,
    RegistrationStatement,
    SuspensionPeriod,
    SweepRun,
    Warrant,
)
from deals.selectors.terms import TermsBook
from deals.services.ledger import rows as build
from deals.services.ledger.writer import WORKING_STATUSES, Row, rows_write
from deals.terms.params import DealTerms
from deals.terms.suspensions import SuspensionPeriod as TermsSuspension
from deals.terms.suspensions import judge_suspension
from nhtc.formatting import money as _money  # noqa: F401 -- the one money formatter (the rules import it from here)

CHUNK = 20_000  # source rows per chunk (conversions); each chunk costs a fixed 2 queries
# Closed records are re-evaluated this long after they closed, so a delivery or
# payment recorded with a past date still updates its ledger rows.
CLOSED_LOOKBACK = datetime.timedelta(days=120)
# A run still "running" after this long is taken as abandoned (killed worker).
STALE_RUN_AFTER = datetime.timedelta(hours=1)
OPEN, SATISFIED, WAIVED, VOID = (
    ObligationStatus.OPEN.value,
    ObligationStatus.SATISFIED.value,
    ObligationStatus.WAIVED.value,
    ObligationStatus.VOID.value,
)
K = ObligationKind


@dataclass
class RuleStats:
    rows: int = 0  # ledger rows the rule computed
    read: int = 0  # source records the rule read to compute them (what a quiet day should keep small)
    created: int = 0
    updated: int = 0
    voided: int = 0
    records_changed: int = 0  # source records the rule changed (expired warrants, void redemptions)
    queries: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what the rule could not compute, and why

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.voided + self.records_changed

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "voided": self.voided,
            "records_changed": self.records_changed,
            "queries": self.queries,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
        }


class Context:
    """What every rule shares within one run: the as-of date, the clock, the
    deal terms asked for (``TermsBook``: one query per run) and content types."""

    def __init__(self, as_of: datetime.date, *, user_id: int | None = None, reason: str = ""):
        self.as_of = as_of
        self.now = timezone.now()
        self.user_id = user_id  # who started the run (history rows name them)
        self.reason = reason or f"sweep as of {as_of.isoformat()}"
        self._book: TermsBook | None = None
        self._ct: dict[type, int] = {}

    @property
    def book(self) -> TermsBook:
        if self._book is None:
            self._book = TermsBook()
        return self._book

    def terms(self, version_id: int) -> DealTerms:
        """The terms of the version a record was priced under (its ``terms_version``)."""
        return self.book.version(version_id).terms

    def terms_in_force(self, *, financing: int, day: datetime.date) -> DealTerms:
        """``deals.selectors.terms`` for the financing and day (the same rule as
        ``terms_in_force``). Raises ``TermsUnavailable``: rules note it and skip the record."""
        return self.book.in_force(financing=financing, day=day).terms

    def version_on(self, *, financing: int, day: datetime.date) -> tuple[int, DealTerms]:
        """(version id, terms) of the financing in force on ``day``; raises ``TermsUnavailable``."""
        tif = self.book.in_force(financing=financing, day=day)
        return tif.version.pk, tif.terms

    def previous_sweep(self, rule: str) -> tuple[datetime.date, datetime.datetime] | None:
        """(as_of, started_at) of the last sweep run that succeeded, as of this date or before, and
        ran ``rule``: what the rule may take as done (issue 17: only what moved since is read --
        records changed after that run started, and dates reached after its as-of date).
        None (no such run: the first sweep, a rule run on its own): read everything."""
        return (
            SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED, as_of__lte=self.as_of, stats__rules__has_key=rule)
            .order_by("-started_at").values_list("as_of", "started_at").first()
        )

    def ct(self, model) -> int:
        if not self._ct:
            models = [
                Conversion, Financing, RegistrationStatement, RegistrationAmendment, SuspensionPeriod, PreferredHolding,
                OfferResponse, NewTransactionOffer, Warrant, Debenture, Redemption, EventOfDefault, CapRemedy, Issuer,
                IndemnificationClaim,
            ]
            self._ct = {m: c.pk for m, c in ContentType.objects.get_for_models(*models).items()}
        if model not in self._ct:
            self._ct[model] = ContentType.objects.get_for_model(model).pk
        return self._ct[model]


def row_of(ctx: Context, model, kind: str) -> QuerySet:
    """The ledger row of ``kind`` of the outer record (``OuterRef("pk")``, a ``model``), for
    ``read_needed``."""
    return Obligation.objects.filter(content_type_id=ctx.ct(model), object_id=OuterRef("pk"), kind=kind, period_key="")


def read_needed(records: QuerySet, row: QuerySet, current: QuerySet) -> QuerySet:
    """``records`` less those whose ledger row (``row_of``) is ``current`` (a filter of ``row``: what
    the builder would write again today) or closed -- the writer never rewrites a closed row, so
    reading its record again changes nothing (issue 17: a rule reads only what can change)."""
    return records.exclude(Exists(current)).exclude(Exists(row.exclude(status__in=WORKING_STATUSES)))


def _write(ctx: Context, stats: RuleStats, by_ct: dict[int, list[Row]]) -> None:
    for ct_id, rows in by_ct.items():
        c, u = rows_write(ct_id, rows, ctx)
        stats.rows += len(rows)
        stats.created += c
        stats.updated += u


_milestone = build.milestone


def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d else None




def _chunks(qs, fields: tuple[str, ...]):
    """Yield lists of value tuples (id first) in id order, CHUNK rows at a time."""
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:CHUNK])
        if batch:
            yield batch
        if len(batch) < CHUNK:
            return
        last = batch[-1][0]


# --- rules 3-5 share the registration facts ------------------------------------------------


@dataclass
class _Registration:
    financing: Financing
    statement: RegistrationStatement | None
    amendments: list[RegistrationAmendment]
    suspensions: list[SuspensionPeriod]


def _registrations() -> list[_Registration]:
    """Series J financings with their primary statement, amendments and suspensions (4 queries; no
    rule reads the holdings from here -- 10,000 model instances at scale cost seconds a day)."""
    financings = list(Financing.objects.filter(kind=Financing.Kind.SERIES_J, initial_closing_date__isnull=False).order_by("id"))
    ids = [f.pk for f in financings]
    statements: dict[int, RegistrationStatement] = {}
    for s in RegistrationStatement.objects.filter(financing_id__in=ids).order_by("id"):
        statements.setdefault(s.financing_id, s)
    sids = [s.pk for s in statements.values()]
    amendments = defaultdict(list)
    for a in RegistrationAmendment.objects.filter(statement_id__in=sids).order_by("id"):
        amendments[a.statement_id].append(a)
    suspensions = defaultdict(list)
    for s in SuspensionPeriod.objects.filter(statement_id__in=sids).order_by("start_date", "id"):
        suspensions[s.statement_id].append(s)
    out = []
    for f in financings:
        st = statements.get(f.pk)
        out.append(_Registration(f, st, amendments[st.pk] if st else [], suspensions[st.pk] if st else []))
    return out


def _effective(d: datetime.date | None, as_of: datetime.date) -> datetime.date | None:
    """An effective date counts only once it has happened (a date recorded ahead is ignored)."""
    return d if d is not None and d <= as_of else None


def _restricted_spans(susp: list[SuspensionPeriod], terms: DealTerms) -> list[tuple[SuspensionPeriod, object]]:
    """RRA 3(h): each suspension judged against the earlier ones of its statement."""
    out = []
    earlier: list[TermsSuspension] = []
    for s in susp:
        proposed = TermsSuspension(s.start_date, s.end_date)
        verdict = judge_suspension(
            proposed=proposed, existing=tuple(earlier), notice_given_on=s.notice_date,
            notice_required=getattr(s, "notice_required", True), terms=terms,
        )
        out.append((s, verdict))
        earlier.append(proposed)
    return out


