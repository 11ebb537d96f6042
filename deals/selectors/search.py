"""Search conditions for the big lists (issue 17), shared by the pages and the admin.

Each branch of the OR can be answered by an index, so PostgreSQL combines them (BitmapOr)
instead of reading the table: the record's own text columns have trigram indexes
(migrations 0018/0019, PostgreSQL only), and names and numbers of the small tables
(investors, instruments) are looked up there first (``investor_id IN (...)``) -- never a join
of every record to them."""

from __future__ import annotations

from django.db.models import Q

from deals.models import Debenture, Investor, PreferredHolding, Warrant


def _id(q: str) -> int | None:
    number = q.strip().lstrip("#")
    return int(number) if number.isdigit() and len(number) < 19 else None


def investors_named(q: str):
    return Investor.objects.filter(legal_name__icontains=q).values("pk")


def conversion_search(q: str) -> Q:
    """Reference, delivery reference, investor name, debenture or Series J number, or #id."""
    match = (
        Q(reference__icontains=q)
        | Q(delivery_reference__icontains=q)
        | Q(investor_id__in=investors_named(q))
        | Q(debenture_id__in=Debenture.objects.filter(number__icontains=q).values("pk"))
        | Q(preferred_id__in=PreferredHolding.objects.filter(certificate_number__icontains=q).values("pk"))
    )
    if (pk := _id(q)) is not None:
        match |= Q(pk=pk)
    return match


def exercise_search(q: str) -> Q:
    """Delivery reference, investor name, warrant number, or #id."""
    match = (
        Q(delivery_reference__icontains=q)
        | Q(investor_id__in=investors_named(q))
        | Q(warrant_id__in=Warrant.objects.filter(number__icontains=q).values("pk"))
    )
    if (pk := _id(q)) is not None:
        match |= Q(pk=pk)
    return match


def obligation_search(q: str) -> Q:
    """Description, investor name, or the id of the row or of its source record."""
    match = Q(description__icontains=q) | Q(investor_id__in=investors_named(q))
    if (pk := _id(q)) is not None:
        match |= Q(pk=pk) | Q(object_id=pk)
    return match
