"""Notice pages: list (filters, pagination, constant queries), detail (hash, rendering page,
verify, retry, supersede), and the permission-checked download."""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.services.roles import CLERK
from notices import rendering
from notices.models import Notice, NoticeStatus
from tests import factories as f

from .helpers import stored_bytes


@pytest.fixture
def ready(conversion, clerk, request_notice):
    return request_notice(conversion, "conversion", clerk)


def _download(client, notice):
    return client.get(reverse("notices:download", args=[notice.pk]))


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- download --------------------------------------------------------------------------


def test_download_serves_stored_bytes_with_readable_name_and_hash(clerk_client, ready):
    response = _download(clerk_client, ready)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notice-of-conversion-D-7-2000-05-15.pdf"'
    assert response["X-Content-SHA256"] == ready.sha256 and response["ETag"] == f'"{ready.sha256}"'
    body = _body(response)
    assert body == stored_bytes(ready) and hashlib.sha256(body).hexdigest() == ready.sha256


def test_deal_admin_can_download(deal_admin_client, ready):
    assert _download(deal_admin_client, ready).status_code == 200


def test_user_without_a_role_cannot_download(client, no_role_user, ready):
    client.force_login(no_role_user)
    assert _download(client, ready).status_code == 403
    assert client.get(reverse("notices:detail", args=[ready.pk])).status_code == 403
    assert client.get(reverse("notices:list")).status_code == 403


def test_clerk_without_access_to_the_record_cannot_download(clerk_client, ready):
    # Access to a notice is access to its record: take "view conversion" away from clerks.
    perm = Permission.objects.get(content_type=ContentType.objects.get_by_natural_key("deals", "conversion"), codename="view_conversion")
    Group.objects.get(name=CLERK).permissions.remove(perm)
    assert _download(clerk_client, ready).status_code == 403
    assert clerk_client.get(reverse("notices:detail", args=[ready.pk])).status_code == 403
    assert ready.reference not in clerk_client.get(reverse("notices:list")).content.decode()


def test_anonymous_user_is_sent_to_login(client, ready):
    response = _download(client, ready)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_superseded_notice_is_still_downloadable(deal_admin, clerk_client, ready, django_capture_on_commit_callbacks):
    admin_client = Client()
    admin_client.force_login(deal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("notices:supersede", args=[ready.pk]), {"reason": "Wrong address"})
    new = Notice.objects.get(supersedes=ready)
    assert response.status_code == 302 and response["Location"] == reverse("notices:detail", args=[new.pk])
    old_response = _download(clerk_client, ready)
    assert old_response.status_code == 200 and _body(old_response) == stored_bytes(ready)
    new_response = _download(clerk_client, new)
    assert 'filename="notice-of-conversion-D-7-2000-05-15-v2.pdf"' in new_response["Content-Disposition"]
    page = clerk_client.get(reverse("notices:detail", args=[ready.pk])).content.decode()
    assert "Superseded by" in page and "Wrong address" in page


def test_download_of_an_unrendered_notice_goes_back_to_the_detail(clerk_client, conversion, clerk):
    notice = _pending(conversion, clerk)
    response = _download(clerk_client, notice)
    assert response.status_code == 302 and response["Location"] == reverse("notices:detail", args=[notice.pk])


def test_download_of_a_missing_file_is_404(clerk_client, ready):
    import os

    os.remove(ready.file.path)
    assert _download(clerk_client, ready).status_code == 404


# --- detail ----------------------------------------------------------------------------------


def _pending(record, user):
    from notices.services import notice_request

    return notice_request(record=record, kind="conversion", user=user)  # on_commit not run: stays queued


def test_detail_shows_hash_and_download(clerk_client, ready):
    page = clerk_client.get(reverse("notices:detail", args=[ready.pk])).content.decode()
    assert ready.sha256 in page and ready.file_name in page
    assert reverse("notices:download", args=[ready.pk]) in page
    assert 'http-equiv="refresh"' not in page


def test_detail_of_a_queued_notice_refreshes_until_ready(clerk_client, conversion, clerk):
    notice = _pending(conversion, clerk)
    page = clerk_client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "Rendering&hellip;" in page


def test_verify_view_reports_match_and_tampering(clerk_client, ready):
    page = clerk_client.post(reverse("notices:verify", args=[ready.pk])).content.decode()
    assert "Verified." in page
    with open(ready.file.path, "ab") as fh:
        fh.write(b"%tampered")
    page = clerk_client.post(reverse("notices:verify", args=[ready.pk])).content.decode()
    assert "Verification failed." in page and "Tampering" in page


def test_verify_needs_post(clerk_client, ready):
    assert clerk_client.get(reverse("notices:verify", args=[ready.pk])).status_code == 405


