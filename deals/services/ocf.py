"""Import an OCF 1.2.0 package (as written by ``deals.ocf.export``) into an empty database:
issuer, stakeholders, financings, instruments, conversions, exercises, cap remedies (SPA 4(i)) and
transfers/exchanges. All or nothing; the package is validated against the vendored schemas and its
manifest checksums first. Balances that follow from transactions (outstanding principal and
liquidation preference, warrant shares remaining) are rebuilt from them; the ledger is not."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal

from django.db import transaction

from deals.models import (
    CapRemedy,
    Conversion,
    ConversionStatus,
    DealTermsVersion,
    Debenture,
    Financing,
    InstrumentStatus,
    Investor,
    Issuer,
    PreferredHolding,
    SecurityKind,
    Transfer,
    Warrant,
    WarrantExercise,
)
from deals.ocf.export import EXISTING, US_STATES, nhtc_facts
from deals.ocf.validate import validation_errors
from deals.services.conversions import WorkflowError
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.rounding import to_cents

MAX_ARCHIVE = 50 * 1024 * 1024


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _original(issuance: dict) -> datetime.date:
    """The issue date a transferred-in security keeps (Series J closing date, Debenture issue
    date); the issuance date for a security sold in its financing."""
    original = nhtc_facts(issuance).get("original_date")
    return _day(original) if original else _day(issuance["date"])


def _dated(issuance: dict) -> datetime.date:
    """The Debenture's "date hereof", carried in the export's comments ("Dated YYYY-MM-DD ...");
    the issuance date when absent."""
    for comment in issuance.get("comments", []):
        if comment.startswith("Dated ") and len(comment) >= 16:
            try:
                return _day(comment[6:16])
            except ValueError:
                pass
    return _day(issuance["date"])


def read_package(archive: bytes) -> dict[str, dict]:
    """The package's JSON files by name, validated, checksums matched. WorkflowError otherwise."""
    if len(archive) > MAX_ARCHIVE:
        raise WorkflowError("The OCF archive is larger than 50 MB.", code="too_large")
    try:
        z = zipfile.ZipFile(io.BytesIO(archive))
        manifest = json.loads(z.read("Manifest.ocf.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise WorkflowError(f"Not an OCF package (a zip with Manifest.ocf.json): {err}", code="invalid")
    files = {"Manifest.ocf.json": manifest}
    errors = validation_errors(manifest)
    for key in ("stakeholders_files", "stock_classes_files", "transactions_files", "financings_files", "documents_files"):
        for ref in manifest.get(key, []):
            try:
                raw = z.read(ref["filepath"])
            except KeyError:
                errors.append(f"{ref['filepath']}: listed in the manifest but missing from the archive")
                continue
            doc = json.loads(raw)
            if (
                hashlib.md5(json.dumps(doc, indent=2, sort_keys=True).encode(), usedforsecurity=False).hexdigest() != ref["md5"]
                and hashlib.md5(raw, usedforsecurity=False).hexdigest() != ref["md5"]
            ):
                errors.append(f"{ref['filepath']}: MD5 does not match the manifest")
            errors += [f"{ref['filepath']}: {e}" for e in validation_errors(doc)]
            files[ref["filepath"]] = doc
    if errors:
        raise WorkflowError("The OCF package is invalid: " + "; ".join(errors[:10]), code="invalid")
    return files


def _items(files: dict, file_type: str) -> list[dict]:
    return [item for doc in files.values() if doc.get("file_type") == file_type for item in doc["items"]]


@transaction.atomic
def ocf_import(*, archive: bytes, user) -> dict[str, int]:
    """Recreate the deal from an OCF package in an empty database; returns counts per kind."""
    if Issuer.objects.exists() or Investor.objects.exists():
        raise WorkflowError("OCF import needs an empty database: an Issuer or investors already exist.", code="not_empty")
    files = read_package(archive)
    manifest = files["Manifest.ocf.json"]
    stakeholders = _items(files, "OCF_STAKEHOLDERS_FILE")
    classes = {c["id"]: c for c in _items(files, "OCF_STOCK_CLASSES_FILE")}
    txs = _items(files, "OCF_TRANSACTIONS_FILE")
    by_security = {t["security_id"]: t for t in txs if t["object_type"].endswith("_ISSUANCE")}

    existing = next((t for t in txs if t["object_type"] == "TX_STOCK_ISSUANCE" and t["stakeholder_id"] == EXISTING), None)
    common_issued = sum(int(t["quantity"]) for t in txs if t["object_type"] == "TX_STOCK_ISSUANCE" and t["stock_class_id"] == "common")
    ocf_issuer = manifest["issuer"]
    states = {v: k.title() for k, v in US_STATES.items()}
    issuer = Issuer.objects.create(
        name=ocf_issuer["legal_name"],
        state_of_incorporation=states.get(ocf_issuer.get("country_subdivision_of_formation"), ""),
        address="",
        authorized_common_shares=int(ocf_issuer.get("initial_shares_authorized") or classes["common"]["initial_shares_authorized"]),
        shares_outstanding_at_signing=int(existing["quantity"]) if existing else 0,
        shares_issued=common_issued,
        par_value=Decimal(classes["common"].get("par_value", {}).get("amount", "0")),
    )
    first_day = min(_day(t["date"]) for t in txs)
    investors = {}
    for s in stakeholders:
        if s["id"] == EXISTING:
            continue
        investors[s["id"]] = Investor.objects.create(
            legal_name=s["name"]["legal_name"],
            kind=Investor.Kind.PERSON if s["stakeholder_type"] == "INDIVIDUAL" else Investor.Kind.ENTITY,
            jurisdiction="",
            notice_address="",
        )
    financing_of = {}
    versions: dict[int, DealTermsVersion] = {}
    for f in _items(files, "OCF_FINANCINGS_FILE"):
        issued = [t for t in txs if t["id"] in f["issuance_ids"]]
        is_deb = any(t["object_type"] == "TX_CONVERTIBLE_ISSUANCE" for t in issued)
        total = sum(
            Decimal(t["investment_amount"]["amount"])
            if is_deb and t["object_type"] == "TX_CONVERTIBLE_ISSUANCE"
            else Decimal(t["share_price"]["amount"]) * Decimal(t["quantity"])
            if t["object_type"] == "TX_STOCK_ISSUANCE"
            else Decimal(0)
            for t in issued
        )
        fin = Financing.objects.create(
            issuer=issuer,
            kind=Financing.Kind.DEBENTURE if is_deb else Financing.Kind.SERIES_J,
            name=f["name"],
            total_offering=total or Decimal("1"),
            initial_closing_date=_day(f["date"]),
        )
        for t in issued:
            financing_of[t["id"]] = fin
        # terms belong to a financing: each imported one gets version 1 with the NHTC defaults of its kind
        versions[fin.pk] = DealTermsVersion.objects.create(
            **DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind=fin.terms_kind),
            financing=fin,
            version=1,
            effective_from=first_day,
            reason="Imported from an OCF package (NHTC default terms)",
            created_by=user,
        )

    # what each transfer issued came from: the source's financing (and holder's series) applies
    source_of = {r: t["security_id"] for t in txs if t["object_type"].endswith("_TRANSFER") for r in t["resulting_security_ids"]}
    issuance_id = {sid: t["id"] for sid, t in by_security.items()}

    def financing_for(t: dict) -> Financing:
        sid = t["security_id"]
        while sid in source_of:
            sid = source_of[sid]
        return financing_of[issuance_id[sid]]

    # reductions of each instrument, in transaction order: (amount in its own unit, reason)
    reductions: dict[str, list[tuple[Decimal, str]]] = {}
    for t in txs:
        kind, sid = t["object_type"], t["security_id"]
        if kind in ("TX_CONVERTIBLE_CONVERSION", "TX_STOCK_CONVERSION"):
            reductions.setdefault(sid, []).append((Decimal(t["quantity_converted"]), "converted"))
        elif kind == "TX_STOCK_CANCELLATION":
            reductions.setdefault(sid, []).append((Decimal(t["quantity"]), "converted"))  # SPA 4(i)(y): as _reduce_outstanding
        elif kind == "TX_CONVERTIBLE_CANCELLATION":
            reductions.setdefault(sid, []).append((Decimal(t["amount"]["amount"]), "redeemed"))
        elif kind in ("TX_STOCK_TRANSFER", "TX_WARRANT_TRANSFER"):
            reductions.setdefault(sid, []).append((Decimal(t["quantity"]), "transferred"))
        elif kind == "TX_CONVERTIBLE_TRANSFER":
            reductions.setdefault(sid, []).append((Decimal(t["amount"]["amount"]), "transferred"))
        elif kind == "TX_WARRANT_EXERCISE":
            shares = sum(int(by_security[s]["quantity"]) for s in t["resulting_security_ids"])
            reductions.setdefault(sid, []).append((Decimal(shares), "exercised"))
    closed_as = {
        "converted": InstrumentStatus.CONVERTED,
        "redeemed": InstrumentStatus.REDEEMED,
        "transferred": InstrumentStatus.TRANSFERRED,
        "exercised": InstrumentStatus.EXERCISED,
    }

    def balance(sid: str, start: Decimal) -> tuple[Decimal, str]:
        left, status = start, InstrumentStatus.OUTSTANDING
        for amount, why in reductions.get(sid, []):
            left = Decimal(0) if why == "redeemed" else left - amount
            if left <= 0:
                left, status = Decimal(0), closed_as[why]
        return left, status

    debs, prefs, warrants = {}, {}, {}
    for t in txs:
        kind, holder = t["object_type"], investors.get(t.get("stakeholder_id"))
        if kind == "TX_CONVERTIBLE_ISSUANCE":
            trig = t["conversion_triggers"][0]
            principal = Decimal(t["investment_amount"]["amount"])
            left, status = balance(t["security_id"], principal)
            debs[t["security_id"]] = Debenture.objects.create(
                financing=financing_for(t),
                investor=holder,
                number=t["custom_id"],
                principal=principal,
                principal_outstanding=left,
                issue_date=_original(t),
                dated_date=_dated(t),
                closing_date=_day(trig["start_date"]),
                maturity_date=_day(trig["end_date"]),
                status=status,
            )
        elif kind == "TX_STOCK_ISSUANCE" and t["stock_class_id"] == "series-j":
            shares = int(t["quantity"])
            stated = Decimal(classes["series-j"]["price_per_share"]["amount"])
            left_shares, status = balance(t["security_id"], Decimal(shares))
            prefs[t["security_id"]] = PreferredHolding.objects.create(
                financing=financing_for(t),
                investor=holder,
                certificate_number=t["custom_id"],
                shares=shares,
                liquidation_preference=stated * shares,
                liquidation_preference_outstanding=left_shares * stated,
                purchase_price=to_cents(Decimal(t["share_price"]["amount"]) * shares),
                closing_date=_original(t),
                status=status,
            )
        elif kind == "TX_WARRANT_ISSUANCE":
            shares = int(t["quantity"])
            remaining, status = balance(t["security_id"], Decimal(shares))
            warrants[t["security_id"]] = Warrant.objects.create(
                financing=financing_for(t),
                investor=holder,
                number=t["custom_id"],
                shares=shares,
                shares_remaining=int(remaining),
                exercise_price=Decimal(t["exercise_price"]["amount"]),
                issue_date=_original(t),
                expiry_date=_day(t["warrant_expiration_date"]),
                status=status,
            )

    n_conv = n_ex = 0
    conversion_of: dict[str, Conversion] = {}
    for t in txs:
        kind = t["object_type"]
        if kind in ("TX_CONVERTIBLE_CONVERSION", "TX_STOCK_CONVERSION") and not nhtc_facts(t).get("remedy"):
            result = by_security[t["resulting_security_ids"][0]]
            shares, price, day = int(result["quantity"]), Decimal(result["share_price"]["amount"]), _day(t["date"])
            deb, pref = debs.get(t["security_id"]), prefs.get(t["security_id"])
            instrument = deb or pref
            amount = Decimal(t["quantity_converted"])
            if pref is not None:
                amount = amount * (pref.liquidation_preference / pref.shares)
            facts = nhtc_facts(t)  # the Notice's amount when the cap (SPA 4(i)) left some of it unconverted
            noticed = Decimal(facts["notice_amount"]) if facts.get("notice_amount") else amount
            conversion_of[t["id"]] = Conversion.objects.create(
                debenture=deb,
                preferred=pref,
                investor=instrument.investor,
                terms_version=versions[instrument.financing_id],
                amount=noticed,
                unconverted_shares=int(facts.get("unconverted_shares") or 0),
                conversion_date=day,
                notice_method="facsimile",
                notice_received_date=day,
                conversion_price=price,
                shares_for_amount=shares,
                shares_issuable=shares,
                delivery_date=day,
                delivered_date=day,
                status=ConversionStatus.DELIVERED,
                delivery_reference=f"OCF {t['id']}",
                snapshot={"imported_from": "ocf", "ocf_id": t["id"], "applied": {"amount_converted": str(amount), "shares_issued": shares}},
                idempotency_key=f"ocf-{t['id']}"[:64],
                created_by=user,
            )
            n_conv += 1
        elif kind == "TX_WARRANT_EXERCISE":
            result = by_security[t["resulting_security_ids"][0]]
            w = warrants[t["security_id"]]
            shares, price, day = int(result["quantity"]), Decimal(result["share_price"]["amount"]), _day(t["date"])
            cost = to_cents(price * shares)
            WarrantExercise.objects.create(
                warrant=w,
                investor=w.investor,
                terms_version=versions[w.financing_id],
                shares=shares,
                exercise_date=day,
                exercise_price=price,
                aggregate_price=cost,
                payment_amount=cost,
                payment_date=day,
                delivery_date=day,
                delivered_date=day,
                status=WarrantExercise.Status.DELIVERED,
                snapshot={"imported_from": "ocf", "ocf_id": t["id"]},
                idempotency_key=f"ocf-{t['id']}"[:64],
                created_by=user,
            )
            n_ex += 1
    n_rem = 0
    for t in txs:  # SPA 4(i): remedy (x) is a Series J conversion, remedy (y) a cancellation
        facts = nhtc_facts(t)
        if t["object_type"] not in ("TX_STOCK_CONVERSION", "TX_STOCK_CANCELLATION") or not facts.get("remedy"):
            continue
        snapshot: dict = {"imported_from": "ocf", "ocf_id": t["id"]}
        if facts["remedy"] == CapRemedy.Remedy.X_PRICE:
            result = by_security[t["resulting_security_ids"][0]]
            snapshot.update(shares=int(result["quantity"]), window_price={"average": result["share_price"]["amount"]})
        CapRemedy.objects.create(
            conversion=conversion_of[facts["conversion"]],
            remedy=facts["remedy"],
            chosen_date=_day(t["date"]),
            unconverted_shares=int(facts["unconverted_shares"]),
            amount=Decimal(facts["amount"]) if facts.get("amount") else None,
            due_date=_day(facts["due_date"]) if facts.get("due_date") else None,
            snapshot=snapshot,
            created_by=user,
        )
        n_rem += 1

    n_tr = 0
    holder_of = {**{k: v.investor for k, v in debs.items()}, **{k: v.investor for k, v in prefs.items()}}
    holder_of.update({k: v.investor for k, v in warrants.items()})
    for t in txs:  # SPA 4(a); Debenture 1, 3; RRA 9 (the RRA 9 assessment itself is not in OCF)
        kind = t["object_type"]
        if kind not in ("TX_STOCK_TRANSFER", "TX_WARRANT_TRANSFER", "TX_CONVERTIBLE_TRANSFER"):
            continue
        facts, sid, day = nhtc_facts(t), t["security_id"], _day(t["date"])
        src = debs.get(sid) or prefs.get(sid) or warrants.get(sid)
        resulting = list(t["resulting_security_ids"])
        transferee = investors.get(facts.get("transferee")) or (holder_of[resulting[0]] if resulting else src.investor)
        transfer = Transfer.objects.create(
            kind=facts.get("kind", Transfer.Kind.TRANSFER),
            security=SecurityKind.SERIES_J if sid in prefs else SecurityKind.WARRANT if sid in warrants else SecurityKind.DEBENTURE,
            financing=src.financing,
            transferor=src.investor,
            transferee=transferee,
            preferred=prefs.get(sid),
            warrant=warrants.get(sid),
            debenture=debs.get(sid),
            amount=(
                Decimal(t["amount"]["amount"])
                if kind == "TX_CONVERTIBLE_TRANSFER"
                else Decimal(t["quantity"]) * src.liquidation_preference / src.shares
                if sid in prefs
                else None
            ),
            warrant_shares=int(t["quantity"]) if sid in warrants else None,
            transfer_date=day,
            notice_to_company_date=_day(facts["notice_to_company_date"]) if facts.get("notice_to_company_date") else day,
            counsel_opinion="",
            rights_reason="Imported from an OCF package (the RRA 9 assessment is not carried).",
            new_preferred=prefs.get(resulting[0]) if sid in prefs and resulting else None,
            new_warrant=warrants.get(resulting[0]) if sid in warrants and resulting else None,
            snapshot={"imported_from": "ocf", "ocf_id": t["id"]},
            created_by=user,
        )
        if sid in debs:
            transfer.new_debentures.add(*[debs[r] for r in resulting])
        n_tr += 1
    return {
        "investors": len(investors),
        "cap_remedies": n_rem,
        "transfers": n_tr,
        "debentures": len(debs),
        "series_j": len(prefs),
        "warrants": len(warrants),
        "conversions": n_conv,
        "exercises": n_ex,
    }
