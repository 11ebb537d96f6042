"""The business date: what the back office treats as "today"."""

import datetime

from django.db import transaction

from deals.models import BusinessDate


def business_date() -> datetime.date:
    """The business date (deal admins can set it; default the real New York date)."""
    row = BusinessDate.objects.filter(pk=1).only("business_date").first()
    return row.effective_date() if row else BusinessDate().effective_date()


@transaction.atomic
def business_date_set(*, day: datetime.date | None, user=None) -> BusinessDate:
    """Set (or with ``None`` clear) the business date. Deal admins only (checked by callers)."""
    row, _ = BusinessDate.objects.select_for_update().get_or_create(pk=1)
    row.business_date = day
    row.changed_by = user
    row.save()
    return row
