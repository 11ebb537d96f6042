"""/api/: the REST API, its OpenAPI schema and the Swagger UI / Redoc pages.

API views are exempt from LoginRequiredMiddleware (they answer 401 in the JSON error shape,
with tokens or the session); the docs pages stay behind the login page."""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import views as v

DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})


def api(view_class):
    return login_not_required(view_class.as_view())


urlpatterns = [
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api_schema"),
    # Pages for people: anonymous visitors go to the login page first. Swagger UI's start script
    # is served as a file (the CSP refuses inline script); both UIs inject their own styles at run
    # time, so these two documentation pages alone allow inline styles.
    path("api/docs/", login_required(DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api_schema"))), name="api_docs"),
    path("api/redoc/", login_required(DOCS_CSP(SpectacularRedocView.as_view(url_name="api_schema"))), name="api_redoc"),
    path("api/issuers/", api(v.IssuerList), name="api_issuers"),
    path("api/financings/", api(v.FinancingList), name="api_financings"),
    path("api/terms-versions/", api(v.TermsVersionList), name="api_terms_versions"),
    path("api/investors/", api(v.InvestorList), name="api_investors"),
    path("api/debentures/", api(v.DebentureList), name="api_debentures"),
    path("api/series-j/", api(v.PreferredList), name="api_series_j"),
    path("api/warrants/", api(v.WarrantList), name="api_warrants"),
    path("api/market-prices/", api(v.MarketPriceList), name="api_market_prices"),
    path("api/market-prices/import/", api(v.PriceImport), name="api_price_import"),
    path("api/conversions/", api(v.ConversionListCreate), name="api_conversions"),
    path("api/conversions/quote/", api(v.ConversionQuote), name="api_conversion_quote"),
    path("api/conversions/<int:pk>/", api(v.ConversionDetail), name="api_conversion"),
    path("api/exercises/", api(v.ExerciseListCreate), name="api_exercises"),
    path("api/exercises/quote/", api(v.ExerciseQuote), name="api_exercise_quote"),
    path("api/exercises/<int:pk>/", api(v.ExerciseDetail), name="api_exercise"),
    path("api/redemptions/", api(v.RedemptionListCreate), name="api_redemptions"),
    path("api/redemptions/<int:pk>/", api(v.RedemptionDetail), name="api_redemption"),
    path("api/obligations/", api(v.ObligationList), name="api_obligations"),
    path("api/obligations/<int:pk>/settlements/", api(v.SettlementCreate), name="api_settlement_create"),
    path("api/settlements/<int:pk>/reverse/", api(v.SettlementReverse), name="api_settlement_reverse"),
    path("api/notices/", api(v.NoticeList), name="api_notices"),
    path("api/sweep-runs/", api(v.SweepRunList), name="api_sweep_runs"),
    path("api/cap-table/", api(v.CapTableView), name="api_cap_table"),
    path("api/approvals/", api(v.ApprovalList), name="api_approvals"),
    path("api/approvals/<int:pk>/", api(v.ApprovalDetail), name="api_approval"),
    path("api/approvals/<int:pk>/approve/", api(v.ApprovalApprove), name="api_approval_approve"),
    path("api/approvals/<int:pk>/reject/", api(v.ApprovalReject), name="api_approval_reject"),
]
