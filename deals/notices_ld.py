"""The ``ld_statement`` notice kind: a monthly statement of Periodic Amounts
for one investor (RRA 2(b)(iii)-(iv), (vii)), rendered by ``notices`` from a
``LiquidatedDamagesStatement`` record and its snapshot.

Registered on import; ``deals.services.company`` imports this module.
"""

from __future__ import annotations

from notices import formatting as fmt
from notices.kinds import Described, _section, generic_sections, register


def _rows(record) -> list[dict]:
    out = []
    for r in (record.snapshot or {}).get("rows", []):
        line = r.get("line") or {}
        out.append(
            {
                "trigger": r.get("trigger", ""),
                "clause": r.get("trigger_clause", ""),
                "period": f"{fmt.short_date(line.get('first_day'))} – {fmt.short_date(line.get('computation_date'))}",
                "computation_date": fmt.long_date(line.get("computation_date")),
                "days": str(line.get("days", "")),
                "base": fmt.money(line.get("base")),
                "pct": fmt.percent(line.get("period_pct")),
                "amount": fmt.money(line.get("amount")),
                "due": fmt.long_date(line.get("due_date")),
                "paid": fmt.long_date(r.get("paid_date")) if r.get("paid_date") else "unpaid",
                "base_working": r.get("base_working", ""),
            }
        )
    return out


@register(
    "ld_statement",
    model="deals.LiquidatedDamagesStatement",
    slug="liquidated-damages-statement",
    template="deals/company/pdf/ld_statement.html",
    describe=lambda r: Described(f"{r.investor}: Periodic Amounts for {r.month:%B %Y}", r.investor.legal_name, r.month),
    investor=lambda r: r.investor,
    select_related=("investor", "financing__issuer"),
)
def ld_statement_context(record) -> dict:
    """RRA 2(b): Periodic Amounts with a Computation Date in the month, the
    base and days of each, and what has been paid."""
    snap = record.snapshot or {}
    rows = _rows(record)
    appendix = [
        _section(
            "Periodic Amounts",
            clause="RRA 2(b)(iii), 2(b)(vii)",
            formula="Periodic Amount = 2% of the base × days ÷ 30 (prorated daily for a shorter period)",
            table={
                "columns": ["Lateness", "Days counted", "Base", "%", "Amount", "Base working"],
                "rows": [[r["trigger"], r["days"], r["base"], r["pct"], r["amount"], r["base_working"]] for r in rows],
            },
        )
    ]
    appendix += generic_sections({k: v for k, v in snap.items() if k not in {"rows"}}, "Recorded figures")
    return {
        "title": "Liquidated Damages Statement",
        "company_name": record.financing.issuer.name.upper() if record.financing.issuer_id else "",
        "holder": {
            "name": record.investor.legal_name,
            "address_lines": [x.strip() for x in record.investor.notice_address.splitlines() if x.strip()],
        },
        "month": f"{record.month:%B %Y}",
        "as_of": fmt.long_date(record.as_of),
        "rows": rows,
        "total_due": fmt.money(record.total_due),
        "total_paid": fmt.money(record.total_paid),
        "total_unpaid": fmt.money(record.total_due - record.total_paid),
        "to_date_computed": fmt.money(snap.get("total_computed_to_date")),
        "to_date_paid": fmt.money(snap.get("total_paid_to_date")),
        "accruing": fmt.money(snap.get("accruing")),
        "appendix": appendix,
    }
