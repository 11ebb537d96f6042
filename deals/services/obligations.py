"""The obligations ledger's write side, shared by workflows and sweeps.

An obligation is keyed by (kind, source record, period_key); writing the same
key again updates it in place, so every caller is idempotent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from deals.models import Obligation, ObligationKind, ObligationStatus


def obligation_upsert(
    *,
    kind: ObligationKind,
    source: models.Model,
    due_date: datetime.date,
    clause: str,
    investor=None,
    amount: Decimal | None = None,
    description: str = "",
    period_key: str = "",
    details: dict | None = None,
    as_of: datetime.date | None = None,
) -> tuple[Obligation, bool]:
    """Create or update the obligation for (kind, source, period_key). Returns (row, created)."""
    return Obligation.objects.update_or_create(
        kind=kind,
        content_type=ContentType.objects.get_for_model(source),
        object_id=source.pk,
        period_key=period_key,
        defaults={
            "due_date": due_date,
            "clause": clause,
            "investor": investor,
            "amount": amount,
            "description": description,
            "details": details or {},
            "as_of": as_of,
        },
    )


def obligations_close(
    *,
    source: models.Model,
    kinds: list[ObligationKind] | None = None,
    status: ObligationStatus = ObligationStatus.SATISFIED,
    on: datetime.date,
) -> int:
    """Close the open obligations of a record (all kinds, or the given ones). Returns rows changed."""
    qs = Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk, status=ObligationStatus.OPEN
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(status=status, satisfied_date=on)


def obligations_for(source: models.Model):
    """The ledger rows of one record, oldest due first."""
    return Obligation.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    ).order_by("due_date", "id")
