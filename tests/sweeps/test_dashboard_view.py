"""Dashboard (home page): buckets, accrued amounts, timeline, links, roles, query counts."""

import datetime
import json

import pytest
from django.urls import reverse

from deals import models as m
from deals.services.calendar import business_date_set
from deals.services.sweeps import sweep_run

from .conftest import build_scenario

pytestmark = pytest.mark.django_db
TUE = datetime.date(2000, 5, 30)


@pytest.fixture
def swept(staff_user, terms_version):
    build_scenario(user=staff_user, terms_version=terms_version, n=2)
    business_date_set(day=TUE)
    sweep_run(as_of=TUE, triggered_by="test")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_user_without_a_role_is_refused(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("dashboard")).status_code == 403


def test_empty_ledger_explains_itself(clerk_client):
    response = clerk_client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No sweep has run yet" in html
    assert 'data-testid="overdue-empty"' in html
    assert 'data-testid="timeline-empty"' in html
    assert 'data-testid="run-sweep"' not in html  # clerks cannot run the sweep


def test_buckets_amounts_and_links(clerk_client, swept):
    response = clerk_client.get(reverse("dashboard"))
    ctx = response.context
    html = response.content.decode()
    # share deliveries due 05-22 are overdue; the Series J late payments (first late day 05-26) too
    assert ctx["totals"]["overdue_n"] >= 4
    # 2 business days late on $10,000: $200 each, and the big 800,000-share conversion's $100,000 converted
    assert ctx["late_accrued"]["n"] == 3
    assert "Late payments" in html and "SPA 5(c)" in html
    # the statement was due effective 2000-05-01 (RRA 2(b)): one accruing Periodic Amount per investor
    assert ctx["periodic_accrued"]["n"] == m.PreferredHolding.objects.values("investor").distinct().count()
    conv = m.Conversion.objects.order_by("pk").first()
    assert reverse("conversion_detail", args=[conv.pk]) in html  # link to the source record
    # the cure periods end today (05-22 + 5 business days, Memorial Day skipped)
    assert ctx["totals"]["today_n"] == 2
    assert {r["kind"] for r in ctx["by_kind"]} >= {"share_delivery", "late_payment", "cure_period"}


def test_timeline_chart_data_covers_90_days(clerk_client, swept):
    response = clerk_client.get(reverse("dashboard"))
    html = response.content.decode()
    data = json.loads(html.split('<script id="timeline-data" type="application/json">')[1].split("</script>")[0])
    assert len(data["labels"]) == 91 and data["labels"][0] == "2000-05-30"
    kinds = {d["kind"] for d in data["datasets"]}
    assert "warrant_expiry" in kinds and "maturity" in kinds
    assert 'id="timeline-chart"' in html and "chartjs-4.6.1/chart.umd.min.js" in html


def test_deal_admin_sees_run_sweep_now(deal_admin_client, swept):
    html = deal_admin_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="run-sweep"' in html and "js/sweep.js" in html


def _more_rows(staff_user, terms_version, n):
    fin = m.Financing.objects.filter(kind="series_j").first()
    build_scenario(user=staff_user, terms_version=terms_version, n=n, fin=fin)
    sweep_run(as_of=TUE, triggered_by="more")


def test_query_count_does_not_depend_on_ledger_size(deal_admin_client, swept, staff_user, terms_version, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deal_admin_client.get(reverse("dashboard"))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        deal_admin_client.get(reverse("dashboard"))
    _more_rows(staff_user, terms_version, 20)
    assert m.Obligation.objects.count() > 100
    with django_assert_num_queries(len(small)):
        deal_admin_client.get(reverse("dashboard"))


def test_by_investor_shows_the_busiest_ten_and_how_many_more(clerk_client, django_assert_num_queries):
    """Issue 17: one grouped query; the investors with the most overdue first, then "and M more"."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals.services.ledger.writer import Row, ledger_put
    from tests import factories as f

    business_date_set(day=TUE)
    investors = [f.InvestorFactory(legal_name=f"Fund {i:02d}") for i in range(13)]

    def put(inv, n_overdue):
        rows = [Row(m.ObligationKind.CURE_PERIOD, "Debenture 10", inv.pk, TUE - datetime.timedelta(days=1 + k), period_key=str(k),
                    investor_id=inv.pk, description="test") for k in range(n_overdue)]
        rows.append(Row(m.ObligationKind.CURE_PERIOD, "Debenture 10", inv.pk, TUE, period_key="today", investor_id=inv.pk,
                        description="test"))
        ledger_put(source=inv, rows=rows, as_of=TUE)

    put(investors[0], 1)
    clerk_client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        r = clerk_client.get(reverse("dashboard"))
    assert len(r.context["by_investor"]) == 1 and r.context["by_investor_more"] == 0
    assert 'data-testid="by-investor-more"' not in r.content.decode()
    for i, inv in enumerate(investors[1:], start=1):
        put(inv, 3 if i == 7 else (2 if i == 12 else 1))
    with django_assert_num_queries(len(one)):
        r = clerk_client.get(reverse("dashboard"))
    rows = r.context["by_investor"]
    assert len(rows) == 10 and r.context["by_investor_more"] == 3
    assert [rows[0]["investor__legal_name"], rows[1]["investor__legal_name"]] == ["Fund 07", "Fund 12"]
    assert (rows[0]["overdue_n"], rows[0]["today_n"]) == (3, 1)
    html = r.content.decode()
    assert 'data-testid="by-investor-more"' in html and "and 3 more investors" in html
