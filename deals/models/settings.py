import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class BusinessDate(models.Model):
    """The date the back office treats as "today" (a singleton row, pk=1).

    ``business_date`` empty means the real New York date. The demo deal sets a
    date in 2000. Workflows and sweeps read it through
    ``deals.services.calendar.business_date()``, never the wall clock.
    """

    business_date = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="business_date_singleton")]

    def __str__(self) -> str:
        return f"Business date {self.effective_date().isoformat()}"

    def effective_date(self) -> datetime.date:
        return self.business_date or timezone.localdate()
