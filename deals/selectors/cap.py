"""Reads for the Cap Regulations (SPA 4(d)(ii), 4(i)), the authorized shares (SPA 3(c)) and the
stockholder approval that lifts the cap.

``cap_shares_issued`` is the ONE place the cap count is computed: the shares of Common Stock
issued "after the date of this Agreement" to the holders of the Preferred Stock and the
Warrants (SPA 4(d)(ii)) -- live Series J conversions, warrant exercises, remedy (x)
issuances and SPA 4(j)(v) additional shares for past conversions, dated on or after the SPA date
(the Series J financing's ``agreement_date``; see docs/interpretations.md, "Cap Regulations").
Four set-based aggregates, no Python walk.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, CharField, Count, Min, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from deals.models import (
    CapRemedy,
    Conversion,
    ConversionStatus,
    Financing,
    InstrumentStatus,
    Issuer,
    PriceProtectionAdjustment,
    StockholderMeeting,
    Warrant,
    WarrantExercise,
)

CLAUSE_CAP_COUNT = "SPA 4(d)(ii)"
CLAUSE_AUTHORIZED = "SPA 3(c), 4(i) (Cap Regulations: authorized shares)"

# Conversions whose shares were issued or are owed (revoked and dishonoured ones are undone).
LIVE_CONVERSION = (ConversionStatus.PENDING_DELIVERY, ConversionStatus.DELIVERED)
LIVE_EXERCISE = (WarrantExercise.Status.PENDING_DELIVERY, WarrantExercise.Status.DELIVERED)


def spa_date(issuer_id: int | None) -> datetime.date | None:
    """SPA 4(d)(ii) "the date of this Agreement": the earliest ``agreement_date`` of the issuer's
    Series J financings (None when not recorded: then every issuance counts)."""
    qs = Financing.objects.filter(kind=Financing.Kind.SERIES_J, agreement_date__isnull=False)
    if issuer_id is not None:
        qs = qs.filter(issuer_id=issuer_id)
    return qs.aggregate(d=Min("agreement_date"))["d"]


@dataclass(frozen=True)
class IssuerScope:
    """What every issuer-wide count of one issuance reads first, read once (``issuer_scope``): the
    SPA date (``spa_date``) and whether the issuer owns every financing -- then "of this issuer"
    filters nothing and the counts need no join through the instruments to the financing."""

    issuer_id: int
    spa_date: datetime.date | None
    only: bool
    series_j_id: int | None = None  # the issuer's first Series J financing (its terms set the cap, SPA 4(d)(ii))

    @property
    def join_scope(self) -> int | None:
        """The issuer to filter the counts by (None: every row is the issuer's; no join needed)."""
        return None if self.only else self.issuer_id


def issuer_scope(issuer_id: int) -> IssuerScope:
    """``spa_date``, whether the issuer owns every financing and its first Series J financing in one
    query over the financings."""
    series_j = Q(issuer_id=issuer_id, kind=Financing.Kind.SERIES_J)
    row = Financing.objects.aggregate(
        d=Min("agreement_date", filter=series_j & Q(agreement_date__isnull=False)),
        others=Count("pk", filter=~Q(issuer_id=issuer_id)),
        sj=Min("pk", filter=series_j),
    )
    return IssuerScope(issuer_id, row["d"], not row["others"], row["sj"])


def _total(qs, aggregate):
    """``qs.aggregate(aggregate)`` as a queryset (one row, no GROUP BY) for ``_sums``."""
    return qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=aggregate).values("n")


def _statement(*totals) -> tuple[str, list]:
    """Each ``_total`` as a scalar subquery of ONE ``SELECT`` (one round trip instead of one per
    count): the SQL and its parameters, compiled now and run by ``_run``."""
    parts, params = [], []
    for qs in totals:
        sql, p = qs.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(p)
    return "SELECT " + ", ".join(parts), params


