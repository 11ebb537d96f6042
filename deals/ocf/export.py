"""OCF 1.2.0 export of the deal: manifest, stakeholders, stock classes (Common, Series J),
financings, transactions and notice documents, in one zip. Every file is validated against the
vendored schemas before the archive is returned (``OcfInvalid`` lists every error).

Mapping (docs/interpretations.md, "OCF export"):
- Series J holdings -> TX_STOCK_ISSUANCE of class ``series-j``; Debentures -> TX_CONVERTIBLE_ISSUANCE
  (NOTE) with an ELECTIVE_IN_RANGE trigger (Closing .. maturity) and a CUSTOM conversion mechanism
  quoting Debenture 4(A); warrants -> TX_WARRANT_ISSUANCE (FIXED_AMOUNT into Common).
- Conversions in effect -> a Common TX_STOCK_ISSUANCE (share price = the conversion price) plus
  TX_CONVERTIBLE_CONVERSION (debentures) or TX_STOCK_CONVERSION (Series J); revoked and dishonoured
  conversions never took effect and are left out. Exercises -> Common issuance + TX_WARRANT_EXERCISE.
  Dishonoured exercises (SPA 5(f)) gave the warrant shares back and are left out too.
  Paid redemptions -> TX_CONVERTIBLE_CANCELLATION.
- Cap remedies (SPA 4(i)): (x) -> a Common TX_STOCK_ISSUANCE at the remedy price plus a
  TX_STOCK_CONVERSION of the Unconverted Shares of Series J; (y) -> TX_STOCK_CANCELLATION of those
  Series J shares (redeemed for cash; the amount is in ``reason_text``).
- Transfers (SPA 4(a); Debenture 3; RRA 9) -> TX_STOCK_TRANSFER (Series J, in shares),
  TX_WARRANT_TRANSFER, TX_CONVERTIBLE_TRANSFER (debentures; an exchange of denominations under
  Debenture 1 is a transfer to the same holder). The new certificate / warrant / D-number is an
  issuance dated the transfer date (``resulting_security_ids``); the transferor keeps the balance
  on its own certificate, so there is no ``balance_security_id``.
- Facts OCF has no field for (original issue date of a transferred-in security, the remedy's
  conversion and amount, the transfer's notice date) ride in one comment ``NHTC {json}`` that the
  importer (deals/services/ocf.py) reads back.
- The Common Stock outstanding at signing (SPA 3(c)) is one aggregate issuance to the stakeholder
  ``existing-holders``.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from deals.models import (
    CapRemedy,
    Conversion,
    ConversionStatus,
    Debenture,
    Financing,
    Investor,
    Issuer,
    PreferredHolding,
    Redemption,
    RedemptionStatus,
    Transfer,
    Warrant,
    WarrantExercise,
)

from .validate import validation_errors

OCF_VERSION = "1.2.0"
EXISTING = "existing-holders"
EXEMPTION = [{"description": "Regulation S / Section 4(2) private placement (SPA 2)", "jurisdiction": "US"}]
CONVERSION_EXEMPTION = [{"description": "Section 3(a)(9) exchange with existing security holders", "jurisdiction": "US"}]
US_STATES = {"florida": "FL", "delaware": "DE", "new york": "NY", "nevada": "NV", "texas": "TX", "california": "CA"}
LIVE = (ConversionStatus.PENDING_DELIVERY, ConversionStatus.DELIVERED)


class OcfInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        lines = [f"{name}: {e}" for name, errs in errors.items() for e in errs[:20]]
        super().__init__("The OCF export does not validate against the OCF 1.2.0 schemas:\n" + "\n".join(lines))


def usd(amount) -> dict:
    return {"amount": _num(amount), "currency": "USD"}


def _num(value) -> str:
    d = Decimal(value).normalize()
    text = format(d, "f")
    if "." in text:
        whole, frac = text.split(".")
        text = f"{whole}.{frac[:10]}".rstrip("0").rstrip(".")
    return text


NHTC_TAG = "NHTC "


def nhtc_comment(facts: dict) -> str:
    """Facts the back office needs on import that OCF has no field for (read by ``nhtc_facts``)."""
    return NHTC_TAG + json.dumps(facts, sort_keys=True, default=str)


def nhtc_facts(obj: dict) -> dict:
    for comment in obj.get("comments", []):
        if comment.startswith(NHTC_TAG):
            return json.loads(comment[len(NHTC_TAG) :])
    return {}


def sec(prefix: str, pk) -> str:
    return f"sec-{prefix}-{pk}"


@dataclass
class OcfPackage:
    files: dict[str, dict]
    documents: dict[str, bytes]

    def as_zip(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, doc in self.files.items():
                z.writestr(name, json.dumps(doc, indent=2, sort_keys=True))
            for name, data in self.documents.items():
                z.writestr(name, data)
        return buf.getvalue()


def _file(file_type: str, items: list) -> dict:
    return {"file_type": file_type, "items": items}


def _md5(doc: dict) -> str:
    return hashlib.md5(json.dumps(doc, indent=2, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def build_package(*, as_of: datetime.date | None = None) -> OcfPackage:
    """The deal as OCF files (validated). Read-only."""
    issuer = Issuer.objects.order_by("pk").first()
    if issuer is None:
        raise OcfInvalid({"issuer": ["No Issuer is recorded; nothing to export."]})
    as_of = as_of or timezone.localdate()
    investors = list(Investor.objects.order_by("pk"))
    debs = list(Debenture.objects.order_by("pk"))
    prefs = list(PreferredHolding.objects.order_by("pk"))
    warrants = list(Warrant.objects.order_by("pk"))
    financings = list(Financing.objects.order_by("pk"))
    first_day = min(
        [d.issue_date for d in debs]
        + [p.closing_date for p in prefs]
        + [w.issue_date for w in warrants]
        + [f.agreement_date for f in financings if f.agreement_date]
        + [as_of]
    )

    issuer_obj = {
        "id": f"issuer-{issuer.pk}",
        "object_type": "ISSUER",
        "legal_name": issuer.name,
        "formation_date": first_day.isoformat(),
        "country_of_formation": "US",
        "initial_shares_authorized": str(issuer.authorized_common_shares),
        "comments": ["formation_date: not recorded in the back office; the earliest agreement or issue date is given."],
    }
    state = US_STATES.get(issuer.state_of_incorporation.strip().lower())
    if state:
        issuer_obj["country_subdivision_of_formation"] = state

    stakeholders = [
        {
            "id": EXISTING,
            "object_type": "STAKEHOLDER",
            "stakeholder_type": "INSTITUTION",
            "current_relationship": "OTHER",
            "name": {"legal_name": "Other holders of Common Stock (outstanding at signing, SPA 3(c))"},
        }
    ]
    for inv in investors:
        stakeholders.append(
            {
                "id": f"inv-{inv.pk}",
                "object_type": "STAKEHOLDER",
                "name": {"legal_name": inv.legal_name},
                "stakeholder_type": "INDIVIDUAL" if inv.kind == Investor.Kind.PERSON else "INSTITUTION",
                "current_relationship": "INVESTOR",
                "issuer_assigned_id": str(inv.pk),
            }
        )

    sj_shares = sum(p.shares for p in prefs)
    classes = [
        {
            "id": "common",
            "object_type": "STOCK_CLASS",
            "name": "Common Stock",
            "class_type": "COMMON",
            "default_id_prefix": "CS-",
            "initial_shares_authorized": str(issuer.authorized_common_shares),
            "votes_per_share": "1",
            "seniority": "1",
            "par_value": usd(issuer.par_value),
        },
        {
            "id": "series-j",
            "object_type": "STOCK_CLASS",
            "name": "Series J Convertible Preferred Stock",
            "class_type": "PREFERRED",
            "default_id_prefix": "J-",
            "initial_shares_authorized": str(max(sj_shares, 1)),
            "votes_per_share": "0",
            "seniority": "2",
            "price_per_share": usd(1000),
            "liquidation_preference_multiple": "1",
            "comments": [
                "Converts into Common Stock at a price-based rate (Series J CoD; SPA 1(b)(ix)): "
                "liquidation preference / the lesser of the Fixed Price and the discounted Market Price."
            ],
        },
    ]

    transfers = list(
        Transfer.objects.select_related("preferred", "warrant", "debenture")
        .prefetch_related("new_debentures")
        .order_by("transfer_date", "pk")
    )
    # a security issued on a transfer or exchange: dated the transfer date, not part of its financing's sale
    issued_by: dict[str, Transfer] = {}
    for t in transfers:
        if t.new_preferred_id:
            issued_by[sec("sj", t.new_preferred_id)] = t
        if t.new_warrant_id:
            issued_by[sec("w", t.new_warrant_id)] = t
        for nd in t.new_debentures.all():
            issued_by[sec("deb", nd.pk)] = t

    def on_transfer(obj: dict, original: datetime.date) -> tuple[datetime.date, bool]:
        """Re-date ``obj`` to its transfer (keeping the original issue date in the NHTC comment)."""
        t = issued_by.get(obj["security_id"])
        if t is None:
            return original, False
        what = "exchange (Debenture 1)" if t.kind == Transfer.Kind.EXCHANGE else "transfer"
        obj["date"] = t.transfer_date.isoformat()
        obj["comments"] = [
            *obj.get("comments", []),
            f"Issued on the {what} #{t.pk} of {t.source_label}; interest, dividends and terms run from {original.isoformat()}.",
            nhtc_comment({"original_date": original.isoformat(), "transfer": f"tx-tr-{t.pk}"}),
        ]
        return t.transfer_date, True

    tx: list[tuple] = []  # (date, order, object)
    by_financing: dict[int, list[str]] = {f.pk: [] for f in financings}
    tx.append(
        (
            first_day,
            0,
            {
                "id": "tx-cs-existing",
                "object_type": "TX_STOCK_ISSUANCE",
                "security_id": "sec-cs-existing",
                "custom_id": "CS-EXISTING",
                "stakeholder_id": EXISTING,
                "stock_class_id": "common",
                "date": first_day.isoformat(),
                "quantity": str(issuer.shares_outstanding_at_signing),
                "share_price": usd(issuer.par_value),
                "stock_legend_ids": [],
                "security_law_exemptions": [],
                "consideration_text": "Common Stock outstanding at the date of the SPA (SPA 3(c)); one aggregate position.",
            },
        )
    )
    for p in prefs:
        obj = {
            "id": f"tx-sj-{p.pk}",
            "object_type": "TX_STOCK_ISSUANCE",
            "security_id": sec("sj", p.pk),
            "custom_id": p.certificate_number,
            "stakeholder_id": f"inv-{p.investor_id}",
            "stock_class_id": "series-j",
            "date": p.closing_date.isoformat(),
            "quantity": str(p.shares),
            "share_price": usd(p.purchase_price / p.shares),
            "stock_legend_ids": [],
            "security_law_exemptions": EXEMPTION,
        }
        day, transferred = on_transfer(obj, p.closing_date)
        tx.append((day, 1, obj))
        if not transferred:
            by_financing.setdefault(p.financing_id, []).append(obj["id"])
    for d in debs:
        obj = {
            "id": f"tx-deb-{d.pk}",
            "object_type": "TX_CONVERTIBLE_ISSUANCE",
            "security_id": sec("deb", d.pk),
            "custom_id": d.number,
            "stakeholder_id": f"inv-{d.investor_id}",
            "date": d.issue_date.isoformat(),
            "investment_amount": usd(d.principal),
            "convertible_type": "NOTE",
            "seniority": 1,
            "security_law_exemptions": EXEMPTION,
            "conversion_triggers": [
                {
                    "trigger_id": f"deb-{d.pk}-elective",
                    "type": "ELECTIVE_IN_RANGE",
                    "nickname": "Holder's conversion (Debenture 4(A))",
                    "start_date": d.closing_date.isoformat(),
                    "end_date": d.maturity_date.isoformat(),
                    "trigger_description": "Half the principal is convertible from 90 days and all of it from 120 days after the Closing.",
                    "conversion_right": {
                        "type": "CONVERTIBLE_CONVERSION_RIGHT",
                        "converts_to_stock_class_id": "common",
                        "conversion_mechanism": {
                            "type": "CUSTOM_CONVERSION",
                            "custom_conversion_description": (
                                "Debenture 4(A): principal converted / the lesser of the Fixed Conversion Price and the discounted "
                                "average closing bid of the trading days immediately preceding the Conversion Date, rounded to the "
                                "nearest whole share; interest in cash or Common Stock at the holder's option."
                            ),
                        },
                    },
                }
            ],
            "comments": [
                f'Dated {d.dated_date.isoformat()} ("the date hereof"); matures {d.maturity_date.isoformat()}; 6% interest (Debenture).'
            ],
        }
        day, transferred = on_transfer(obj, d.issue_date)
        tx.append((day, 1, obj))
        if not transferred:
            by_financing.setdefault(d.financing_id, []).append(obj["id"])
    for w in warrants:
        obj = {
            "id": f"tx-w-{w.pk}",
            "object_type": "TX_WARRANT_ISSUANCE",
            "security_id": sec("w", w.pk),
            "custom_id": w.number,
            "stakeholder_id": f"inv-{w.investor_id}",
            "date": w.issue_date.isoformat(),
            "quantity": str(w.shares),
            "exercise_price": usd(w.exercise_price),
            "purchase_price": usd(0),
            "warrant_expiration_date": w.expiry_date.isoformat(),
            "security_law_exemptions": EXEMPTION,
            "exercise_triggers": [
                {
                    "trigger_id": f"w-{w.pk}-exercise",
                    "type": "ELECTIVE_IN_RANGE",
                    "nickname": "Exercise (SPA 4(h))",
                    "start_date": w.issue_date.isoformat(),
                    "end_date": w.expiry_date.isoformat(),
                    "conversion_right": {
                        "type": "WARRANT_CONVERSION_RIGHT",
                        "converts_to_stock_class_id": "common",
                        "conversion_mechanism": {"type": "FIXED_AMOUNT_CONVERSION", "converts_to_quantity": str(w.shares)},
                    },
                }
            ],
        }
        day, transferred = on_transfer(obj, w.issue_date)
        tx.append((day, 1, obj))
        if not transferred:
            by_financing.setdefault(w.financing_id, []).append(obj["id"])

    related: dict[tuple[str, int], dict] = {}
    conversions = (
        Conversion.objects.filter(status__in=LIVE).select_related("debenture", "preferred__financing").order_by("conversion_date", "pk")
    )
    for c in conversions:
        common_sec = sec("cs-conv", c.pk)
        tx.append(
            (
                c.conversion_date,
                2,
                {
                    "id": f"tx-cs-conv-{c.pk}",
                    "object_type": "TX_STOCK_ISSUANCE",
                    "security_id": common_sec,
                    "custom_id": f"CS-C{c.pk}",
                    "stakeholder_id": f"inv-{c.investor_id}",
                    "stock_class_id": "common",
                    "date": c.conversion_date.isoformat(),
                    "quantity": str(c.shares_issuable),
                    "share_price": usd(c.conversion_price),
                    "stock_legend_ids": [],
                    "security_law_exemptions": CONVERSION_EXEMPTION,
                },
            )
        )
        applied = (c.snapshot or {}).get("applied", {})
        # OCF carries what converted; the Notice's own amount and the Unconverted Shares (SPA 4(i)) ride along
        notice = nhtc_comment({"notice_amount": str(c.amount), "unconverted_shares": c.unconverted_shares})
        if c.debenture_id:
            obj = {
                "id": f"tx-conv-{c.pk}",
                "object_type": "TX_CONVERTIBLE_CONVERSION",
                "security_id": sec("deb", c.debenture_id),
                "date": c.conversion_date.isoformat(),
                "trigger_id": f"deb-{c.debenture_id}-elective",
                "reason_text": f"Notice of Conversion #{c.pk} (Debenture 4(A))",
                "quantity_converted": _num(applied.get("amount_converted", c.amount)),
                "resulting_security_ids": [common_sec],
                "comments": [notice],
            }
        else:
            stated = c.preferred.liquidation_preference / c.preferred.shares
            converted = Decimal(applied.get("amount_converted", c.amount))
            obj = {
                "id": f"tx-conv-{c.pk}",
                "object_type": "TX_STOCK_CONVERSION",
                "security_id": sec("sj", c.preferred_id),
                "date": c.conversion_date.isoformat(),
                "quantity_converted": _num(converted / stated),
                "resulting_security_ids": [common_sec],
                "comments": [notice],
            }
        tx.append((c.conversion_date, 3, obj))
        related[("conversion", c.pk)] = {"object_type": obj["object_type"], "object_id": obj["id"]}
    live_conversions = {c.pk for c in conversions}
    for r in CapRemedy.objects.select_related("conversion").order_by("chosen_date", "pk"):
        c = r.conversion
        if c.pk not in live_conversions or not c.preferred_id:
            continue  # remedies follow a conversion in effect (SPA 4(i)); Series J only
        facts = {"conversion": f"tx-conv-{c.pk}", "remedy": r.remedy, "unconverted_shares": r.unconverted_shares}
        if r.remedy == CapRemedy.Remedy.X_PRICE:
            common_sec = sec("cs-remx", r.pk)
            price = Decimal((r.snapshot.get("window_price") or {}).get("average", "0"))
            tx.append(
                (
                    r.chosen_date,
                    2,
                    {
                        "id": f"tx-cs-remx-{r.pk}",
                        "object_type": "TX_STOCK_ISSUANCE",
                        "security_id": common_sec,
                        "custom_id": f"CS-X{r.pk}",
                        "stakeholder_id": f"inv-{c.investor_id}",
                        "stock_class_id": "common",
                        "date": r.chosen_date.isoformat(),
                        "quantity": str(r.snapshot["shares"]),
                        "share_price": usd(price),
                        "stock_legend_ids": [],
                        "security_law_exemptions": CONVERSION_EXEMPTION,
                        "comments": [f"SPA 4(i)(x): {r.unconverted_shares} Unconverted Share(s) of Conversion #{c.pk} at the remedy price"],
                    },
                )
            )
            obj = {
                "id": f"tx-remx-{r.pk}",
                "object_type": "TX_STOCK_CONVERSION",
                "security_id": sec("sj", c.preferred_id),
                "date": r.chosen_date.isoformat(),
                "quantity_converted": str(r.unconverted_shares),
                "resulting_security_ids": [common_sec],
                "comments": [
                    f"Cap remedy (x) for Conversion #{c.pk} (SPA 4(i)(x)): the lowest 5-day average closing price "
                    "in the 60 trading days before the notice.",
                    nhtc_comment(facts),
                ],
            }
            tx.append((r.chosen_date, 3, obj))
        else:
            facts.update(amount=str(r.amount) if r.amount is not None else None, due_date=r.due_date)
            obj = {
                "id": f"tx-remy-{r.pk}",
                "object_type": "TX_STOCK_CANCELLATION",
                "security_id": sec("sj", c.preferred_id),
                "date": r.chosen_date.isoformat(),
                "quantity": str(r.unconverted_shares),
                "reason_text": (
                    f"Cap Limitation Redemption (SPA 4(i)(y)) of {r.unconverted_shares} Unconverted Share(s) of Conversion #{c.pk}"
                    + (f" for ${r.amount:,.2f} due {r.due_date.isoformat()}" if r.amount is not None and r.due_date else "")
                ),
                "comments": [nhtc_comment(facts)],
            }
            tx.append((r.chosen_date, 4, obj))
        related[("capremedy", r.pk)] = {"object_type": obj["object_type"], "object_id": obj["id"]}
    for e in WarrantExercise.objects.exclude(status=WarrantExercise.Status.DISHONOURED).order_by("exercise_date", "pk"):
        common_sec = sec("cs-ex", e.pk)
        tx.append(
            (
                e.exercise_date,
                2,
                {
                    "id": f"tx-cs-ex-{e.pk}",
                    "object_type": "TX_STOCK_ISSUANCE",
                    "security_id": common_sec,
                    "custom_id": f"CS-E{e.pk}",
                    "stakeholder_id": f"inv-{e.investor_id}",
                    "stock_class_id": "common",
                    "date": e.exercise_date.isoformat(),
                    "quantity": str(e.shares),
                    "share_price": usd(e.exercise_price),
                    "stock_legend_ids": [],
                    "security_law_exemptions": EXEMPTION,
                },
            )
        )
        obj = {
            "id": f"tx-ex-{e.pk}",
            "object_type": "TX_WARRANT_EXERCISE",
            "security_id": sec("w", e.warrant_id),
            "date": e.exercise_date.isoformat(),
            "trigger_id": f"w-{e.warrant_id}-exercise",
            "resulting_security_ids": [common_sec],
            "consideration_text": f"${e.payment_amount:,.2f} paid on {e.payment_date.isoformat()} for {e.shares:,} shares (SPA 4(h))",
        }
        tx.append((e.exercise_date, 3, obj))
        related[("warrantexercise", e.pk)] = {"object_type": obj["object_type"], "object_id": obj["id"]}
    for r in Redemption.objects.filter(status=RedemptionStatus.PAID).order_by("payment_date", "pk"):
        obj = {
            "id": f"tx-red-{r.pk}",
            "object_type": "TX_CONVERTIBLE_CANCELLATION",
            "security_id": sec("deb", r.debenture_id),
            "date": r.payment_date.isoformat(),
            "amount": usd(r.principal),
            "reason_text": f"Redeemed under Debenture 4(B) for ${r.total_amount:,.2f} (Notice of Redemption {r.notice_date.isoformat()})",
        }
        tx.append((r.payment_date, 4, obj))
        related[("redemption", r.pk)] = {"object_type": obj["object_type"], "object_id": obj["id"]}
    for t in transfers:
        exchange = t.kind == Transfer.Kind.EXCHANGE
        facts = {"kind": t.kind, "notice_to_company_date": t.notice_to_company_date, "transferee": f"inv-{t.transferee_id}"}
        what = "Exchange of denominations (Debenture 1), same holder" if exchange else f"Transfer #{t.pk} (SPA 4(a); RRA 9)"
        base = {"id": f"tx-tr-{t.pk}", "date": t.transfer_date.isoformat(), "comments": [what, nhtc_comment(facts)]}
        if t.preferred_id:
            stated = t.preferred.liquidation_preference / t.preferred.shares
            obj = {
                **base,
                "object_type": "TX_STOCK_TRANSFER",
                "security_id": sec("sj", t.preferred_id),
                "quantity": _num(t.amount / stated),
                "resulting_security_ids": [sec("sj", t.new_preferred_id)] if t.new_preferred_id else [],
            }
        elif t.warrant_id:
            obj = {
                **base,
                "object_type": "TX_WARRANT_TRANSFER",
                "security_id": sec("w", t.warrant_id),
                "quantity": str(t.warrant_shares),
                "resulting_security_ids": [sec("w", t.new_warrant_id)] if t.new_warrant_id else [],
            }
        else:
            obj = {
                **base,
                "object_type": "TX_CONVERTIBLE_TRANSFER",
                "security_id": sec("deb", t.debenture_id),
                "amount": usd(t.amount),
                "resulting_security_ids": [sec("deb", nd.pk) for nd in sorted(t.new_debentures.all(), key=lambda d: d.pk)],
            }
        tx.append((t.transfer_date, 5, obj))
        related[("transfer", t.pk)] = {"object_type": obj["object_type"], "object_id": obj["id"]}
    tx.sort(key=lambda t: (t[0], t[1], t[2]["id"]))

    fin_items = []
    for f in financings:
        ids = by_financing.get(f.pk) or []
        if ids:
            day = f.initial_closing_date or f.agreement_date or first_day
            fin_items.append(
                {"id": f"fin-{f.pk}", "object_type": "FINANCING", "name": f.name, "date": day.isoformat(), "issuance_ids": ids}
            )

    documents, doc_items = {}, []
    from notices.models import Notice

    for n in Notice.objects.filter(status="rendered").exclude(file="").select_related("content_type").order_by("pk"):
        ref = related.get((n.content_type.model, n.object_id))
        try:
            with n.file.open("rb") as fh:
                data = fh.read()
        except OSError:
            continue
        path = f"documents/N-{n.pk}-{n.file_name}"
        documents[path] = data
        item = {"id": f"doc-{n.pk}", "object_type": "DOCUMENT", "path": path, "md5": hashlib.md5(data, usedforsecurity=False).hexdigest()}
        if ref:
            item["related_objects"] = [ref]
        doc_items.append(item)

    files = {
        "Stakeholders.ocf.json": _file("OCF_STAKEHOLDERS_FILE", stakeholders),
        "StockClasses.ocf.json": _file("OCF_STOCK_CLASSES_FILE", classes),
        "Transactions.ocf.json": _file("OCF_TRANSACTIONS_FILE", [t[2] for t in tx]),
        "Financings.ocf.json": _file("OCF_FINANCINGS_FILE", fin_items),
        "Documents.ocf.json": _file("OCF_DOCUMENTS_FILE", doc_items),
    }

    def ref(name):
        return [{"filepath": name, "md5": _md5(files[name])}]

    manifest = {
        "ocf_version": OCF_VERSION,
        "file_type": "OCF_MANIFEST_FILE",
        "issuer": issuer_obj,
        "as_of": as_of.isoformat(),
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
        "comments": ["Exported by the NHTC back office (mapping: docs/interpretations.md, OCF export)."],
        "stakeholders_files": ref("Stakeholders.ocf.json"),
        "stock_classes_files": ref("StockClasses.ocf.json"),
        "transactions_files": ref("Transactions.ocf.json"),
        "financings_files": ref("Financings.ocf.json"),
        "documents_files": ref("Documents.ocf.json"),
        "stock_plans_files": [],
        "stock_legend_templates_files": [],
        "valuations_files": [],
        "vesting_terms_files": [],
    }
    files = {"Manifest.ocf.json": manifest, **files}
    errors = {name: errs for name, doc in files.items() if (errs := validation_errors(doc))}
    if errors:
        raise OcfInvalid(errors)
    return OcfPackage(files=files, documents=documents)


def ocf_export(*, as_of: datetime.date | None = None) -> bytes:
    """The validated OCF zip (Manifest.ocf.json first)."""
    return build_package(as_of=as_of).as_zip()