def test_failed_notice_shows_error_and_retry_renders(
    clerk_client, conversion, clerk, request_notice, monkeypatch, django_capture_on_commit_callbacks
):
    real = rendering.html_to_pdf
    monkeypatch.setattr(rendering, "html_to_pdf", lambda html: (_ for _ in ()).throw(RuntimeError("no fonts")))
    notice = request_notice(conversion, "conversion", clerk)
    page = clerk_client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "RuntimeError: no fonts" in page and "Retry the render" in page
    monkeypatch.setattr(rendering, "html_to_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("notices:retry", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.READY


def test_retry_of_a_ready_notice_says_why_not(clerk_client, ready):
    response = clerk_client.post(reverse("notices:retry", args=[ready.pk]), follow=True)
    assert "only a failed render" in response.content.decode()


def test_clerk_cannot_supersede(clerk_client, ready):
    response = clerk_client.post(reverse("notices:supersede", args=[ready.pk]), {"reason": "x"})
    assert response.status_code == 403 and Notice.objects.count() == 1
    assert "Issue a corrected version" not in clerk_client.get(reverse("notices:detail", args=[ready.pk])).content.decode()


def test_supersede_without_reason_rerenders_with_the_error(deal_admin_client, ready):
    response = deal_admin_client.post(reverse("notices:supersede", args=[ready.pk]), {"reason": "   "})
    assert response.status_code == 400
    assert "Give the reason for the correction" in response.content.decode() or "This field is required" in response.content.decode()
    assert Notice.objects.count() == 1


# --- list ------------------------------------------------------------------------------------------


_next_id = iter(range(10_000, 10_000_000))


def _bulk_notices(n: int, investor=None):
    """Notice rows without rendering (list pages only read the rows)."""
    ct = ContentType.objects.get_by_natural_key("deals", "conversion")
    investor = investor or f.InvestorFactory()
    Notice.objects.bulk_create(
        Notice(
            kind="conversion" if i % 3 else "exercise",
            content_type=ct if i % 3 else ContentType.objects.get_by_natural_key("deals", "warrantexercise"),
            object_id=next(_next_id),
            investor=investor,
            subject=f"Row {i}",
            file_name=f"n-{i}.pdf",
            status=NoticeStatus.FAILED if i % 5 == 0 else NoticeStatus.PENDING,
        )
        for i in range(n)
    )


def test_list_empty_state(clerk_client, db):
    page = clerk_client.get(reverse("notices:list")).content.decode()
    assert "No notices yet" in page


def test_list_paginates_25_per_page(clerk_client, db):
    _bulk_notices(30)
    first = clerk_client.get(reverse("notices:list"))
    assert len(first.context["page"].object_list) == 25
    second = clerk_client.get(reverse("notices:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_list_filters_by_kind_status_investor_and_date(clerk_client, ready, conversion):
    _bulk_notices(9)
    url = reverse("notices:list")
    kinds = {n.kind for n in clerk_client.get(url, {"kind": "exercise"}).context["page"].object_list}
    assert kinds == {"exercise"}
    statuses = {n.status for n in clerk_client.get(url, {"status": "ready"}).context["page"].object_list}
    assert statuses == {"ready"}
    rows = clerk_client.get(url, {"investor": conversion.investor_id}).context["page"].object_list
    assert [n.pk for n in rows] == [ready.pk]
    today = ready.created_at.date()
    assert clerk_client.get(url, {"date_from": (today + datetime.timedelta(days=1)).isoformat()}).context["page"].paginator.count == 0
    assert "No notice matches these filters" in clerk_client.get(url, {"date_to": "1999-01-01"}).content.decode()


def test_list_reports_a_reversed_date_range(clerk_client, db):
    page = clerk_client.get(reverse("notices:list"), {"date_from": "2000-06-01", "date_to": "2000-05-01"}).content.decode()
    assert "&#x27;Requested from&#x27; (2000-06-01) is after &#x27;Requested to&#x27; (2000-05-01)" in page


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("notices:list")).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(clerk_client, django_assert_num_queries, db):
    _bulk_notices(10)
    clerk_client.get(reverse("notices:list"))  # warm session/permission caches alike for both runs
    expected = _list_queries(clerk_client)
    _bulk_notices(90)
    with django_assert_num_queries(expected):
        clerk_client.get(reverse("notices:list"))


# --- include for record pages -------------------------------------------------------------------------


def test_record_notices_include_lists_versions_with_links(ready, conversion, rf, clerk):
    request = rf.get("/")
    request.user = clerk
    html = Template('{% include "notices/_record_notices.html" with record=conversion %}').render(
        Context({"conversion": conversion, "request": request})
    )
    assert ready.reference in html and reverse("notices:download", args=[ready.pk]) in html
    assert "Ready" in html


def test_record_notices_tag_for_a_record_without_notices(conversion):
    html = Template("{% load notice_tags %}{% record_notices record as ns %}{{ ns|length }}").render(Context({"record": conversion}))
    assert html == "0"
