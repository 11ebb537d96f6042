"""API access: per-user tokens (hashed at rest by django-rest-knox) and the
Idempotency-Key records that make API writes safe to retry."""

from django.conf import settings
from django.db import models
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords


class ApiToken(AbstractAuthToken):
    """A personal API token. Only its SHA-512 digest and first characters are stored; the
    token itself is shown once, when created. Revoking deletes the row (the history keeps
    who revoked it and when)."""

    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'transfer agent sync'.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}...)"


class IdempotencyRecord(models.Model):
    """The first response to an API write sent with an ``Idempotency-Key`` header.

    A replay with the same key and the same request returns this response and writes
    nothing; the same key with a different request is refused (422)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the method, path and canonical body.")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
