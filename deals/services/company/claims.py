"""Indemnification claims register (Indemnification Agreement 2-6; RRA 6).

A claim records who claims against whom for what conduct, the notice date
(Indemnification 3; RRA 6(b)), whether the indemnifying party assumed the
defense and with which counsel (Indemnification 4; RRA 6(b)), and the
amounts incurred and reimbursed. Claims under the 2006 agreement carry its
survival deadline (Indemnification 6, ``deals.terms.misc``), which goes to
the obligations ledger for the sweep to flag.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from deals.models import IndemnificationClaim
from deals.services.ledger.sync import claim_sync
from deals.terms.misc import INDEMNIFICATION_DATE, indemnification_survival

CLAIM_FIELDS = (
    "source", "claimant", "indemnifying_party", "conduct", "notice_date", "defense_assumed",
    "defense_assumed_by", "counsel", "amount_incurred", "amount_reimbursed",
)  # fmt: skip


def _validate(data: dict) -> None:
    if data["defense_assumed"] and not data.get("defense_assumed_by", "").strip():
        raise ValidationError({"defense_assumed_by": "Say who assumed the defense (Indemnification 4; RRA 6(b))."})
    incurred, reimbursed = Decimal(data["amount_incurred"]), Decimal(data["amount_reimbursed"])
    if reimbursed > incurred:
        raise ValidationError({"amount_reimbursed": f"Reimbursed ${reimbursed:,} is more than incurred ${incurred:,}."})
    if data["source"] == IndemnificationClaim.Source.INDEMNIFICATION_AGREEMENT:
        survival = indemnification_survival()
        notice = data["notice_date"]
        if notice < INDEMNIFICATION_DATE:
            raise ValidationError(
                {
                    "notice_date": (
                        f"The Indemnification Agreement is effective {INDEMNIFICATION_DATE.isoformat()}; "
                        f"notice on {notice.isoformat()} precedes it."
                    )
                }
            )
        if not survival.is_operative(notice):
            raise ValidationError(
                {
                    "notice_date": f"Indemnification 6: the obligations remained operative through "
                    f"{survival.last_operative_day.isoformat()}; a claim noticed {notice.isoformat()} is out of time."
                }
            )


def _survival(claim: IndemnificationClaim, as_of: datetime.date) -> None:
    """Indemnification 6: the claim's survival row through the ledger's builder (the sweep's too)."""
    claim_sync(claim, as_of=as_of)


@transaction.atomic
def claim_record(*, data: dict, user, as_of: datetime.date) -> IndemnificationClaim:
    """Open a claim (Indemnification 3 / RRA 6(b) notice) with its survival deadline."""
    _validate(data)
    claim = IndemnificationClaim(**{k: data[k] for k in CLAIM_FIELDS})
    if claim.source == IndemnificationClaim.Source.INDEMNIFICATION_AGREEMENT:
        claim.survival_deadline = indemnification_survival().last_operative_day
    claim.save()
    _survival(claim, as_of)
    return claim


@transaction.atomic
def claim_update(*, claim: IndemnificationClaim, data: dict, user, as_of: datetime.date) -> IndemnificationClaim:
    """Record the defense, counsel and amounts as the claim progresses (RRA 6(b):
    periodic payments as expenses are incurred)."""
    claim = IndemnificationClaim.objects.select_for_update().get(pk=claim.pk)
    merged = {k: data.get(k, getattr(claim, k)) for k in CLAIM_FIELDS}
    _validate(merged)
    changed = [k for k in CLAIM_FIELDS if getattr(claim, k) != merged[k]]
    for k in changed:
        setattr(claim, k, merged[k])
    claim.survival_deadline = (
        indemnification_survival().last_operative_day if claim.source == IndemnificationClaim.Source.INDEMNIFICATION_AGREEMENT else None
    )
    claim.save(update_fields=[*changed, "survival_deadline", "updated_at"])
    _survival(claim, as_of)
    return claim
