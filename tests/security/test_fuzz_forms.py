"""Issue 15 item 14: random values posted into every form the pages offer a deal admin (the
app's pages, the JSON live preview and the admin's add pages) never make a 5xx, and a refused
submission writes nothing.

Forms are found by reading the pages (every ``<form>`` with its fields and choices), so a new
form is fuzzed without editing this test. Hypothesis runs with the ``tests.fuzzing`` profile:
in CI derandomised, 3 examples per form (``FUZZ_EXAMPLES`` overrides) and 15 per API endpoint,
so every form and endpoint is fuzzed within the two-minute budget; the demo deal is loaded once
for both fuzzers and a refusal's "wrote nothing" check is one query."""

import datetime
import json
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from deals import models as m
from tests.fuzzing import api_settings, form_settings

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NASTY = ["", "0", "-1", "1", "2147483647", "2147483648", "9" * 25, "1e400", "NaN", "-0.00001", "1.23456789",
         "1999-01-01", "2035-12-31", "1998-12-31", "2036-01-01", "9999-12-31", "0001-01-01", "2000-02-30",
         "2000-03-27", "abc", "\x00", "a\x00b", "\u0661\u0662\u0663", "\uff11\uff12", "on", "true",
         "<script>alert(1)</script>", "' OR 1=1 --", "=1+2", "x" * 5000]


def _value(choices: list[str]):
    base = st.one_of(
        st.sampled_from(NASTY),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
        st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
        st.text(max_size=40),
    )
    if choices:
        return st.one_of(st.sampled_from(choices), base)
    return base


class _Forms(HTMLParser):
    """Every <form>: method, action and its named fields (with the options of selects)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            name = a["name"]
            if name == "csrfmiddlewaretoken":
                return
            choices = self._form["fields"].setdefault(name, [])
            if a.get("value") is not None:
                choices.append(a["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select and self._form is not None:
            self._form["fields"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _fingerprint():
    """Row counts of every deals and notices table and their history tables, in one query."""
    if not hasattr(_fingerprint, "sql"):
        models = [mdl for app in ("deals", "notices") for mdl in apps.get_app_config(app).get_models()]
        qn = connection.ops.quote_name
        _fingerprint.sql = " UNION ALL ".join(
            f"SELECT '{mdl.__name__}', COUNT(*) FROM {qn(mdl._meta.db_table)}" for mdl in models
        )
    with connection.cursor() as cur:
        cur.execute(_fingerprint.sql)
        return dict(cur.fetchall())


def _seed_pages():
    urls = ["/", "/deadlines/", "/conversions/", "/conversions/new/", "/exercises/", "/exercises/new/",
            "/redemptions/", "/redemptions/new/", "/investors/", "/notices/", "/company/", "/company/offers/",
            "/company/offers/new/", "/company/defaults/", "/company/notices/", "/company/claims/"]
    for f in m.Financing.objects.all():
        urls += [f"/company/registration/{f.pk}/", f"/company/damages/{f.pk}/",
                 f"/company/registration/{f.pk}/suspensions/"]
    for model, prefix in ((m.Conversion, "conversions"), (m.WarrantExercise, "exercises"),
                          (m.Redemption, "redemptions")):
        urls += [f"/{prefix}/{pk}/" for pk in model.objects.values_list("pk", flat=True)[:1]]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "deals" and type(model_admin).has_add_permission is not None:
            urls.append(reverse(f"admin:deals_{model._meta.model_name}_add"))
    urls.append("/admin/deals/businessdate/1/change/")
    return urls


def _targets(client):
    found = {}
    for page in _seed_pages():
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urljoin(page, form["action"]) if form["action"] else page
            if urlsplit(action).path in ("/accounts/logout/",):
                continue
            key = (form["method"], urlsplit(action).path, tuple(sorted(form["fields"])))
            found.setdefault(key, form["fields"])
    return found


@pytest.fixture
def fuzz_client(deal_admin, demo_with_records):
    client = Client(raise_request_exception=False)
    client.force_login(deal_admin)
    return client


def test_random_values_in_every_form_never_5xx_and_refusals_write_nothing(fuzz_client):
    targets = _targets(fuzz_client)
    assert len(targets) >= 15, sorted(k[1] for k in targets)  # the crawl found the app's forms
    # The live suspension preview (JSON, GET) is driven by the suspensions page's script, not a form.
    fin = m.Financing.objects.filter(registration_statements__isnull=False).first()
    if fin is not None:
        targets[("get", reverse("company_suspension_preview", args=[fin.pk]), ())] = {
            "notice_date": [], "start_date": [], "end_date": [], "notice_required": ["on"]}
    problems = []
    for (method, path, _), fields in sorted(targets.items()):
        if fields:
            _fuzz(fuzz_client, method, path, fields, problems)
    assert problems == []


def _fuzz(client, method, path, fields, problems):
    @form_settings()
    @given(st.fixed_dictionaries({name: _value(choices) for name, choices in fields.items()}))
    def run(data):
        before = _fingerprint() if method == "post" else None
        response = (client.post if method == "post" else client.get)(path, data)
        if response.status_code >= 500:
            problems.append(f"{method.upper()} {path} -> {response.status_code} with {data!r}")
        elif method == "post" and response.status_code != 302 and not response.get("Location"):
            after = _fingerprint()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed and (response.status_code >= 400 or b"errorlist" in response.content):
                problems.append(f"POST {path} refused ({response.status_code}) but wrote {changed}")

    run()


def _api_targets(client):
    """POST endpoints of the JSON API with their request fields, read from the OpenAPI schema."""
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/json").json()
    components = schema.get("components", {}).get("schemas", {})
    obligation = m.Obligation.objects.order_by("pk").first()
    targets = []
    for path, operations in schema["paths"].items():
        op = operations.get("post")
        if op is None:
            continue
        ref = (op.get("requestBody", {}).get("content", {}).get("application/json") or {}).get("schema", {}).get("$ref")
        fields = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
        path = path.replace("{id}", str(obligation.pk if obligation else 1))
        targets.append((path, {name: spec.get("enum", []) for name, spec in fields.items()}))
    return targets


def _json_value(choices):
    return st.one_of(_value([str(c) for c in choices]), st.integers(min_value=-(10**20), max_value=10**20),
                     st.none(), st.booleans(), st.lists(st.integers(), max_size=2))


def test_random_json_into_every_api_post_never_5xx_and_refusals_write_nothing(fuzz_client):
    targets = _api_targets(fuzz_client)
    assert len(targets) >= 5, targets
    problems = []
    for path, fields in targets:
        _fuzz_api(fuzz_client, path, fields, problems)
    assert problems == []


def _fuzz_api(client, path, fields, problems):
    @api_settings()
    @given(st.fixed_dictionaries({name: _json_value(choices) for name, choices in fields.items()}))
    def run(data):
        before = _fingerprint()
        response = client.post(path, json.dumps(data), content_type="application/json")
        if response.status_code >= 500:
            problems.append(f"POST {path} -> {response.status_code} with {data!r}")
        elif response.status_code >= 400:
            after = _fingerprint()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                problems.append(f"POST {path} refused ({response.status_code}) but wrote {changed}")

    run()


def test_the_write_check_sees_a_write_and_its_history(db):
    """The one-query fingerprint counts every deals/notices table, history tables included."""
    from tests import factories as f

    before = _fingerprint()
    assert len(before) == len([mdl for app in ("deals", "notices") for mdl in apps.get_app_config(app).get_models()])
    f.InvestorFactory()
    after = _fingerprint()
    assert {k for k in before if before[k] != after[k]} == {"Investor", "HistoricalInvestor"}
