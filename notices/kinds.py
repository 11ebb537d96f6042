"""The kinds of notice and how each is filled.

A kind is one entry in ``REGISTRY``: the record model it belongs to, the
template that lays it out, and one *context builder* -- a function of the
record returning the template context. Adding a kind is one template under
``notices/templates/notices/pdf/`` plus one decorated builder::

    @register(
        "ld_statement",
        model="deals.LiquidatedDamages",          # the record the notice is about
        slug="liquidated-damages-statement",     # start of the download file name
        template="notices/pdf/ld_statement.html",
        describe=lambda r: Described(f"{r.investor}: {r.period}", r.investor.legal_name, r.period_end),
        investor=lambda r: r.investor,
    )
    def ld_statement_context(record) -> dict:
        return {"title": "Liquidated damages statement", "rows": [...], "appendix": [...]}

(``NoticeKind`` in ``notices.models`` needs the value as a choice.) Builders
return plain strings and lists -- figures already formatted with
``notices.formatting`` -- so templates only place them, auto-escaped.

The body of each document takes its figures from the record's fields (what
the workflow stored); the computation appendix comes from the record's
``snapshot`` (the engine's ``as_dict`` working) and tolerates missing keys.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps

from . import formatting as fmt


@dataclass(frozen=True)
class Described:
    """What a notice is about: a subject line, the instrument key and the date in its file name."""

    subject: str
    key: str
    day: datetime.date | None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    model: str  # "app_label.ModelName" of the record
    slug: str  # "notice-of-conversion"
    build_context: Callable[[Any], dict]
    template: Callable[[Any], str]
    describe: Callable[[Any], Described]
    investor: Callable[[Any], Any]
    version: str = "1"
    select_related: tuple[str, ...] = field(default_factory=tuple)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def load(self, object_id: int):
        """The record, with what its builder reads joined in."""
        return self.model_class.objects.select_related(*self.select_related).get(pk=object_id)

    def file_name(self, record, version: int) -> str:
        """notice-of-conversion-D-7-2000-05-15.pdf (``-v2`` and on for corrections)."""
        d = self.describe(record)
        parts = [self.slug, fmt.file_part(d.key)]
        if d.day:
            parts.append(d.day.isoformat())
        if version > 1:
            parts.append(f"v{version}")
        return "-".join(parts) + ".pdf"


REGISTRY: dict[str, KindSpec] = {}


def register(
    kind: str,
    *,
    model: str,
    slug: str,
    template: str | Callable[[Any], str],
    describe: Callable[[Any], Described],
    investor: Callable[[Any], Any],
    version: str = "1",
    select_related: tuple[str, ...] = (),
):
    """Decorator registering a context builder as the notice kind ``kind``."""

    def decorator(build_context: Callable[[Any], dict]):
        pick = template if callable(template) else (lambda record, _t=template: _t)
        REGISTRY[kind] = KindSpec(
            kind=kind,
            model=model,
            slug=slug,
            build_context=build_context,
            template=pick,
            describe=describe,
            investor=investor,
            version=version,
            select_related=tuple(select_related),
        )
        return build_context

    return decorator


def spec_for(kind: str) -> KindSpec:
    try:
        return REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise ValueError(f"Unknown notice kind {kind!r} (known: {known}).") from None


# --- shared pieces -----------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _holder(investor) -> dict:
    return {"name": investor.legal_name, "address_lines": _lines(investor.notice_address)}


def _company(issuer) -> str:
    return issuer.name.upper() if issuer else "NATURAL HEALTH TRENDS CORP."


def _dec(value) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _find(snapshot, key: str) -> Any:
    """``snapshot[key]``, or the first nested dict's ``key`` (workflows may wrap the engine's
    ``as_dict`` under e.g. ``"quote"``)."""
    if not isinstance(snapshot, dict):
        return None
    if key in snapshot:
        return snapshot[key]
    for value in snapshot.values():
        if isinstance(value, dict) and key in value:
            return value[key]
    return None


def _row(label: str, value: str, note: str = "") -> dict:
    return {"label": label, "value": value, "note": note}


def _section(title: str, *, rows=(), clause: str = "", formula: str = "", table=None, notes=()) -> dict:
    return {"title": title, "rows": list(rows), "clause": clause or "", "formula": formula, "table": table, "notes": list(notes)}


_CONSUMED_CONVERSION = {
    "instrument", "conversion_date", "amount", "eligibility", "market_price", "fixed_price", "discount_pct",
    "discounted_price", "applied_price", "price_basis", "shares", "accrual", "accrual_payment", "accrual_cash",
    "accrual_shares", "total_shares", "cap", "unconverted", "reserve", "delivery_date", "original_notice_due",
    "clauses", "terms_version", "shown_price",
}  # fmt: skip


def _scalar(value) -> str:
    if isinstance(value, bool):
        return fmt.yes_no(value)
    if value is None:
        return fmt.DASH
    return str(value)


_MONEY_WORDS = {
    "amount", "base", "principal", "cash", "interest", "dividends", "preference", "payment", "paid", "aggregate",
    "premium", "damages", "cost", "proceeds", "value", "total", "outstanding", "converted", "redeemed", "fee",
}  # fmt: skip
_SHARE_WORDS = {"shares", "share", "warrants"}


def recorded_value(key: str, value) -> str:
    """A figure the generic appendix sections show, formatted like the page by what its key
    names (issue 15 item 18): prices $1.4375, shares 34,783, money $50,000.00, percentages,
    dates; anything else (text, counts, flags) as recorded."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return _scalar(value)
    words = set(str(key).lower().split("_"))
    number = _dec(value) if not isinstance(value, datetime.date) else None
    if number is None:
        day = fmt.as_date(value) if isinstance(value, (str, datetime.date)) and len(str(value)) == 10 else None
        return fmt.short_date(day) if day else _scalar(value)
    if "pct" in words or "percent" in words or "rate" in words:
        return fmt.percent(value)
    if ("price" in words or "bid" in words) and not words & {"aggregate", "redemption", "purchase", "total"}:
        return fmt.price(value)  # a per-share price; an aggregate or redemption price is money
    if words & _SHARE_WORDS:
        return fmt.shares(value)
    if words & _MONEY_WORDS or "price" in words:
        return fmt.money(value)
    return fmt.exact(value) if isinstance(value, (str, Decimal)) else _scalar(value)