def _run(statement: tuple[str, list]) -> list[int]:
    """The values of a ``_statement``; 0 where a sum sums nothing."""
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return [int(v or 0) for v in cursor.fetchone()]


def _sums(*totals) -> list[int]:
    """Each ``_total``, all in one statement (``_statement``, ``_run``)."""
    return _run(_statement(*totals))


def cap_shares_issued(*, issuer_id: int | None = None, since: datetime.date | None | bool = True,
                      through: datetime.date | None = None, scope: IssuerScope | None = None) -> int:
    """SPA 4(d)(ii): Common Stock issued to the holders of the Series J and the Warrants on or
    after the SPA date (``since=True``: look it up; a date: that date; None: every issuance)
    and, if ``through`` is given, on or before it. Debenture conversions do not count (the
    Debenture is not a Transaction Agreement of the SPA). ``scope``: ``issuer_scope(issuer_id)``
    already read by the caller (the SPA date and the join decision are then not read again)."""
    return sum(_sums(*_cap_totals(issuer_id=issuer_id, since=since, through=through, scope=scope)))


def _cap_totals(*, issuer_id: int | None, since: datetime.date | None | bool, through: datetime.date | None,
                scope: IssuerScope | None) -> list:
    """The four sums of ``cap_shares_issued`` as ``_total`` querysets (for ``_sums``)."""
    if scope is None and issuer_id is not None:
        scope = issuer_scope(issuer_id)
    start = (scope.spa_date if scope is not None else spa_date(None)) if since is True else since
    join = scope.join_scope if scope is not None else None
    conv = Q(preferred__isnull=False, status__in=LIVE_CONVERSION)
    ex = Q(status__in=LIVE_EXERCISE)
    rem = Q(remedy=CapRemedy.Remedy.X_PRICE)
    if join is not None:
        conv &= Q(preferred__financing__issuer_id=join)
        ex &= Q(warrant__financing__issuer_id=join)
        rem &= Q(conversion__preferred__financing__issuer_id=join)
    if start is not None:
        conv &= Q(conversion_date__gte=start)
        ex &= Q(exercise_date__gte=start)
        rem &= Q(chosen_date__gte=start)
    if through is not None:
        conv &= Q(conversion_date__lte=through)
        ex &= Q(exercise_date__lte=through)
        rem &= Q(chosen_date__lte=through)
    return [
        _total(Conversion.objects.filter(conv), Sum("shares_issuable")),
        _total(WarrantExercise.objects.filter(ex), Sum("shares")),
        _total(CapRemedy.objects.filter(rem), Sum(Cast(KT("snapshot__shares"), BigIntegerField()))),
        _total(price_protection_issued(issuer_id=join, since=start, through=through), Sum("pp_shares")),
    ]


def price_protection_issued(*, issuer_id: int | None, since: datetime.date | None, through: datetime.date | None = None):
    """SPA 4(j)(v) additional shares for past Series J conversions, issued on the day the deal admin
    confirmed the adjustment (``snapshot.cap``: ``issued_on``, ``issued``) -- an issuance to the
    holders of the Preferred Stock like any other (SPA 4(d)(ii)). Annotated ``pp_on`` (ISO date
    text) and ``pp_shares``; held shares (beyond the Cap Regulations) are not issued and not counted."""
    qs = PriceProtectionAdjustment.objects.annotate(
        pp_on=Cast(KT("snapshot__cap__issued_on"), CharField()), pp_shares=Cast(KT("snapshot__cap__issued"), BigIntegerField())
    ).filter(pp_on__isnull=False, pp_shares__gt=0)
    if issuer_id is not None:
        qs = qs.filter(offer__financing__issuer_id=issuer_id)
    if since is not None:
        qs = qs.filter(pp_on__gte=since.isoformat())
    if through is not None:
        qs = qs.filter(pp_on__lte=through.isoformat())
    return qs


