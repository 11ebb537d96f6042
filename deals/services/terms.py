"""Deal terms versions: the one writer of a new ``DealTermsVersion`` from a deal admin.

``terms_version_create`` is what an approved terms-version request applies
(``deals.services.approvals``): the deal admin's admin page asks for the version, a second deal
admin approves, and only then is the version written (numbered per financing under a lock).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum

from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import DealTermsVersion, Financing
from deals.services.errors import WorkflowError
from deals.terms.params import fields_for


def terms_values_to_json(values: dict) -> dict:
    """Term values as JSON (Decimal as text, choices as their value); the approval's payload."""
    out = {}
    for name, value in values.items():
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, Decimal):
            value = str(value)
        out[name] = value
    return out


@transaction.atomic
def terms_version_create(
    *, financing_id: int, effective_from: datetime.date, reason: str, values: dict, made_by, approved_by=None
) -> DealTermsVersion:
    """Write the next version of the financing's terms. Terms of another kind are stored empty;
    the version is checked by ``DealTermsVersion.clean`` (``params.term_problems``) and must not
    take effect before the financing's latest version (records keep the version they used)."""
    financing = Financing.objects.get(pk=financing_id)
    latest = DealTermsVersion.objects.select_for_update().filter(financing_id=financing_id).order_by("-version").first()
    if latest is not None and effective_from < latest.effective_from:
        raise WorkflowError(
            f"A new version of {financing} must take effect on or after its version {latest.version}'s date "
            f"{latest.effective_from.isoformat()}; {effective_from.isoformat()} is earlier.",
            code="effective_before_latest", field="effective_from",
        )
    carried = set(fields_for(financing.terms_kind))
    obj = DealTermsVersion(
        financing=financing, effective_from=effective_from, reason=reason[:300], created_by=made_by,
        version=(latest.version if latest else 0) + 1,
    )
    for name in obj.term_values():
        setattr(obj, name, values.get(name) if name in carried else None)
    try:
        obj.clean()
    except ValidationError as err:
        raise WorkflowError("; ".join(m for msgs in err.message_dict.values() for m in msgs), code="bad_terms")
    obj._history_user = approved_by or made_by
    obj.save()
    obj.refresh_from_db()
    return obj
