"""Issue 15 item 4: Content-Security-Policy without inline code, no-store on signed-in pages and
downloads, session idle and absolute limits, the proxy header trusted only when configured."""

import datetime
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "notices" / "templates", ROOT / "deals" / "templates"]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle=[\"']", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=[\"']", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_or_admin_helper_has_inline_code_the_csp_would_block():
    files = [p for d in TEMPLATE_DIRS if d.exists() for p in d.rglob("*.html")]
    files += [ROOT / "deals" / "admin.py", ROOT / "notices" / "admin.py"]
    # PDF templates are rendered by WeasyPrint, never by a browser: no CSP applies.
    files = [p for p in files if "/pdf/" not in p.as_posix()]
    found = [f"{p.relative_to(ROOT)}: {what}" for p in files for rx, what in INLINE if rx.search(p.read_text())]
    assert found == []


@pytest.mark.django_db
def test_csp_header_allows_only_our_own_files(client, clerk_client):
    for c, url in ((client, "/accounts/login/"), (clerk_client, "/")):
        policy = c.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.django_db
def test_signed_in_pages_are_not_stored(clerk_client):
    response = clerk_client.get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pdf_download_is_not_stored(clerk_client, clerk):
    from deals import models as m
    from notices.models import Notice
    from tests.factories import DebentureFactory

    deb = DebentureFactory()
    data = b"%PDF-1.4 test"
    notice = Notice(kind="redemption", content_type=ContentType.objects.get_for_model(m.Debenture),
                    object_id=deb.pk, subject="test", file_name="t.pdf")
    notice.save()
    notice.file.save("t.pdf", ContentFile(data), save=False)
    notice.sha256, notice.status = hashlib.sha256(data).hexdigest(), "ready"
    notice.save()
    response = clerk_client.get(f"/notices/{notice.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_idle_session_is_signed_out_after_the_timeout(clerk_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    start = datetime.datetime.now(datetime.UTC)  # the session was stamped at sign-in, just now
    with time_machine.travel(start, tick=False) as traveller:
        assert clerk_client.get("/").status_code == 200
        traveller.move_to(start + datetime.timedelta(minutes=29))
        assert clerk_client.get("/").status_code == 200  # 29 minutes idle: still in
        traveller.move_to(start + datetime.timedelta(minutes=29 + 31))
        response = clerk_client.get("/conversions/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/conversions/")
        assert "_auth_user_id" not in clerk_client.session
        page = clerk_client.get(response["Location"]).content.decode()
        assert "signed out after 30 minutes without activity" in page


@pytest.mark.django_db
def test_busy_session_ends_at_its_absolute_lifetime(clerk_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    start = datetime.datetime.now(datetime.UTC)  # the session was stamped at sign-in, just now
    with time_machine.travel(start, tick=False) as traveller:
        for minutes in range(0, 120, 20):  # a request every 20 minutes for two hours
            traveller.move_to(start + datetime.timedelta(minutes=minutes))
            assert clerk_client.get("/").status_code == 200, minutes
        traveller.move_to(start + datetime.timedelta(minutes=121))
        response = clerk_client.get("/")
        assert response.status_code == 302
        assert "limit of 120 minutes" in clerk_client.get(response["Location"]).content.decode()


def _settings_value(name, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"BEHIND_PROXY", "DJANGO_ENV"}}
    base.update(env)
    code = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','nhtc.settings'); django.setup(); "
            f"from django.conf import settings; print(repr(getattr(settings, {name!r}, None)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
    return out.stdout.strip().splitlines()[-1]


def test_proxy_ssl_header_is_trusted_only_behind_a_proxy():
    production = {"DJANGO_ENV": "production", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "bo.example.com"}
    assert _settings_value("SECURE_PROXY_SSL_HEADER", **production) == "None"
    assert _settings_value("SECURE_PROXY_SSL_HEADER", BEHIND_PROXY="true", **production) == \
        "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_session_limits_come_from_the_environment():
    assert _settings_value("SESSION_IDLE_TIMEOUT") == "1800"
    assert _settings_value("SESSION_IDLE_TIMEOUT", SESSION_IDLE_TIMEOUT="600") == "600"
    assert _settings_value("SESSION_COOKIE_AGE", SESSION_COOKIE_AGE="3600") == "3600"