def generic_sections(data, title: str, *, skip=frozenset()) -> list[dict]:
    """Whatever else the snapshot recorded, shown as recorded: scalars as rows, nested dicts as
    their own sections, lists of dicts as tables. Keeps the appendix complete for shapes the
    builders do not know yet."""
    if not isinstance(data, dict):
        return []
    rows, nested = [], []
    for key, value in data.items():
        if key in skip or key == "clause":
            continue
        if isinstance(value, dict):
            nested.extend(generic_sections(value, fmt.humanize_key(key)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            nested.append(
                _section(
                    fmt.humanize_key(key),
                    table={
                        "columns": [fmt.humanize_key(c) for c in columns],
                        "rows": [[recorded_value(c, v.get(c)) for c in columns] for v in value],
                    },
                )
            )
        elif isinstance(value, list):
            rows.append(_row(fmt.humanize_key(key), "; ".join(recorded_value(key, v) for v in value) or fmt.DASH))
        else:
            rows.append(_row(fmt.humanize_key(key), recorded_value(key, value)))
    out = [_section(title, rows=rows, clause=str(data.get("clause") or ""))] if rows else []
    return out + nested


def market_price_section(mp: dict | None, *, title: str = "Market Price (look-back)") -> dict | None:
    if not isinstance(mp, dict):
        return None
    field_name = mp.get("field") or "closing bid"
    window = [w for w in (mp.get("window") or []) if isinstance(w, dict)]
    table = None
    if window:
        table = {
            "columns": ["Trading day", fmt.humanize_key(field_name), "Used"],
            "rows": [[fmt.short_date(w.get("day")), fmt.price(w.get("price")), "yes" if w.get("used") else ""] for w in window],
        }
    days, lowest = mp.get("days"), mp.get("lowest")
    as_of = fmt.long_date(mp.get("as_of"))
    if days and lowest and lowest != days:
        formula = f"Market Price = average of the {lowest} lowest {field_name}s of the {days} trading days before {as_of}"
    elif days:
        formula = f"Market Price = average {field_name} of the {days} trading days immediately preceding {as_of}"
    else:
        formula = f"Market Price method: {_scalar(mp.get('method'))}"
    rows = [
        _row("Average (exact)", fmt.exact(mp.get("average")), "formulas use the exact average"),
        _row("Market Price", fmt.price(mp.get("price")), "rounded to 4 decimal places for display"),
    ]
    return _section(title, rows=rows, clause=mp.get("clause", ""), table=table, formula=formula)


DAY_COUNTS = {"act_365": "Actual/365", "act_360": "Actual/360", "30_360": "30/360"}


def accrual_section(acc: dict | None, *, payment=None, cash=None, shares=None, title=None) -> dict | None:
    if not isinstance(acc, dict):
        return None
    kind = acc.get("kind") or "interest"
    basis = "360" if str(acc.get("day_count", "")).endswith("360") else "365"
    days = acc.get("days")
    day_count = DAY_COUNTS.get(acc.get("day_count"), _scalar(acc.get("day_count")))
    fraction = fmt.exact(_dec(acc.get("fraction")).quantize(Decimal("0.0000000001"))) if _dec(acc.get("fraction")) is not None else fmt.DASH
    rows = [
        _row("Accrues on", fmt.money(acc.get("base"))),
        _row("Rate", fmt.percent(acc.get("rate_pct")) + " a year"),
        _row("Period", f"{fmt.short_date(acc.get('start'))} to {fmt.short_date(acc.get('end'))}", "first day included, last excluded"),
        _row("Days ÷ year", f"{_scalar(days)} ÷ {basis} = {fraction}", f"day count {day_count}"),
        _row(f"Accrued {kind}", fmt.money(acc.get("amount"))),
    ]
    if payment:
        rows.append(_row("Paid", "in Common Stock at the conversion price" if payment == "shares" else "in cash"))
    if cash is not None and payment != "shares":
        rows.append(_row("Cash", fmt.money(cash)))
    if shares:
        rows.append(_row("Shares for the " + kind, fmt.shares(shares)))
    return _section(
        title or f"Accrued {kind}",
        rows=rows,
        clause=acc.get("clause", ""),
        formula=f"{kind} = amount × rate × days ÷ {basis}, rounded to cents",
    )


def record_line(record) -> str:
    """Which record and terms version the appendix comes from (its lead line)."""
    tv = getattr(record, "terms_version", None)
    text = str(record)
    if tv is not None:
        text += f"; deal terms version {tv.version}, effective {fmt.long_date(tv.effective_from)}"
    return text


# --- conversions ---------------------------------------------------------------


def conversion_appendix(record) -> list[dict]:
    """Debenture 4(A) / Series J working from ``record.snapshot`` (``ConversionQuote.as_dict``)."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    if not snap:
        return []
    sections: list[dict] = []
    mp = market_price_section(_find(snap, "market_price"))
    if mp:
        sections.append(mp)
    fixed, disc, discounted, applied = (_find(snap, k) for k in ("fixed_price", "discount_pct", "discounted_price", "applied_price"))
    if applied or fixed:
        basis = _find(snap, "price_basis")
        sections.append(
            _section(
                "Conversion price",
                rows=[
                    _row("Fixed price", fmt.price(fixed)),
                    _row("Discount", fmt.percent(disc), "of the Market Price"),
                    _row("Discounted price", fmt.price(discounted), "rounded once to 4 decimal places, half up"),
                    _row(
                        "Applicable Conversion Price",
                        fmt.price(applied or record.conversion_price),
                        {"fixed": "the fixed price is the lesser", "market": "the discounted market price is the lesser"}.get(basis, ""),
                    ),
                ],
                clause=(
                    "Debenture 4(A)" if record.is_debenture
                    else f"{record.preferred.financing.series} Certificate of Designations (preferred-stock terms), SPA 1(b)(ix)"
                ),
                formula=f"conversion price = lesser of {fmt.price(fixed)} and {fmt.percent(disc)} × Market Price" if disc else "",
            )
        )
    amount = _find(snap, "amount") or record.amount
    price_used = _dec(applied) or record.conversion_price
    quotient = ""
    if _dec(amount) and price_used:
        quotient = fmt.exact((_dec(amount) / Decimal(price_used)).quantize(Decimal("0.0001")))
    sections.append(
        _section(
            "Shares",
            rows=[
                _row("Amount converted", fmt.money(amount)),
                _row("÷ conversion price", fmt.price(price_used)),
                _row("= (before rounding)", quotient),
                _row("Shares for the amount", fmt.shares(_find(snap, "shares") or record.shares_for_amount), "rounded to nearest"),
                _row("Total shares", fmt.shares(_find(snap, "total_shares") or (record.shares_issuable + record.unconverted_shares))),
            ],
            clause=(
                "Debenture 4(A) (nearest whole share)" if record.is_debenture
                else f"{record.preferred.financing.series} Certificate of Designations (whole shares)"
            ),
            formula="shares = amount converted ÷ conversion price",
        )
    )
    acc = accrual_section(
        _find(snap, "accrual"),
        payment=_find(snap, "accrual_payment"),
        cash=_find(snap, "accrual_cash"),
        shares=_find(snap, "accrual_shares"),
    )
    if acc:
        sections.append(acc)
    cap = _find(snap, "cap")
    if isinstance(cap, dict):
        sections.append(
            _section(
                "20% cap",
                rows=[
                    _row("Shares outstanding at signing", fmt.shares(cap.get("shares_outstanding_at_signing"))),
                    _row("Cap", fmt.percent(cap.get("cap_pct")) + " = " + fmt.shares(cap.get("cap_shares")) + " shares"),
                    _row("Issued before", fmt.shares(cap.get("issued_before"))),
                    _row("Room", fmt.shares(cap.get("room"))),
                    _row("Requested", fmt.shares(cap.get("requested"))),
                    _row("Within the cap", fmt.shares(cap.get("within_cap"))),
                    _row("Over the cap (Unconverted Shares)", fmt.shares(cap.get("over_cap"))),
                    _row("Stockholder approval", fmt.yes_no(cap.get("stockholder_approval"))),
                ],
                clause=cap.get("clause", "SPA 4(d)(ii), 4(i)"),
            )
        )
    delivery = [_row("Delivery Date (certificates due)", fmt.long_date(_find(snap, "delivery_date") or record.delivery_date))]
    due = _find(snap, "original_notice_due") or record.original_due_date
    if due:
        delivery.append(_row("Original Debenture and notice due", fmt.long_date(due), "5th business day after the Date of Conversion"))
    sections.append(_section("Deadlines", rows=delivery, clause="Debenture 4(A), Exhibit A" if record.is_debenture else "SPA 5(c)"))
    clauses = _find(snap, "clauses")
    if isinstance(clauses, list) and clauses:
        sections.append(_section("Clauses applied", notes=[str(c) for c in clauses]))
    sections.extend(generic_sections({k: v for k, v in snap.items() if k not in _CONSUMED_CONVERSION}, "Other recorded figures"))
    return sections


def _conversion_template(record) -> str:
    return "notices/pdf/conversion_debenture.html" if record.debenture_id else "notices/pdf/conversion_series_j.html"


def _conversion_described(record) -> Described:
    instrument = record.debenture or record.preferred
    key = instrument.number if record.debenture_id else instrument.certificate_number
    return Described(
        f"{record.instrument_label}: {fmt.money(record.amount)} converted on {record.conversion_date.isoformat()}",
        key,
        record.conversion_date,
    )


@register(
    "conversion",
    model="deals.Conversion",
    slug="notice-of-conversion",
    template=_conversion_template,
    describe=_conversion_described,
    investor=lambda r: r.investor,
    version="1",
    select_related=("investor", "terms_version", "debenture__financing__issuer", "preferred__financing__issuer"),
)
def conversion_context(record) -> dict:
    """Debenture: the text of Exhibit A, filled. Series J: the same form for preferred shares
    (Certificate of Designations not in the seeds; see docs/interpretations.md)."""
    instrument = record.debenture or record.preferred
    ctx = {
        "company_name": _company(instrument.financing.issuer),
        "holder": _holder(record.investor),
        "conversion_date": fmt.long_date(record.conversion_date),
        "conversion_price": fmt.price(record.conversion_price),
        "amount": fmt.money(record.amount),
        "appendix": conversion_appendix(record),
        "record_line": record_line(record),
    }
    if record.debenture_id:
        ctx.update(
            title="Notice of Conversion",
            debenture_number=record.debenture.number,
            original_due=fmt.long_date(record.original_due_date) if record.original_due_date else "",
        )
        return ctx
    holding = record.preferred
    stated = _dec(getattr(record.terms_version, "preferred_stated_value", None)) or (
        holding.liquidation_preference / holding.shares
    )
    pref_shares = Decimal(record.amount) / stated
    election = record.interest_election
    ctx.update(
        title="Notice of Conversion",
        series=holding.financing.series,  # the holding's own series (issue 18): "Series K" for a Series K holding
        certificate_number=holding.certificate_number,
        preferred_shares=fmt.shares(pref_shares),
        stated_value=fmt.money(stated),
        dividends=fmt.money(record.interest_amount),
        dividends_paid_in=("shares of Common Stock at the Applicable Conversion Price" if election == "shares" else "cash"),
        dividend_shares=fmt.shares(record.interest_shares) if election == "shares" else "",
        dividends_line=(
            f"{fmt.money(record.interest_amount)}, paid in Common Stock ({fmt.shares(record.interest_shares)} shares)"
            if election == "shares"
            else f"{fmt.money(record.interest_amount)}, paid in cash"
        ),
        delivery_date=fmt.long_date(record.delivery_date),
    )
    return ctx


# --- warrant exercises ------------------------------------------------------------


@register(
    "exercise",
    model="deals.WarrantExercise",
    slug="notice-of-exercise",
    template="notices/pdf/exercise.html",
    describe=lambda r: Described(
        f"Warrant {r.warrant.number}: {fmt.shares(r.shares)} shares exercised on {r.exercise_date.isoformat()}",
        r.warrant.number,
        r.exercise_date,
    ),
    investor=lambda r: r.investor,
    select_related=("investor", "terms_version", "warrant__financing__issuer"),
)
def exercise_context(record) -> dict:
    """Notice of Exercise of a warrant issued under SPA 4(h) (warrant form, SPA Annex VI, not in
    the seeds; see docs/interpretations.md)."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    appendix = [
        _section(
            "Aggregate Exercise Price",
            rows=[
                _row("Warrant Shares", fmt.shares(record.shares)),
                _row("× Exercise Price", fmt.price(record.exercise_price)),
                _row("= Aggregate Exercise Price", fmt.money(record.aggregate_price), "rounded to cents"),
                _row("Payment tendered", fmt.money(record.payment_amount), f"on {fmt.long_date(record.payment_date)}"),
            ],
            clause="SPA 4(h)",
            formula="aggregate exercise price = Warrant Shares × Exercise Price",
        )
    ]
    appendix += generic_sections(snap, "Recorded computation", skip={"terms_version"})
    return {
        "title": "Notice of Exercise",
        "company_name": _company(record.warrant.financing.issuer),
        "holder": _holder(record.investor),
        "warrant_number": record.warrant.number,
        "shares": fmt.shares(record.shares),
        "exercise_price": fmt.price(record.exercise_price),
        "aggregate_price": fmt.money(record.aggregate_price),
        "payment_amount": fmt.money(record.payment_amount),
        "payment_date": fmt.long_date(record.payment_date),
        "payment_line": f"{fmt.money(record.payment_amount)} on {fmt.long_date(record.payment_date)}",
        "exercise_date": fmt.long_date(record.exercise_date),
        "delivery_date": fmt.long_date(record.delivery_date),
        "appendix": appendix,
        "record_line": record_line(record),
    }


# --- redemptions ---------------------------------------------------------------------


@register(
    "redemption",
    model="deals.Redemption",
    slug="notice-of-redemption",
    template="notices/pdf/redemption.html",
    describe=lambda r: Described(
        f"Debenture {r.debenture.number}: redemption of {fmt.money(r.principal)} noticed {r.notice_date.isoformat()}",
        r.debenture.number,
        r.notice_date,
    ),
    investor=lambda r: r.debenture.investor,
    select_related=("terms_version", "debenture__investor", "debenture__financing__issuer"),
)
def redemption_context(record) -> dict:
    """Debenture 4(B): 120% of principal + accrued and unpaid interest, paid within 10 business
    days of the notice; the holder may convert instead within 5 business days of receipt."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    premium_pct = _find(snap, "premium_pct") or getattr(record.terms_version, "redemption_premium_pct", None) or "120"
    interest = _find(snap, "interest")
    interest_to = interest.get("end") if isinstance(interest, dict) else None
    appendix = [
        _section(
            "Redemption price",
            rows=[
                _row("Principal redeemed", fmt.money(record.principal)),
                _row(f"× {fmt.percent(premium_pct)}", fmt.money(record.premium_amount), "rounded to cents"),
                _row(
                    "+ accrued and unpaid interest",
                    fmt.money(record.interest_amount),
                    f"to {fmt.long_date(interest_to or record.payment_due_date)}",
                ),
                _row("= Redemption price", fmt.money(record.total_amount)),
            ],
            clause="Debenture 4(B)(ii)",
            formula=f"redemption price = {fmt.percent(premium_pct)} × principal + accrued and unpaid interest",
        )
    ]
    acc = accrual_section(interest, title="Accrued and unpaid interest")
    if acc:
        acc["clause"] = acc["clause"] or "Debenture (interest paragraph)"
        appendix.append(acc)
    appendix.append(
        _section(
            "Deadlines",
            rows=[
                _row("Date of this Notice", fmt.long_date(record.notice_date)),
                _row("Payment due", fmt.long_date(record.payment_due_date), "10th business day after the notice date"),
                _row("Holder's receipt", fmt.long_date(record.notice_received_date), "SPA 10 deemed-given date"),
                _row("Convert instead until", fmt.long_date(record.convert_until), "5th business day after receipt"),
            ],
            clause="Debenture 4(B)(ii); New York business days",
        )
    )
    skip = {"principal", "premium_pct", "premium_amount", "interest", "amount", "notice_date", "received_on",
            "payment_due", "convert_deadline", "payment_date", "clause", "terms_version"}  # fmt: skip
    appendix += generic_sections({k: v for k, v in snap.items() if k not in skip}, "Other recorded figures")
    return {
        "title": "Notice of Redemption",
        "company_name": _company(record.debenture.financing.issuer),
        "holder": _holder(record.debenture.investor),
        "debenture_number": record.debenture.number,
        "principal": fmt.money(record.principal),
        "premium_pct": fmt.percent(premium_pct),
        "premium_amount": fmt.money(record.premium_amount),
        "interest_amount": fmt.money(record.interest_amount),
        "interest_to": fmt.long_date(interest_to or record.payment_due_date),
        "total_amount": fmt.money(record.total_amount),
        "notice_date": fmt.long_date(record.notice_date),
        "received_date": fmt.long_date(record.notice_received_date),
        "payment_due_date": fmt.long_date(record.payment_due_date),
        "convert_until": fmt.long_date(record.convert_until),
        "appendix": appendix,
        "record_line": record_line(record),
    }


# --- liquidated damages statements ---------------------------------------------------------


def _ld_rows(snap: dict) -> list[dict]:
    rows = []
    for item in snap.get("rows") or []:
        if not isinstance(item, dict):
            continue
        line = item.get("line") if isinstance(item.get("line"), dict) else {}
        rows.append(
            {
                "computation_date": fmt.short_date(line.get("computation_date")),
                "trigger": str(item.get("trigger") or fmt.DASH),
                "trigger_clause": str(item.get("trigger_clause") or ""),
                "period": f"{fmt.short_date(line.get('first_day'))} to {fmt.short_date(line.get('computation_date'))}",
                "days": _scalar(line.get("days")),
                "base": fmt.money(line.get("base")),
                "rate": fmt.percent(line.get("period_pct") or line.get("rate_pct")),
                "amount": fmt.money(line.get("amount")),
                "due_date": fmt.short_date(line.get("due_date")),
                "paid": fmt.short_date(item.get("paid_date")) if item.get("paid_date") else "unpaid",
            }
        )
    return rows


@register(
    "ld_statement",
    model="deals.LiquidatedDamagesStatement",
    slug="liquidated-damages-statement",
    template="notices/pdf/ld_statement.html",
    describe=lambda r: Described(
        f"{r.investor.legal_name}: Periodic Amounts for {r.month:%B %Y}", fmt.file_part(r.investor.legal_name)[:40], r.month
    ),
    investor=lambda r: r.investor,
    select_related=("investor", "financing__issuer"),
)
def ld_statement_context(record) -> dict:
    """Monthly statement of Periodic Amounts (RRA 2(b)(iii)-(iv), 2(b)(vii)) for one investor,
    from the statement's snapshot (each Computation Date's line with its working)."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    outstanding = Decimal(record.total_due) - Decimal(record.total_paid)
    appendix = []
    for item in snap.get("rows") or []:
        if isinstance(item, dict) and isinstance(item.get("line"), dict):
            line = item["line"]
            appendix.append(
                _section(
                    f"Computation Date {fmt.short_date(line.get('computation_date'))} — {item.get('trigger') or ''}".strip(" —"),
                    rows=[
                        _row("Base", fmt.money(line.get("base")), str(item.get("base_working") or "")),
                        _row("Rate", fmt.percent(line.get("rate_pct")), f"per {_scalar(line.get('period_days'))} days"),
                        _row("Days", _scalar(line.get("days")), "prorated" if line.get("prorated") else ""),
                        _row("Period rate", fmt.percent(line.get("period_pct"))),
                        _row("Periodic Amount", fmt.money(line.get("amount"))),
                    ],
                    clause=str(item.get("trigger_clause") or snap.get("clause") or "RRA 2(b)"),
                    formula="Periodic Amount = base × rate × days ÷ period days",
                )
            )
    return {
        "title": "Statement of Liquidated Damages",
        "company_name": _company(record.financing.issuer),
        "holder": _holder(record.investor),
        "financing": record.financing.name,
        "month": f"{record.month:%B %Y}",
        "as_of": fmt.long_date(record.as_of),
        "rows": _ld_rows(snap),
        "total_due": fmt.money(record.total_due),
        "total_paid": fmt.money(record.total_paid),
        "outstanding": fmt.money(outstanding),
        "total_computed_to_date": fmt.money(snap.get("total_computed_to_date")) if snap.get("total_computed_to_date") else "",
        "total_paid_to_date": fmt.money(snap.get("total_paid_to_date")) if snap.get("total_paid_to_date") else "",
        "accruing": fmt.money(snap.get("accruing")) if snap.get("accruing") not in (None, "", "None") else "",
        "clause": str(snap.get("clause") or "RRA 2(b)"),
        "appendix": appendix,
        "record_line": record_line(record),
    }


