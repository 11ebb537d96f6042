"""Statements of account (issue 11): every amount owed to one investor, open and settled,
with its clause, as of a date; rendered as a PDF by the notices machinery."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from deals.models import AccountStatement, Investor
from deals.selectors.settlements import statement_of_account
from deals.services.calendar import not_after_business_date
from deals.services.roles import is_clerk


@transaction.atomic
def account_statement_create(*, investor_id: int, as_of: datetime.date, by) -> AccountStatement:
    """Freeze the statement's figures and request its PDF (clerks and deal admins)."""
    if by is None or not is_clerk(by):
        raise PermissionDenied("Clerk or deal admin role required.")
    not_after_business_date(as_of, what="statement date", field="as_of")
    investor = Investor.objects.get(pk=investor_id)
    data = statement_of_account(investor=investor, as_of=as_of)
    lines = [
        {
            "due_date": line["ob"].due_date.isoformat(), "label": line["label"], "clause": line["ob"].clause,
            "description": line["ob"].description, "amount": str(line["amount"]), "paid": str(line["paid"]),
            "waived": str(line["waived"]), "balance": str(line["balance"]), "overdue": line["overdue"],
            "entries": [
                {"date": e.date.isoformat(), "kind": e.kind, "amount": str(e.amount), "method": e.get_method_display(),
                 "reference": e.reference, "instrument": e.instrument}
                for e in line["entries"]
            ],
        }
        for line in data["lines"]
    ]
    t = data["totals"]
    stmt = AccountStatement.objects.create(
        investor=investor, as_of=as_of, total_owed=t["amount"], total_settled=t["paid"] + t["waived"], balance=t["balance"],
        snapshot={"lines": lines, "totals": {k: str(v) for k, v in t.items()}, "as_of": as_of.isoformat()},
        created_by=by,
    )
    from notices.services import notice_request

    notice_request(record=stmt, kind="account_statement", user=by)
    return stmt
