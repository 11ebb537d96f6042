"""The OpenAPI schema: generated without warnings (CI: ``manage.py spectacular --validate
--fail-on-warn``) and real responses validate against it."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from .conftest import conversion_body, key


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/conversions/" in (tmp_path / "schema.yml").read_text()


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def _jsonschema(node):
    """OpenAPI 3.0 -> JSON Schema: ``nullable`` becomes a null type."""
    if isinstance(node, dict):
        out = {k: _jsonschema(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            if "allOf" in out or "$ref" in out or "oneOf" in out:
                inner = {k: out.pop(k) for k in ("allOf", "$ref", "oneOf") if k in out}
                out["anyOf"] = [inner, {"type": "null"}]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(node, list):
        return [_jsonschema(v) for v in node]
    return node


def validate(openapi, path: str, method: str, status: int, body) -> None:
    op = openapi["paths"][path][method]
    schema = copy.deepcopy(op["responses"][str(status)]["content"]["application/json"]["schema"])
    root = _jsonschema({**schema, "components": openapi["components"]})
    errors = list(Draft202012Validator(root).iter_errors(body))
    assert not errors, [(list(e.absolute_path), e.message) for e in errors[:5]]


def test_real_responses_match_the_schema(world, clerk_api, admin_api, openapi):
    r = clerk_api.post("/api/conversions/", conversion_body(world.debenture), format="json", **key())
    assert r.status_code == 201
    validate(openapi, "/api/conversions/", "post", 201, r.json())
    validate(openapi, "/api/conversions/", "get", 200, clerk_api.get("/api/conversions/").json())
    validate(openapi, "/api/conversions/{id}/", "get", 200, clerk_api.get(f"/api/conversions/{r.json()['id']}/").json())
    validate(openapi, "/api/debentures/", "get", 200, clerk_api.get("/api/debentures/").json())
    validate(openapi, "/api/obligations/", "get", 200, clerk_api.get("/api/obligations/").json())
    validate(openapi, "/api/notices/", "get", 200, clerk_api.get("/api/notices/").json())
    validate(openapi, "/api/terms-versions/", "get", 200, admin_api.get("/api/terms-versions/").json())
    bad = clerk_api.post("/api/conversions/", conversion_body(world.debenture, amount="0"), format="json", **key())
    validate(openapi, "/api/conversions/", "post", 400, bad.json())
    assert datetime.date  # dates are ISO strings in the bodies above


def test_docs_pages_serve_vendored_assets(clerk_client):
    page = clerk_client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    redoc = clerk_client.get("/api/redoc/").content.decode()
    assert "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in redoc


def test_docs_pages_need_login(client):
    assert client.get("/api/docs/").status_code == 302
