"""Validate OCF files with jsonschema (Draft 7); every ``$ref`` resolves from the vendored
folder, never the network."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
PREFIX = "https://schema.opencaptablecoalition.com/v/1.2.0/"
FILE_SCHEMAS = {
    "OCF_MANIFEST_FILE": "files/OCFManifestFile.schema.json",
    "OCF_STAKEHOLDERS_FILE": "files/StakeholdersFile.schema.json",
    "OCF_STOCK_CLASSES_FILE": "files/StockClassesFile.schema.json",
    "OCF_TRANSACTIONS_FILE": "files/TransactionsFile.schema.json",
    "OCF_FINANCINGS_FILE": "files/FinancingsFile.schema.json",
    "OCF_DOCUMENTS_FILE": "files/DocumentsFile.schema.json",
    "OCF_STOCK_PLANS_FILE": "files/StockPlansFile.schema.json",
    "OCF_STOCK_LEGEND_TEMPLATES_FILE": "files/StockLegendTemplatesFile.schema.json",
    "OCF_VALUATIONS_FILE": "files/ValuationsFile.schema.json",
    "OCF_VESTING_TERMS_FILE": "files/VestingTermsFile.schema.json",
}


def _retrieve(uri: str) -> Resource:
    if not uri.startswith(PREFIX):
        raise LookupError(f"OCF validation resolves only vendored schemas, not {uri}")
    path = SCHEMA_DIR / uri[len(PREFIX) :]
    return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.rglob("*.schema.json"):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7)))
    return Registry(retrieve=_retrieve).with_resources(resources)


@cache
def _validator(file_type: str) -> Draft7Validator:
    schema = json.loads((SCHEMA_DIR / FILE_SCHEMAS[file_type]).read_text())
    return Draft7Validator(schema, registry=_registry())


def validation_errors(document: dict) -> list[str]:
    """Every schema error of one OCF file, as 'path: message' lines (empty when valid)."""
    file_type = document.get("file_type")
    if file_type not in FILE_SCHEMAS:
        return [f"file_type: unknown OCF file type {file_type!r}"]
    errors = sorted(_validator(file_type).iter_errors(document), key=lambda e: list(e.absolute_path))
    out = []
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        # oneOf failures: name the closest branch's errors
        detail = e.message if not e.context else min(e.context, key=lambda c: len(list(c.absolute_path))).message
        out.append(f"{where}: {detail[:300]}")
    return out
