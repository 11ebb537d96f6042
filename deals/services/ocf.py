"""Import an OCF 1.2.0 package (as written by ``deals.ocf.export``) into an empty database:
issuer, stakeholders, financings, instruments, conversions and exercises. All or nothing; the
package is validated against the vendored schemas and its manifest checksums first."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal

from django.db import transaction

from deals.models import (
    Conversion,
    ConversionStatus,
    DealTermsVersion,
    Debenture,
    Financing,
    InstrumentStatus,
    Investor,
    Issuer,
    PreferredHolding,
    Warrant,
    WarrantExercise,
)
from deals.ocf.export import EXISTING, US_STATES
from deals.ocf.validate import validation_errors
from deals.services.conversions import WorkflowError
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.rounding import to_cents

MAX_ARCHIVE = 50 * 1024 * 1024


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


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

    debs, prefs, warrants = {}, {}, {}
    converted_amount: dict[str, Decimal] = {}
    for t in txs:
        if t["object_type"] == "TX_CONVERTIBLE_CONVERSION":
            converted_amount[t["security_id"]] = converted_amount.get(t["security_id"], Decimal(0)) + Decimal(t["quantity_converted"])
        elif t["object_type"] == "TX_STOCK_CONVERSION":
            converted_amount[t["security_id"]] = converted_amount.get(t["security_id"], Decimal(0)) + Decimal(t["quantity_converted"])
    cancelled = {t["security_id"] for t in txs if t["object_type"] == "TX_CONVERTIBLE_CANCELLATION"}
    exercised: dict[str, int] = {}
    for t in txs:
        if t["object_type"] == "TX_WARRANT_EXERCISE":
            exercised[t["security_id"]] = exercised.get(t["security_id"], 0) + sum(
                int(by_security[s]["quantity"]) for s in t["resulting_security_ids"]
            )

    for t in txs:
        kind, holder = t["object_type"], investors.get(t.get("stakeholder_id"))
        if kind == "TX_CONVERTIBLE_ISSUANCE":
            trig = t["conversion_triggers"][0]
            principal = Decimal(t["investment_amount"]["amount"])
            left = Decimal(0) if t["security_id"] in cancelled else principal - converted_amount.get(t["security_id"], Decimal(0))
            status = (
                InstrumentStatus.REDEEMED
                if t["security_id"] in cancelled
                else InstrumentStatus.CONVERTED
                if left == 0
                else InstrumentStatus.OUTSTANDING
            )
            debs[t["security_id"]] = Debenture.objects.create(
                financing=financing_of[t["id"]],
                investor=holder,
                number=t["custom_id"],
                principal=principal,
                principal_outstanding=left,
                issue_date=_day(t["date"]),
                dated_date=_dated(t),
                closing_date=_day(trig["start_date"]),
                maturity_date=_day(trig["end_date"]),
                status=status,
            )
        elif kind == "TX_STOCK_ISSUANCE" and t["stock_class_id"] == "series-j":
            shares = int(t["quantity"])
            stated = Decimal(classes["series-j"]["price_per_share"]["amount"])
            lp = stated * shares
            left = lp - converted_amount.get(t["security_id"], Decimal(0)) * stated
            prefs[t["security_id"]] = PreferredHolding.objects.create(
                financing=financing_of[t["id"]],
                investor=holder,
                certificate_number=t["custom_id"],
                shares=shares,
                liquidation_preference=lp,
                liquidation_preference_outstanding=left,
                purchase_price=to_cents(Decimal(t["share_price"]["amount"]) * shares),
                closing_date=_day(t["date"]),
                status=InstrumentStatus.CONVERTED if left == 0 else InstrumentStatus.OUTSTANDING,
            )
        elif kind == "TX_WARRANT_ISSUANCE":
            shares = int(t["quantity"])
            remaining = shares - exercised.get(t["security_id"], 0)
            warrants[t["security_id"]] = Warrant.objects.create(
                financing=financing_of[t["id"]],
                investor=holder,
                number=t["custom_id"],
                shares=shares,
                shares_remaining=remaining,
                exercise_price=Decimal(t["exercise_price"]["amount"]),
                issue_date=_day(t["date"]),
                expiry_date=_day(t["warrant_expiration_date"]),
                status=InstrumentStatus.EXERCISED if remaining == 0 else InstrumentStatus.OUTSTANDING,
            )

    n_conv = n_ex = 0
    for t in txs:
        kind = t["object_type"]
        if kind in ("TX_CONVERTIBLE_CONVERSION", "TX_STOCK_CONVERSION"):
            result = by_security[t["resulting_security_ids"][0]]
            shares, price, day = int(result["quantity"]), Decimal(result["share_price"]["amount"]), _day(t["date"])
            deb, pref = debs.get(t["security_id"]), prefs.get(t["security_id"])
            instrument = deb or pref
            amount = Decimal(t["quantity_converted"])
            if pref is not None:
                amount = amount * (pref.liquidation_preference / pref.shares)
            Conversion.objects.create(
                debenture=deb,
                preferred=pref,
                investor=instrument.investor,
                terms_version=versions[instrument.financing_id],
                amount=amount,
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
    return {
        "investors": len(investors),
        "debentures": len(debs),
        "series_j": len(prefs),
        "warrants": len(warrants),
        "conversions": n_conv,
        "exercises": n_ex,
    }
