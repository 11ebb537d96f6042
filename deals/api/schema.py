"""OpenAPI details drf-spectacular cannot infer: the token scheme and shared enum names."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from deals.models import DealTermsVersion


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "deals.api.auth.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token nhtc_...`: a personal token created on the profile page (/profile/tokens/).",
        }


def _choices(field: str):
    return DealTermsVersion._meta.get_field(field).choices


DAY_COUNT = _choices("debenture_day_count")
LOOKBACK_METHOD = _choices("debenture_lookback_method")
SHARE_ROUNDING = _choices("share_rounding")