# --- statement of account (issue 11) -------------------------------------------


@register(
    "account_statement",
    model="deals.AccountStatement",
    slug="statement-of-account",
    template="notices/pdf/account_statement.html",
    describe=lambda r: Described(
        f"{r.investor.legal_name}: statement of account as of {r.as_of.isoformat()}", fmt.file_part(r.investor.legal_name)[:40], r.as_of
    ),
    investor=lambda r: r.investor,
    select_related=("investor",),
)
def account_statement_context(record) -> dict:
    """Every amount owed to the investor (SPA 4(i)(y), 5(c), 5(d), 5(f); Debenture 4(A), 4(B), 10,
    maturity; RRA 2(b)), open and settled, each with its clause, from the statement's snapshot."""
    from django.apps import apps

    Issuer = apps.get_model("deals", "Issuer")  # noqa: N806 -- by label: notices never imports deals

    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    lines = []
    for item in snap.get("lines") or []:
        if not isinstance(item, dict):
            continue
        lines.append(
            {
                "due_date": fmt.short_date(item.get("due_date")),
                "label": str(item.get("label") or ""),
                "clause": str(item.get("clause") or ""),
                "description": str(item.get("description") or ""),
                "amount": fmt.money(item.get("amount")),
                "paid": fmt.money(item.get("paid")),
                "waived": fmt.money(item.get("waived")),
                "balance": fmt.money(item.get("balance")),
                "overdue": bool(item.get("overdue")),
                "entries": [
                    {
                        "date": fmt.short_date(e.get("date")),
                        "kind": str(e.get("kind") or "").capitalize(),
                        "amount": fmt.money(e.get("amount")),
                        "detail": " · ".join(str(x) for x in (e.get("method"), e.get("reference"), e.get("instrument")) if x),
                    }
                    for e in item.get("entries") or []
                    if isinstance(e, dict)
                ],
            }
        )
    totals = snap.get("totals") or {}
    return {
        "title": "Statement of Account",
        "company_name": _company(Issuer.objects.first()),
        "holder": _holder(record.investor),
        "as_of": fmt.long_date(record.as_of),
        "lines": lines,
        "total_owed": fmt.money(totals.get("amount", record.total_owed)),
        "total_paid": fmt.money(totals.get("paid", "0")),
        "total_waived": fmt.money(totals.get("waived", "0")),
        "balance": fmt.money(record.balance),
        "appendix": [],
        "record_line": str(record),
    }


