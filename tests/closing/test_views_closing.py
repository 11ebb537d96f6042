"""Closing room pages: clerks read, deal admins write; refusals re-render with the clause."""

import datetime

import pytest
from django.urls import reverse

from deals.models import ClosingRoom, EscrowDeposit, PreferredHolding

from .conftest import fund, meet_all, pdf


def test_clerk_reads_the_room_but_cannot_write(room, clerk_client):
    page = clerk_client.get(reverse("closing_room", args=[room.pk]))
    assert page.status_code == 200
    assert b"Read-only" in page.content and b"SPA 8(f)" in page.content
    assert b"Record the closing" not in page.content
    sub = room.subscriptions.first()
    resp = clerk_client.post(
        reverse("closing_deposit_add", args=[room.pk]),
        {"subscription": sub.pk, "amount": "1", "deposited_on": "2000-01-14", "reference": "x"},
    )
    assert resp.status_code == 403 and not EscrowDeposit.objects.exists()
    assert clerk_client.get(reverse("closing_room_new")).status_code == 403


def test_no_role_user_refused(room, client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("closing_index")).status_code == 403


def test_index_lists_rooms_and_empty_state(series_j, clerk_client):
    page = clerk_client.get(reverse("closing_index"))
    assert page.status_code == 200 and b"Series J" in page.content


def test_room_shows_live_closing_date_and_missing_items(room, deal_admin_client, deal_admin):
    page = deal_admin_client.get(reverse("closing_room", args=[room.pk]))
    assert b"Not yet determined" in page.content and b"SPA 7(a), SPA 7(b)" in page.content
    assert b"2000-01-18" in page.content  # escrow due


def test_admin_opens_room_and_bad_date_refused(series_j, deal_admin_client):
    resp = deal_admin_client.post(reverse("closing_room_new"), {"financing": series_j.pk, "acceptance_date": "2000-03-01"})
    assert resp.status_code == 400 and b"after the business date" in resp.content
    assert not ClosingRoom.objects.exists()
    resp = deal_admin_client.post(reverse("closing_room_new"), {"financing": series_j.pk, "acceptance_date": "2000-01-12"})
    room = ClosingRoom.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("closing_room", args=[room.pk])


def test_deposit_over_purchase_price_refused_with_400_nothing_written(room, deal_admin_client):
    sub = room.subscriptions.first()
    resp = deal_admin_client.post(
        reverse("closing_deposit_add", args=[room.pk]),
        {"subscription": sub.pk, "amount": "700000", "deposited_on": "2000-01-14", "reference": "w"},
    )
    assert resp.status_code == 400 and b"SPA 1(d)" in resp.content
    assert not EscrowDeposit.objects.exists()


def test_satisfy_upload_and_waive_through_the_page(room, deal_admin_client):
    c = room.conditions.get(code="8(a)")
    resp = deal_admin_client.post(
        reverse("closing_condition_satisfy", args=[c.pk]), {"met_on": "2000-01-14", "evidence": pdf(), "note": "filed"}
    )
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.status == "satisfied" and c.evidence
    assert deal_admin_client.get(reverse("closing_condition_evidence", args=[c.pk])).status_code == 200
    w = room.conditions.get(code="8(h)")
    resp = deal_admin_client.post(reverse("closing_condition_waive", args=[w.pk]), {"met_on": "2000-01-14", "waived_by": "", "note": "x"})
    assert resp.status_code == 400
    w.refresh_from_db()
    assert w.status == "open"


def test_record_closing_with_condition_open_refused_then_recorded(room, deal_admin_client, deal_admin):
    fund(room, deal_admin)
    resp = deal_admin_client.post(reverse("closing_record", args=[room.pk]), {"bring_down_confirmed": "on"})
    assert resp.status_code == 400 and b"still open" in resp.content and not PreferredHolding.objects.exists()
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    resp = deal_admin_client.post(reverse("closing_record", args=[room.pk]), {"bring_down_confirmed": "on"})
    assert resp.status_code == 302
    page = deal_admin_client.get(reverse("closing_room", args=[room.pk]))
    assert b"J-1" in page.content and b"W-2" in page.content and b"2000-01-21" in page.content


@pytest.mark.parametrize("name", ["closing_index", "closing_room_new"])
def test_pages_load_for_admin(series_j, deal_admin_client, name):
    assert deal_admin_client.get(reverse(name)).status_code == 200


def test_acceptance_outside_the_calendars_refused_not_500(series_j, deal_admin_client):
    resp = deal_admin_client.post(reverse("closing_room_new"), {"financing": series_j.pk, "acceptance_date": "1990-01-12"})
    assert resp.status_code == 400 and b"outside the calendars" in resp.content
    assert not ClosingRoom.objects.exists()