def _approving(*, issuer_id: int, day: datetime.date):
    """SPA 4(d)(ii): the stockholders' meetings on or before ``day`` that authorized issuances beyond
    the 20% cap, the first first (``issuance_position`` reads the first one's id in its statement;
    none: the cap binds on ``day``)."""
    return StockholderMeeting.objects.filter(issuer_id=issuer_id, meeting_date__lte=day, approved=True).order_by("meeting_date", "pk")


def last_meeting(*, issuer_id: int, day: datetime.date) -> StockholderMeeting | None:
    """The latest stockholders' meeting recorded on or before ``day`` (approving or not)."""
    return (
        StockholderMeeting.objects.filter(issuer_id=issuer_id, meeting_date__lte=day)
        .order_by("-meeting_date", "-pk")
        .first()
    )


@dataclass(frozen=True)
class IssuancePosition:
    """The issuer's figures every issuance is checked against (read after the issuer row lock)."""

    issuer_id: int
    authorized: int
    issued: int
    shares_outstanding_at_signing: int
    cap_issued: int
    spa_date: datetime.date | None
    approval: StockholderMeeting | None
    warrant_shares: int = 0  # shares issuable on every outstanding Warrant (the quote's reserve input)

    @property
    def authorized_unissued(self) -> int:
        return max(0, self.authorized - self.issued)


def issuance_position(*, issuer_id: int, day: datetime.date, issuer: Issuer | None = None,
                      scope: IssuerScope | None = None) -> IssuancePosition:
    """Fresh figures for an issuance dated ``day`` (call after ``deals.services.issuance.issuer_lock``;
    ``issuer``: the row that lock returned -- read under the lock, so not read again; ``scope``:
    ``issuer_scope`` already read by the caller). The cap count, the outstanding warrant shares
    and the approving meeting are one statement (the meeting row is read only when there is one)."""
    return issuance_position_reader(issuer_id=issuer_id, day=day, scope=scope)(issuer)


def issuance_position_reader(*, issuer_id: int, day: datetime.date,
                             scope: IssuerScope | None = None) -> Callable[[Issuer | None], IssuancePosition]:
    """``issuance_position`` in two steps: its statement is compiled now and run when the returned
    function is called with the issuer row (or None: read it). The submit compiles before it takes
    the issuer lock and reads under it, so the ORM's compiling is not part of the locked section."""
    scope = scope or issuer_scope(issuer_id)
    statement = _statement(
        *_cap_totals(issuer_id=issuer_id, since=True, through=None, scope=scope),
        _total(Warrant.objects.filter(status=InstrumentStatus.OUTSTANDING), Sum("shares_remaining")),
        _approving(issuer_id=issuer_id, day=day).values("pk")[:1],
    )

    def read(issuer: Issuer | None) -> IssuancePosition:
        if issuer is None:
            authorized, issued, at_signing = Issuer.objects.filter(pk=issuer_id).values_list(
                "authorized_common_shares", "shares_issued", "shares_outstanding_at_signing"
            ).get()
        else:
            authorized, issued, at_signing = (issuer.authorized_common_shares, issuer.shares_issued,
                                              issuer.shares_outstanding_at_signing)
        *cap_counts, warrant_shares, approval_pk = _run(statement)
        return IssuancePosition(
            issuer_id=issuer_id,
            authorized=int(authorized),
            issued=int(issued),
            shares_outstanding_at_signing=int(at_signing),
            cap_issued=sum(cap_counts),
            spa_date=scope.spa_date,
            approval=StockholderMeeting.objects.get(pk=approval_pk) if approval_pk else None,
            warrant_shares=warrant_shares,
        )

    return read


# --- SPA 3(c), 4(g): the 150% reserve across every outstanding instrument ------------------------


@dataclass(frozen=True)
class ReservePosition:
    """SPA 4(g) reserve of one issuer on a day: the engine's check plus what could not be priced."""

    issuer_id: int
    day: datetime.date
    check: object | None  # deals.terms.reserve.ReserveCheck (None: no terms to compute it)
    per_financing: tuple[dict, ...]
    notes: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.check is not None and not self.notes


