"""The footer's "Contract readings" (issue 15 item 20): docs/interpretations.md as a page,
Markdown rendered with raw HTML shown as text and unsafe link targets dropped."""

import pytest
from django.urls import reverse

from nhtc.readings import render_markdown


def test_raw_html_is_shown_as_text():
    html = render_markdown('Before <script>alert("x")</script> after\n\n<div onclick="x()">block</div>')
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<div" not in html and "&lt;div onclick" in html


def test_javascript_links_lose_their_target_and_images_become_text():
    html = render_markdown("[a](javascript:alert(1)) [b](https://example.com/x) [c](#calendars) ![pic](https://evil.example/p.png)")
    assert "javascript:" not in html
    assert 'href="https://example.com/x"' in html and 'href="#calendars"' in html
    assert "<img" not in html and "evil.example" not in html and "pic" in html


@pytest.mark.django_db
def test_clerks_read_the_interpretations_as_a_page(clerk_client):
    r = clerk_client.get(reverse("readings"))
    assert r.status_code == 200
    page = r.content.decode()
    assert '>Calendars -- "business day" and "trading day"</h2>' in page
    assert "<code>DealTerms.share_rounding</code>" in page


@pytest.mark.django_db
def test_footer_links_to_the_readings(clerk_client):
    page = clerk_client.get(reverse("notices:list")).content.decode()
    assert f'<a href="{reverse("readings")}">Contract readings</a>' in page


@pytest.mark.django_db
def test_users_without_a_role_cannot_read_it(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("readings")).status_code == 403
