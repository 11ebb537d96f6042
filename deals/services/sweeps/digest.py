"""The deal admins' digest of newly overdue obligations."""

from __future__ import annotations

import heapq

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from deals.models import Obligation, SweepRun
from deals.services.roles import DEAL_ADMIN
from deals.services.sweeps.context import OPEN, _money

# --- the deal admins' digest -------------------------------------------------------------------


def new_overdue(run: SweepRun) -> list:
    """Open obligations that became overdue with this run: due before its as-of date and either
    due on or after the previous run's as-of date or created by this run -- as disjoint querysets
    in (due date, id) order, each served by one index (PostgreSQL would otherwise walk every
    overdue row through an OR): due since the previous run (``obligation_open_due``), and due
    earlier but created by this run (``obligation_open_created``)."""
    previous = (
        SweepRun.objects.exclude(pk=run.pk).filter(as_of__lte=run.as_of, finished_at__isnull=False)
        .order_by("-as_of", "-started_at").values_list("as_of", flat=True).first()
    )
    qs = Obligation.objects.filter(status=OPEN, due_date__lt=run.as_of).select_related("investor").order_by("due_date", "id")
    if previous is None:
        return [qs]
    return [qs.filter(due_date__gte=previous), qs.filter(due_date__lt=previous, created_at__gte=run.started_at)]


def digest_new_overdue(*, run: SweepRun, limit: int = 50) -> int:
    """Email the deal admins the obligations newly overdue after a sweep (one message,
    sent after commit). Returns how many items were reported."""
    parts = new_overdue(run)
    items = list(heapq.merge(*(part[: limit + 1] for part in parts), key=lambda o: (o.due_date, o.pk)))[: limit + 1]
    if not items:
        return 0
    User = get_user_model()
    recipients = sorted(set(
        User.objects.filter(Q(groups__name=DEAL_ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))
    if not recipients:
        return len(items[:limit])
    total = sum(part.count() for part in parts) if len(items) > limit else len(items)  # disjoint parts
    lines = [
        f"{o.due_date.isoformat()}  {o.get_kind_display()}  {o.investor or '-'}  "
        f"{_money(o.amount) if o.amount is not None else ''}  {o.description}  [{o.clause}]"
        for o in items[:limit]
    ]
    if total > limit:
        lines.append(f"... and {total - limit} more: see the Deadlines page.")
    subject = f"[NHTC back office] {total} obligation(s) newly overdue as of {run.as_of.isoformat()}"
    body = (
        f"The deadline sweep as of {run.as_of.isoformat()} found {total} obligation(s) newly overdue:\n\n"
        + "\n".join(lines)
        + "\n\nThe full ledger is on the Deadlines page."
    )
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False))
    return total