# --- closing and transfers (SPA 1(c)-(e), 4(b), 5(a), 5(e), 6-8) -------------------------------


def _condition_rows(room) -> list[dict]:
    rows = []
    for c in room.conditions.select_related("decided_by").order_by("code"):
        if c.status == "waived":
            evidence = f"Waived by {c.waived_by}: {c.note}"
        elif c.status == "satisfied":
            name = c.evidence.name.rsplit("/", 1)[-1] if c.evidence else ""
            evidence = "; ".join(x for x in (name, c.note) if x)
        else:
            evidence = fmt.DASH
        who = f" ({c.decided_by.get_username()})" if c.decided_by_id else ""
        rows.append({
            "clause": c.clause, "text": c.text, "status": c.get_status_display(),
            "date": fmt.short_date(c.met_on) if c.met_on else "", "evidence": evidence + who,
        })  # fmt: skip
    return rows


@register(
    "closing_memo",
    model="deals.ClosingRoom",
    slug="closing-memorandum",
    template="notices/pdf/closing_memo.html",
    describe=lambda r: Described(
        f"{r.financing.name}: closing on {r.closing_date.isoformat() if r.closing_date else 'not yet recorded'}",
        fmt.file_part(r.financing.name)[:40],
        r.closing_date,
    ),
    investor=lambda r: None,
    select_related=("financing__issuer", "closed_by"),
)
def closing_memo_context(record) -> dict:
    """Closing memorandum: parties, amounts, the conditions with their evidence, dates (SPA 6)."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    issued = snap.get("issued") or []
    if record.financing.is_series_j:
        columns = ["Buyer", "Certificate", "Series J shares", "Liquidation preference", "Allocable Share",
                   "Purchase Price", "Warrant", "Warrant shares", "Exercise price"]  # fmt: skip
        rows = [
            [i.get("investor"), i.get("certificate"), fmt.shares(i.get("series_j_shares")), fmt.money(i.get("liquidation_preference")),
             fmt.exact(i.get("allocable_share")), fmt.money(i.get("purchase_price")), i.get("warrant"),
             fmt.shares(i.get("warrant_shares")), fmt.price((i.get("warrant_terms") or {}).get("exercise_price"))]
            for i in issued
        ]  # fmt: skip
        wt = (issued[0].get("warrant_terms") or {}) if issued else {}
        extra = [
            _row("Closing bid, trading day before Closing (SPA 4(h))",
                 f"{fmt.price(snap.get('closing_bid'))} on {fmt.short_date(snap.get('pricing_day'))}"),
            _row("Warrant expiry (SPA 4(h))", fmt.long_date(wt.get("expiry"))),
            _row("Initial Closing Date (RRA 2(a))", fmt.long_date(record.closing_date)),
        ]  # fmt: skip
        security = "Series J Convertible Preferred Stock and Warrants"
    else:
        columns = ["Buyer", "Debenture", "Principal", "Allocable share", "Purchase Price"]
        rows = [[i.get("investor"), i.get("debenture"), fmt.money(i.get("principal")), fmt.exact(i.get("allocable_share")),
                 fmt.money(i.get("purchase_price"))] for i in issued]  # fmt: skip
        conv = snap.get("convertibility") or {}
        extra = [
            _row("Maturity Date", fmt.long_date(snap.get("maturity_date"))),
            _row("Record date for the maturity payment", fmt.long_date(snap.get("record_date"))),
            _row("One-half convertible from (Debenture 4(A))", fmt.long_date(conv.get("first_tranche_from"))),
            _row("Balance convertible from (Debenture 4(A))", fmt.long_date(conv.get("full_from"))),
        ]
        security = "6% Convertible Debentures"
    deposits = [
        {"buyer": d.subscription.investor.legal_name, "date": fmt.short_date(d.deposited_on), "amount": fmt.money(d.amount),
         "reference": d.reference}
        for d in record.deposits.select_related("subscription__investor").order_by("deposited_on", "id")
    ]  # fmt: skip
    closing = snap.get("closing") or {}
    escrow = snap.get("escrow") or {}
    return {
        "title": "Closing memorandum",
        "company_name": _company(record.financing.issuer),
        "financing": record.financing.name,
        "security": security,
        "escrow_agent": record.financing.escrow_agent or "the Escrow Agent",
        "closing_date": fmt.long_date(record.closing_date),
        "last_met": fmt.long_date(closing.get("last_condition_met_on")),
        "acceptance_date": fmt.long_date(record.acceptance_date),
        "escrow_due": fmt.long_date(escrow.get("due")),
        "total_subscribed": fmt.money(snap.get("total_subscribed")),
        "total_deposited": fmt.money(snap.get("total_deposited")),
        "extra_rows": extra,
        "issued_columns": columns,
        "issued_rows": rows,
        "deposits": deposits,
        "conditions": _condition_rows(record),
        "closed_by": record.closed_by.get_username() if record.closed_by_id else fmt.DASH,
        "closed_at": record.closed_at.strftime("%Y-%m-%d %H:%M UTC") if record.closed_at else fmt.DASH,
        "terms_version": snap.get("terms_version", fmt.DASH),
    }


@register(
    "legend_removal",
    model="deals.LegendRemoval",
    slug="legend-removal-instruction",
    template="notices/pdf/ta_letter.html",
    describe=lambda r: Described(
        f"{r.investor.legal_name}: remove the legend from {r.certificate}", fmt.file_part(r.certificate)[:40], r.opinion_received
    ),
    investor=lambda r: r.investor,
    select_related=("investor", "financing__issuer"),
)
def legend_removal_context(record) -> dict:
    """Instruction to the transfer agent to issue certificates without the SPA 4(b) legend."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    qty = fmt.money(record.quantity) if record.security == "debenture" else fmt.shares(record.quantity)
    return {
        "title": "Legend removal instruction",
        "company_name": _company(record.financing.issuer),
        "letter_date": fmt.long_date(record.opinion_received),
        "heading": "INSTRUCTION TO REMOVE RESTRICTIVE LEGEND",
        "paragraphs": [
            f"{record.investor.legal_name} has surrendered certificate(s) {record.certificate} representing {qty} of "
            f"{record.get_security_display()} bearing the restrictive legend required by Section 4(b) of the Securities "
            "Purchase Agreement, and has delivered an opinion of counsel reasonably satisfactory to the Company.",
            f"Basis: {record.get_basis_display()}. Please issue one or more certificates for the same securities, without "
            "the legend, in the name of the holder and in the denominations the holder specifies, and lift any "
            "stop-transfer order relating to them. The Company bears the cost of the removal (SPA 4(b)).",
        ],
        "rows": [
            _row("Holder", record.investor.legal_name),
            _row("Certificate(s) surrendered", record.certificate),
            _row("Quantity", qty),
            _row("Opinion of counsel", f"{record.counsel}, dated {fmt.long_date(record.opinion_date)}"),
            _row("Opinion received", fmt.long_date(record.opinion_received)),
            _row("Instruction due by (SPA 4(b), 5(a))", fmt.long_date(record.due_date)),
        ],
        "legend": snap.get("legend", ""),
        "legend_clause": "SPA 4(b)",
        "footnote": "SPA 5(a): upon an opinion of counsel that registration is not required, the Company shall promptly "
        "instruct its transfer agent to issue certificates without legend.",
    }


