"""Reads for the approvals queue (issue 12, four eyes): the nav badge's count, the list, and
what each item changes (a diff of terms for a terms version)."""

from __future__ import annotations

from dataclasses import dataclass

from deals.models import Approval, ApprovalStatus, DealTermsVersion
from deals.terms.params import CLERICAL, fields_for, term_class


def pending_count() -> int:
    """One COUNT on the (status, -created_at) index: the nav badge."""
    return Approval.objects.filter(status=ApprovalStatus.PENDING).count()


def approvals_filtered(status: str | None = ApprovalStatus.PENDING):
    qs = Approval.objects.select_related("maker", "checker", "financing", "obligation").order_by("-created_at", "-id")
    if status in ApprovalStatus.values:
        qs = qs.filter(status=status)
    return qs


@dataclass(frozen=True)
class TermChange:
    name: str
    label: str
    before: object
    after: object
    clause: str
    term_class: str

    @property
    def clerical(self) -> bool:
        return self.term_class == CLERICAL


def terms_diff(approval: Approval) -> tuple[int | None, list[TermChange]]:
    """A terms-version request against the financing's version it started from (or, once
    applied, against the version before the one it wrote): (that version's number, changes)."""
    p = approval.payload or {}
    base_no = p.get("base_version")
    if base_no is None:
        return None, []
    base = DealTermsVersion.objects.filter(financing_id=p["financing_id"], version=base_no).first()
    if base is None:
        return base_no, []
    values = p.get("values", {})
    out = []
    for name in p.get("changed") or fields_for(base.financing.terms_kind):
        f = DealTermsVersion._meta.get_field(name)
        out.append(TermChange(name, str(f.verbose_name), getattr(base, name), values.get(name), f.help_text,
                              term_class(name)))
    return base_no, out