def reserve_position(*, issuer_id: int, day: datetime.date, book=None, scope: IssuerScope | None = None,
                     issuer_figures: tuple[int, int] | None = None) -> ReservePosition:
    """SPA 3(c), 4(g): shares the Company must keep authorized and reserved -- 150% of the shares
    issuable on conversion of every outstanding Series J holding and Debenture (at each
    financing's conversion price for a conversion on ``day``) plus the shares issuable on every
    outstanding, unexpired Warrant -- against the authorized but unissued Common Stock.
    A fixed number of queries whatever the number of instruments or financings: the issuer row,
    one statement for the outstanding amounts per financing and the warrant shares, the terms
    from a ``TermsBook`` (``book``; the sweep passes its own) and one read of the closing bids
    for the longest look-back. ``scope``: ``issuer_scope`` already read (no join to the
    financings when the issuer owns them all); ``issuer_figures``: (authorized, issued) as the
    caller holds them under the issuer lock (the issuer row is then not read)."""
    from deals.models import Debenture, InstrumentStatus, PreferredHolding, Warrant
    from deals.selectors.terms import TermsBook, TermsUnavailable
    from deals.services.conversions import prices_mapping
    from deals.terms import calendars
    from deals.terms.conversion import debenture_conversion_price, series_j_conversion_price
    from deals.terms.errors import MissingPrices, TermsError
    from deals.terms.reserve import reserve_check
    from deals.terms.rounding import to_shares

    authorized, issued = issuer_figures or Issuer.objects.filter(pk=issuer_id).values_list(
        "authorized_common_shares", "shares_issued").get()
    live = InstrumentStatus.OUTSTANDING
    mine = Q() if scope is not None and scope.only else Q(financing__issuer_id=issuer_id)
    # (class, financing, amount): the Series J and the Debentures per financing, then the warrant
    # shares -- one statement (UNION ALL)
    rows = (
        PreferredHolding.objects.filter(mine, status=live, closing_date__lte=day).order_by()
        .values_list("financing_id").annotate(n=Sum("liquidation_preference_outstanding"), c=Value("p"))
        .values_list("c", "financing_id", "n")
        .union(
            Debenture.objects.filter(mine, status=live, issue_date__lte=day).order_by()
            .values_list("financing_id").annotate(n=Sum("principal_outstanding"), c=Value("d"))
            .values_list("c", "financing_id", "n"),
            _total(Warrant.objects.filter(mine, status=live, issue_date__lte=day, expiry_date__gte=day),
                   Sum("shares_remaining")).annotate(c=Value("w"), f=Value(None, output_field=BigIntegerField()))
            .values_list("c", "f", "n"),
            all=True,
        )
    )
    sj: dict[int, Decimal] = {}
    deb: dict[int, Decimal] = {}
    warrant_shares = 0
    for kind, fin_id, n in rows:
        if kind == "w":
            warrant_shares = int(n or 0)
        else:
            (sj if kind == "p" else deb)[fin_id] = Decimal(n)
    book = book or TermsBook()
    notes: list[str] = []
    priced: list[tuple[int, object, object, bool]] = []  # (financing, outstanding, terms, is_debenture)
    reserve_terms = None
    for fin_id, outstanding, is_debenture in [(k, v, False) for k, v in sorted(sj.items())] + [
        (k, v, True) for k, v in sorted(deb.items())
    ]:
        if not outstanding:
            continue
        try:
            terms = book.in_force(financing=fin_id, day=day).terms
        except TermsUnavailable as err:
            notes.append(str(err))
            continue
        if reserve_terms is None:  # the Series J's come first: its 150% (SPA 4(g))
            reserve_terms = terms
        priced.append((fin_id, outstanding, terms, is_debenture))
    if reserve_terms is None:  # nothing convertible outstanding: the Series J terms (warrants only)
        fins = [f for f in book.financings() if f.issuer_id == issuer_id]
        fins.sort(key=lambda f: (f.kind != Financing.Kind.SERIES_J, f.pk))
        for fin in fins[:1]:
            try:
                reserve_terms = book.in_force(financing=fin.pk, day=day).terms
            except TermsUnavailable as err:
                notes.append(str(err))
    if reserve_terms is None:
        return ReservePosition(issuer_id, day, None, (), tuple(notes))
    longest = max([t.debenture_lookback_days if d else t.preferred_lookback_days for _, _, t, d in priced] or [0])
    try:
        bids = prices_mapping(calendars.trading_days_before(day, longest)) if longest else {}
    except Exception as err:  # CalendarRangeError: the calendars cover 1999-2035
        return ReservePosition(issuer_id, day, None, (), (f"The reserve needs trading days before {day.isoformat()}: {err}",))
    rows: list[dict] = []
    conversion_shares = 0
    for fin_id, outstanding, terms, is_debenture in priced:
        fn = debenture_conversion_price if is_debenture else series_j_conversion_price
        try:
            price = fn(terms=terms, prices=bids, conversion_date=day)
        except MissingPrices as err:
            notes.append(f"Financing #{fin_id}: no closing bid for {len(err.dates)} look-back day(s) before "
                         f"{day.isoformat()}; its conversion shares are not counted.")
            continue
        except TermsError as err:
            notes.append(f"Financing #{fin_id}: {err}")
            continue
        shares = to_shares(outstanding / price.applied_price, terms.share_rounding)
        conversion_shares += shares
        rows.append({"financing_id": fin_id, "outstanding": str(outstanding), "price": str(price.applied_price),
                     "shares": shares, "debenture": is_debenture})
    check = reserve_check(
        terms=reserve_terms,
        conversion_shares=conversion_shares,
        warrant_shares=warrant_shares,
        issued_shares=min(int(issued), int(authorized)),
        authorized_shares=int(authorized),
    )
    return ReservePosition(issuer_id, day, check, tuple(rows), tuple(notes))