@register(
    "ta_instruction",
    model="deals.TransferAgentInstruction",
    slug="share-delivery-instruction",
    template="notices/pdf/ta_letter.html",
    describe=lambda r: Described(
        f"{r.investor.legal_name}: deliver {fmt.shares(r.shares)} shares"
        + (f" (conversion #{r.conversion_id})" if r.conversion_id else f" (exercise #{r.exercise_id})"),
        f"{'conversion' if r.conversion_id else 'exercise'}-{r.conversion_id or r.exercise_id}",
        r.instruction_date,
    ),
    investor=lambda r: r.investor,
    select_related=(
        "investor",
        "conversion__debenture__financing__issuer",
        "conversion__preferred__financing__issuer",
        "exercise__warrant__financing__issuer",
    ),  # fmt: skip
)
def ta_instruction_context(record) -> dict:
    """Instruction to issue Common Stock on a conversion or exercise (SPA 5(a)); DWAC (SPA 5(e))."""
    snap = record.snapshot if isinstance(record.snapshot, dict) else {}
    src = record.conversion or record.exercise
    if record.conversion_id:
        inst = src.debenture or src.preferred
        what = f"the Notice of Conversion of {inst.label} dated {fmt.long_date(src.conversion_date)}"
        due = src.delivery_date
    else:
        inst = src.warrant
        what = f"the exercise of Warrant {inst.number} on {fmt.long_date(src.exercise_date)}"
        due = src.delivery_date
    if record.dwac:
        how = (f"by crediting the account of the holder's Prime Broker, {record.prime_broker or 'as named'}, DTC participant "
               f"{record.dtc_participant}, through the DTC Deposit Withdrawal Agent Commission (DWAC) system (SPA 5(e)).")  # fmt: skip
    else:
        how = "by physical certificates delivered to the holder at its address for notices."
    return {
        "title": "Share delivery instruction",
        "company_name": _company(inst.financing.issuer),
        "letter_date": fmt.long_date(record.instruction_date),
        "heading": "INSTRUCTION TO ISSUE COMMON STOCK",
        "paragraphs": [
            f"Pursuant to {what}, please issue {fmt.shares(record.shares)} shares of Common Stock registered in the name of "
            f"{record.registered_name}" + (f" in denominations of {record.denominations}" if record.denominations else "") + f", {how}",
            "The shares SHALL bear the restrictive legend below (SPA 4(b), 5(a): prior to registration of the Shares)."
            if record.legended
            else "The shares are covered by an effective Registration Statement and shall be issued WITHOUT legend.",
        ],
        "rows": [
            _row("Shares", fmt.shares(record.shares)),
            _row("Registered in the name of", record.registered_name),
            _row("Delivery", "DWAC (SPA 5(e))" if record.dwac else "Certificates"),
            _row("Legend", "Yes (SPA 4(b))" if record.legended else "No"),
            _row("Delivery Date", fmt.long_date(due)),
        ],
        "legend": snap.get("legend", "") if record.legended else "",
        "legend_clause": "SPA 4(b)",
        "footnote": "Figures from the record of the conversion or exercise; SPA 5(a) forbids instructions inconsistent with "
        "issuing the shares on conversion.",
    }
