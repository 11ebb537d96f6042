"""Every GET page of the URLconf with its ids filled from the data (issue 17): what
``bench/pages.py`` measures and ``tests/demo`` opens on the grown demo.

``page_urls()`` walks the URLconf (the app, the notices, the API and the Django admin's
changelist / add / change pages of the deals and notices models) and reverses each pattern
with the id of a row of the right model (the newest, so grown rows are the ones shown). A
pattern whose model has no row is returned in ``missing`` (not measured); logout and the
admin's delete / history / autocomplete / view-on-site helpers are left out. POST-only views are
found by asking (they answer 405): the caller skips them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse


def _kw(model: str, *names: str, **extra: str) -> dict[str, str]:
    return {**{n: model for n in names}, **extra}


# url name prefix -> {kwarg: "app_label.Model"}; the newest row of the model fills the kwarg
_BY_PREFIX: tuple[tuple[str, dict[str, str]], ...] = (
    ("notices:", _kw("notices.Notice", "pk")),
    ("api_conversion", _kw("deals.Conversion", "pk")),
    ("api_exercise", _kw("deals.WarrantExercise", "pk")),
    ("api_redemption", _kw("deals.Redemption", "pk")),
    ("api_settlement_create", _kw("deals.Obligation", "pk")),
    ("api_settlement_reverse", _kw("deals.Settlement", "pk")),
    ("api_approval", _kw("deals.Approval", "pk")),
    ("approval_", _kw("deals.Approval", "pk")),
    ("sweep_status", _kw("deals.SweepRun", "pk")),
    ("company_amendment_update", _kw("deals.RegistrationAmendment", "pk")),
    ("company_registration", _kw("deals.Financing", "financing_id")),
    ("company_suspension", _kw("deals.Financing", "financing_id")),
    ("company_damages_excused_withdraw", _kw("deals.ExcusedDelay", "pk", financing_id="deals.Financing")),
    ("company_damages", _kw("deals.Financing", "financing_id", investor_id="deals.Investor")),
    ("company_offer", _kw("deals.NewTransactionOffer", "pk", "restart_of")),
    ("company_default", _kw("deals.EventOfDefault", "pk")),
    ("company_claim", _kw("deals.IndemnificationClaim", "pk")),
    ("conversion_", _kw("deals.Conversion", "pk")),
    ("exercise_", _kw("deals.WarrantExercise", "pk")),
    ("redemption_", _kw("deals.Redemption", "pk")),
    ("investor_", _kw("deals.Investor", "pk")),
    ("obligation_", _kw("deals.Obligation", "pk")),
    ("settlement_reverse", _kw("deals.Obligation", "pk", sid="deals.Settlement")),
    ("closing_deposit_reverse", _kw("deals.EscrowDeposit", "pk")),
    ("closing_condition_", _kw("deals.ClosingCondition", "pk")),
    ("closing_", _kw("deals.ClosingRoom", "pk")),
    ("transfer_detail", _kw("deals.Transfer", "pk")),
    ("legend_", _kw("deals.LegendRemoval", "pk")),
    ("ta_detail", _kw("deals.TransferAgentInstruction", "pk")),
)
SKIP_NAMES = {"logout", "profile_token_revoke", "admin:logout", "admin:autocomplete", "admin:view_on_site", "admin:jsi18n"}
ADMIN_APPS = ("deals", "notices")
ADMIN_PAGES = ("changelist", "add", "change")


@dataclass(frozen=True)
class Page:
    name: str  # url name, with a suffix for the variants (e.g. "conversion_list?q")
    url: str


def _walk(patterns, ns: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk(p.url_patterns, sub)
        elif isinstance(p, URLPattern) and p.name:
            conv = getattr(p.pattern, "converters", None)
            yield f"{ns}{p.name}", list(conv) if conv is not None else list(p.pattern.regex.groupindex)


def _kwargs_models(name: str, kwargs: list[str]) -> dict[str, str] | None:
    if name.startswith("admin:"):
        # admin:<app>_<model>_<page>
        rest = name[len("admin:"):]
        for app in ADMIN_APPS:
            if rest.startswith(app + "_"):
                model, _, page = rest[len(app) + 1:].rpartition("_")
                if page not in ADMIN_PAGES:
                    return None
                return {"object_id": f"{app}.{model}"} if "object_id" in kwargs else {}
        return {} if not kwargs and rest in ("index",) else None
    if not kwargs:
        return {}
    for prefix, models in _BY_PREFIX:
        if name.startswith(prefix) and all(k in models for k in kwargs):
            return {k: models[k] for k in kwargs}
    return None


def _newest(label: str, name: str) -> int | None:
    model = apps.get_model(label)
    qs = model._default_manager.order_by("-pk")
    if label == "deals.Financing":
        qs = qs.filter(kind="series_j")
    if label == "deals.Investor" and name.startswith("company_damages"):
        qs = qs.filter(preferred_holdings__isnull=False)
    return qs.values_list("pk", flat=True).first()


def page_urls(*, admin: bool = True) -> tuple[list[Page], list[str]]:
    """(pages to GET, names not measured for want of a row)."""
    pages, missing, seen = [], [], set()
    for name, kwargs in _walk(get_resolver().url_patterns):
        if name in SKIP_NAMES or name in seen or (name.startswith("admin:") and not admin):
            continue
        seen.add(name)
        models = _kwargs_models(name, kwargs)
        if models is None:
            continue
        values = {}
        for kw, label in models.items():
            values[kw] = _newest(label, name)
        if name == "company_damages_excused_withdraw":
            from deals.models import ExcusedDelay

            e = ExcusedDelay.objects.order_by("-pk").values_list("pk", "financing_id").first()
            values = {"financing_id": e[1], "pk": e[0]} if e else {"pk": None}
        if name == "settlement_reverse":
            from deals.models import Settlement

            s = Settlement.objects.order_by("-pk").values_list("pk", "obligation_id").first()
            values = {"pk": s[1], "sid": s[0]} if s else {"pk": None}
        if any(v is None for v in values.values()):
            missing.append(name)
            continue
        pages.append(Page(name, reverse(name, kwargs=values)))
    return pages + _variants(), missing


def unmapped_names(*, admin: bool = True) -> list[str]:
    """URL names with arguments that no rule of ``_BY_PREFIX`` fills: ``page_urls`` leaves them out,
    so the bench prints them (a new page with an id needs a rule here to be measured)."""
    out, seen = [], set()
    for name, kwargs in _walk(get_resolver().url_patterns):
        if name in SKIP_NAMES or name in seen or (name.startswith("admin:") and not admin):
            continue
        seen.add(name)
        if _kwargs_models(name, kwargs) is None and not _admin_helper(name):
            out.append(name)
    return out


def _admin_helper(name: str) -> bool:
    """The admin's pages left out on purpose (delete, history, other apps' models ...)."""
    if not name.startswith("admin:"):
        return False
    rest = name[len("admin:"):]
    return not any(rest.startswith(app + "_") for app in ADMIN_APPS) or rest.rpartition("_")[2] not in ADMIN_PAGES


def _variants() -> list[Page]:
    """The list pages again with a search, a filter and a page past the end (issue 17's table)."""
    return [
        Page("conversion_list?q", reverse("conversion_list") + "?q=grown"),
        Page("conversion_list?page=last", reverse("conversion_list") + "?page=last"),
        Page("conversion_list?page=99999", reverse("conversion_list") + "?page=99999"),
        Page("deadlines?status=satisfied", reverse("deadlines") + "?status=satisfied"),
        Page("deadlines?page=last", reverse("deadlines") + "?page=last"),
        Page("investor_list?page=last", reverse("investor_list") + "?page=last"),
        Page("admin:deals_conversion_changelist?q", reverse("admin:deals_conversion_changelist") + "?q=grown"),
        Page("admin:deals_obligation_changelist?q", reverse("admin:deals_obligation_changelist") + "?q=late"),
    ]