def meeting_issuances(*, issuer_id: int | None = None, scope: IssuerScope | None = None) -> list[tuple[datetime.date, int]]:
    """SPA 4(d)(ii) Meeting Date (x) input: (date, shares) of the Common Stock the Company issued on
    conversions and warrant exercises on or after the SPA date, per day (the sweep rule and the
    meeting service alike). ``scope``: ``issuer_scope`` already read by the caller."""
    conv = Conversion.objects.filter(status__in=LIVE_CONVERSION)
    ex = WarrantExercise.objects.filter(status__in=LIVE_EXERCISE)
    start = join = None
    if issuer_id is not None or scope is not None:
        scope = scope or issuer_scope(issuer_id)
        join = scope.join_scope
        if join is not None:
            conv = conv.filter(Q(preferred__financing__issuer_id=join) | Q(debenture__financing__issuer_id=join))
            ex = ex.filter(warrant__financing__issuer_id=join)
        start = scope.spa_date  # "issued, after the date of this Agreement"
        if start is not None:
            conv = conv.filter(conversion_date__gte=start)
            ex = ex.filter(exercise_date__gte=start)
    pp = price_protection_issued(issuer_id=join, since=start)
    # conversions and exercises per day in one statement (UNION ALL; the engine sorts by date)
    per_day = conv.order_by().values_list("conversion_date").annotate(n=Sum("shares_issuable")).values_list("conversion_date", "n").union(
        ex.order_by().values_list("exercise_date").annotate(n=Sum("shares")).values_list("exercise_date", "n"), all=True
    )
    return [(d, int(n or 0)) for d, n in per_day] + [
        (datetime.date.fromisoformat(d), int(n)) for d, n in pp.values_list("pp_on", "pp_shares")
    ]
