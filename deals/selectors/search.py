"""Search conditions for the big lists (issue 17), shared by the pages and the admin.

Each branch of the OR can be answered by an index, so PostgreSQL combines them (BitmapOr)
instead of reading the table: the record's own text columns have trigram indexes
(migrations 0018/0019, PostgreSQL only), and names and numbers of the small tables
(investors, instruments) are looked up there first, in one query, and passed as id lists
(``investor_id IN (1, 2, ...)``) -- never a join or a subplan over every record."""

from __future__ import annotations

from django.db.models import CharField, Q, Value

from deals.models import Debenture, Investor, PreferredHolding, Warrant

MAX_IDS = 5000  # at most this many names/numbers narrow a search (a broader one is not a search)


def _id(q: str) -> int | None:
    number = q.strip().lstrip("#")
    return int(number) if number.isdigit() and len(number) < 19 else None


def _sources(q: str) -> dict:
    return {
        "investor": Investor.objects.filter(legal_name__icontains=q),
        "debenture": Debenture.objects.filter(number__icontains=q),
        "preferred": PreferredHolding.objects.filter(certificate_number__icontains=q),
        "warrant": Warrant.objects.filter(number__icontains=q),
    }


def _small_table_ids(q: str, *tables: str) -> dict:
    """Ids of the investors / debentures / Series J holdings / warrants whose name or number
    contains ``q``: one UNION ALL query over the small tables, read first so that the big
    table's condition is ``investor_id IN (1, 2, ...)`` (a bitmap index scan), not a subplan
    evaluated against every row. Past ``MAX_IDS`` matches (a search as broad as "D-") the
    condition stays a subquery: slower, never incomplete."""
    sources = _sources(q)
    parts = [
        sources[t].order_by().annotate(tag=Value(t, output_field=CharField())).values_list("tag", "pk") for t in tables
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(combined[: MAX_IDS + 1])
    if len(rows) > MAX_IDS:
        return {t: sources[t].values("pk") for t in tables}
    found: dict = {t: [] for t in tables}
    for tag, pk in rows:
        found[tag].append(pk)
    return found


def conversion_search(q: str) -> Q:
    """Reference, delivery reference, investor name, debenture or Series J number, or #id."""
    ids = _small_table_ids(q, "investor", "debenture", "preferred")
    match = (
        Q(reference__icontains=q)
        | Q(delivery_reference__icontains=q)
        | Q(investor_id__in=ids["investor"])
        | Q(debenture_id__in=ids["debenture"])
        | Q(preferred_id__in=ids["preferred"])
    )
    if (pk := _id(q)) is not None:
        match |= Q(pk=pk)
    return match


def exercise_search(q: str) -> Q:
    """Delivery reference, investor name, warrant number, or #id."""
    ids = _small_table_ids(q, "investor", "warrant")
    match = Q(delivery_reference__icontains=q) | Q(investor_id__in=ids["investor"]) | Q(warrant_id__in=ids["warrant"])
    if (pk := _id(q)) is not None:
        match |= Q(pk=pk)
    return match


def obligation_search(q: str) -> Q:
    """Description, investor name, or the id of the row or of its source record."""
    ids = _small_table_ids(q, "investor")
    match = Q(description__icontains=q) | Q(investor_id__in=ids["investor"])
    if (pk := _id(q)) is not None:
        match |= Q(pk=pk) | Q(object_id=pk)
    return match
