"""GET /api/terms-versions/: versions per financing (issue 18)."""

import pytest


@pytest.mark.django_db
def test_terms_versions_list_per_financing_with_only_its_kinds_terms(admin_api, world):
    deb_fin, pref_fin = world.debenture.financing, world.preferred.financing
    body = admin_api.get("/api/terms-versions/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert {r["financing"] for r in rows} >= {deb_fin.pk, pref_fin.pk}
    only = admin_api.get(f"/api/terms-versions/?financing={deb_fin.pk}").json()
    only = only["results"] if isinstance(only, dict) else only
    assert [r["financing"] for r in only] == [deb_fin.pk]
    assert only[0]["preferred_stated_value"] is None and only[0]["debenture_fixed_price"] == "1.4375"
