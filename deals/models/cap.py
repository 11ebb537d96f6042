"""Stockholder approval of issuances beyond the 20% cap (SPA 4(d)(ii), 4(i))."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .common import TimeStamped
from .parties import Issuer


def meeting_upload_to(instance, filename: str) -> str:
    return f"meetings/{instance.issuer_id}/{filename}"


class StockholderMeeting(TimeStamped):
    """A stockholders' meeting that voted on authorizing the issuance to the holders of the
    Preferred Stock and Warrants of Common Stock beyond 20% of the shares outstanding at signing
    (SPA 4(d)(ii); NASDAQ Rule 4310(c)(25)(H)(i) / 4460(i)(1)). Recorded by a deal admin
    (``deals.services.issuance.stockholder_meeting_record``); never edited."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="stockholder_meetings")
    meeting_date = models.DateField()
    votes_for = models.PositiveBigIntegerField()
    votes_against = models.PositiveBigIntegerField()
    votes_abstain = models.PositiveBigIntegerField(default=0)
    approved = models.BooleanField(
        help_text="SPA 4(d)(ii): a majority of the votes cast (for > against; abstentions are not votes cast)."
    )
    document = models.FileField(upload_to=meeting_upload_to, max_length=300, help_text="Minutes or inspector's report.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-meeting_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_for__gt=0) | Q(votes_against__gt=0) | Q(votes_abstain__gt=0),
                name="stockholder_meeting_has_votes",
            ),
        ]

    def __str__(self) -> str:
        return f"Stockholders' meeting of {self.meeting_date.isoformat()} ({'approved' if self.approved else 'not approved'})"

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against
