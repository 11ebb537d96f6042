"""Deadlines page: the ledger with filters and pagination, sweep runs, "run sweep now"
and its JSON status; roles; query counts."""

import datetime

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
    build_scenario(user=staff_user, terms_version=terms_version, n=3)
    business_date_set(day=TUE)
    return sweep_run(as_of=TUE, triggered_by="test")


def test_anonymous_and_no_role(client, no_role_user):
    assert client.get(reverse("deadlines")).status_code == 302
    assert client.post(reverse("sweep_start")).status_code == 302
    client.force_login(no_role_user)
    assert client.get(reverse("deadlines")).status_code == 403


def test_empty_ledger(clerk_client):
    html = clerk_client.get(reverse("deadlines")).content.decode()
    assert 'data-testid="ledger-empty"' in html and "No sweep has run yet" in html


def test_open_rows_by_default_with_pagination(clerk_client, swept):
    response = clerk_client.get(reverse("deadlines"))
    page = response.context["page"]
    assert page.paginator.per_page == 25
    assert all(o.status == "open" for o in page.object_list)
    assert page.paginator.count == m.Obligation.objects.filter(status="open").count() > 25
    assert clerk_client.get(reverse("deadlines"), {"page": 2}).context["page"].number == 2


def test_filters(clerk_client, swept):
    inv = m.Conversion.objects.filter(preferred__isnull=False).order_by("-pk").first().investor
    response = clerk_client.get(reverse("deadlines"), {"kind": "late_payment", "status": "open", "investor": inv.pk})
    rows = list(response.context["page"].object_list)
    assert len(rows) == 1 and rows[0].kind == "late_payment" and rows[0].investor_id == inv.pk
    response = clerk_client.get(reverse("deadlines"), {"status": "", "due_from": "2000-05-30", "due_to": "2000-05-30"})
    assert {o.due_date for o in response.context["page"].object_list} == {TUE}


def test_bad_due_range_says_what_is_wrong_and_keeps_values(clerk_client, swept):
    response = clerk_client.get(reverse("deadlines"), {"due_from": "2000-06-30", "due_to": "2000-06-01"})
    html = response.content.decode()
    assert "&#x27;Due from&#x27; 2000-06-30 is after &#x27;Due to&#x27; 2000-06-01" in html
    assert 'value="2000-06-30"' in html


def test_sweep_runs_listed_with_rule_counts(clerk_client, swept):
    html = clerk_client.get(reverse("deadlines")).content.decode()
    assert 'data-testid="sweep-runs"' in html and "Share delivery, late payments, revocation" in html
    assert 'data-testid="run-sweep"' not in html


def test_clerk_cannot_start_a_sweep(clerk_client):
    assert clerk_client.post(reverse("sweep_start")).status_code == 403
    assert m.SweepRun.objects.count() == 0


def test_deal_admin_runs_the_sweep_and_polls_its_status(deal_admin_client, staff_user, terms_version,
                                                         django_capture_on_commit_callbacks):
    build_scenario(user=staff_user, terms_version=terms_version, n=1)
    business_date_set(day=TUE)
    with django_capture_on_commit_callbacks(execute=True):
        response = deal_admin_client.post(reverse("sweep_start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    status = deal_admin_client.get(response.json()["status_url"]).json()
    assert status["finished"] and status["status"] == "succeeded"
    assert status["rules_done"] == status["rules_total"] == 11
    assert status["created"] > 0 and status["as_of"] == "2000-05-30"
    run = m.SweepRun.objects.get()
    assert run.user.username == "dealadmin"


def test_run_now_while_a_sweep_runs_is_refused_with_its_status(deal_admin_client):
    running = m.SweepRun.objects.create(as_of=TUE, status="running", triggered_by="beat")
    response = deal_admin_client.post(reverse("sweep_start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert "already running" in response.json()["error"]
    assert response.json()["status_url"] == reverse("sweep_status", args=[running.pk])
    # without JavaScript: back to the page with the message
    response = deal_admin_client.post(reverse("sweep_start"), follow=True)
    assert "already running" in response.content.decode()


def test_status_of_unknown_run_is_404(clerk_client):
    assert clerk_client.get(reverse("sweep_status", args=[999])).status_code == 404


def test_query_count_constant(clerk_client, swept, staff_user, terms_version, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk_client.get(reverse("deadlines"))
    with CaptureQueriesContext(connection) as small:
        clerk_client.get(reverse("deadlines"))
    fin = m.Financing.objects.filter(kind="series_j").first()
    build_scenario(user=staff_user, terms_version=terms_version, n=20, fin=fin)
    sweep_run(as_of=TUE, triggered_by="more")
    with django_assert_num_queries(len(small)):
        clerk_client.get(reverse("deadlines"))
