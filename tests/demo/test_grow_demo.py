"""``manage.py grow_demo`` (issue 17): counts reached, ledger built by the real sweep, deterministic,
a second run adds nothing, and every page of the app opens on the grown data for both roles."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from deals import models as m
from deals.demo_grow import PRESETS, Size, grow_demo
from deals.demo_pages import _kwargs_models, page_urls, unmapped_names
from notices.models import Notice, NoticeStatus

pytestmark = pytest.mark.django_db

SMALL = Size(investors=12, debentures=25, preferred=20, conversions=120, notices=30, exercises=6)


def _fingerprint():
    return list(
        m.Conversion.objects.order_by("idempotency_key").values_list(
            "idempotency_key", "amount", "conversion_date", "status", "delivered_date", "debenture__number",
            "preferred__certificate_number", "investor__legal_name", "shares_issuable",
        )
    )


def test_the_command_grows_every_count_to_its_target_and_the_sweep_builds_the_ledger():
    out = io.StringIO()
    call_command("grow_demo", "--investors", "12", "--debentures", "25", "--preferred", "20", "--conversions", "120",
                 "--notices", "30", "--exercises", "6", stdout=out)
    assert m.Investor.objects.count() == 12
    assert m.Debenture.objects.count() == 25
    assert m.PreferredHolding.objects.count() == 20
    assert m.Warrant.objects.count() == 20  # one SPA 4(h) warrant per holding
    assert m.Conversion.objects.count() == 120
    assert m.WarrantExercise.objects.count() == 6
    assert Notice.objects.filter(status=NoticeStatus.READY).count() == 30
    # the real sweep made the ledger: one share delivery row per conversion, late ones among them (SPA 5(c))
    run = m.SweepRun.objects.get(triggered_by="grow_demo")
    assert run.status == "succeeded", run.errors
    assert m.Obligation.objects.filter(kind="share_delivery").count() == 120
    assert m.Obligation.objects.filter(kind="late_payment").exists()
    assert "Sweep as of 2000-03-27: succeeded." in out.getvalue()
    # outstanding amounts follow the conversions (nothing converted twice)
    for d in m.Debenture.objects.filter(number__startswith="DG-"):
        converted = sum(c.amount for c in d.conversions.all())
        assert d.principal_outstanding == d.principal - converted
    # every generated record has its creation history row
    assert m.Conversion.history.filter(history_type="+").count() == 120


def test_a_second_run_with_the_same_targets_adds_nothing():
    grow_demo(SMALL, seed=3)
    before = (m.Conversion.objects.count(), m.Obligation.objects.count(), m.Investor.objects.count(), Notice.objects.count())
    result = grow_demo(SMALL, seed=3)
    assert result["new_conversions"] == result["new_exercises"] == result["new_notices"] == 0
    assert (m.Conversion.objects.count(), m.Obligation.objects.count(), m.Investor.objects.count(), Notice.objects.count()) == before


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    prints = []
    for seed in (5, 5, 6):
        with transaction.atomic():
            grow_demo(SMALL, seed=seed, sweep=False)
            prints.append(_fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1]
    assert len(prints[0]) == 120
    assert prints[0] != prints[2]


def test_a_negative_count_is_refused_with_the_option_named():
    with pytest.raises(CommandError, match="--conversions must be 0 or more"):
        call_command("grow_demo", "--conversions", "-1")


def test_the_presets_match_the_issue():
    b = PRESETS["b"]
    got = (b.investors, b.debentures, b.preferred, b.conversions, b.notices, b.exercises)
    assert got == (1_000, 10_000, 10_000, 100_000, 20_000, 2_000)
    assert PRESETS["c"].conversions == 1_000_000


def test_every_page_opens_on_the_grown_demo_for_a_deal_admin_and_a_clerk(client, clerk, deal_admin):
    grow_demo(SMALL, seed=1)
    pages, missing = page_urls()
    assert len(pages) > 150
    # pages whose model the generator makes are all measured
    assert not [n for n in missing if n.startswith(("conversion_", "exercise_", "investor_", "notices:", "obligation_"))]
    client.raise_request_exception = False
    for user, admin_ok in ((deal_admin, True), (clerk, False)):
        client.force_login(user)
        for page in pages:
            if (page.name.startswith("admin:") and not admin_ok) or page.name.startswith("health"):
                continue  # the health checks open their own connections (tests/foundation covers them)
            r = client.get(page.url)
            assert r.status_code < 500, (user.username, page.url, r.status_code)
            if page.name in ("conversion_list", "investor_list", "deadlines", "dashboard", "company_damages", "exercise_list",
                             "conversion_detail", "investor_detail", "conversion_new", "notices:list"):
                assert r.status_code == 200, (user.username, page.url, r.status_code)


def test_every_page_with_an_id_has_a_rule_so_the_bench_measures_it():
    """bench/pages.py measures only the pages deals/demo_pages.py can fill; a new page with an id
    (approvals, excused delays ...) needs a rule, else it is silently left out."""
    assert unmapped_names() == []
    assert _kwargs_models("approval_detail", ["pk"]) == {"pk": "deals.Approval"}
    assert _kwargs_models("api_approval", ["pk"]) == {"pk": "deals.Approval"}
    assert _kwargs_models("company_damages_excused_withdraw", ["financing_id", "pk"]) == {
        "financing_id": "deals.Financing", "pk": "deals.ExcusedDelay"}
    # an unknown page with an id is reported, not filled
    assert _kwargs_models("brand_new_detail", ["pk"]) is None
