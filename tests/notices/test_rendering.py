"""The locked-down WeasyPrint pipeline: only the app's static files can be fetched; fonts and
the print stylesheet are shared across renders; values are escaped."""

import pytest
from weasyprint.urls import FatalURLFetchingError

from notices import rendering
from notices.rendering import StaticOnlyURLFetcher, URLRefused

from .helpers import pdf_text


@pytest.fixture
def fetcher():
    return StaticOnlyURLFetcher()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "data:text/css,body{color:red}",
        "ftp://example.com/x",
        "file:///nhtc-static/../../etc/passwd",
        "file:///nhtc-static/notices/../../../../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "file://evil.example.com/nhtc-static/notices/print.css",
        "file:///nhtc-static/notices/no-such-file.css",
    ],
)
def test_fetcher_refuses_everything_but_own_static_files(fetcher, url):
    with pytest.raises(URLRefused):
        fetcher(url)


def test_fetcher_serves_the_apps_own_static_file(fetcher):
    response = fetcher("file:///nhtc-static/notices/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_fetcher_serves_static_url_paths(fetcher):
    # {% static %} URLs ("/static/...") resolve against the base as file:///static/...
    response = fetcher("file:///static/vendor/bootstrap-5.3.9/bootstrap.min.css")
    assert response.status == 200


@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/tracker.png">',
        '<link rel="stylesheet" href="https://example.com/x.css">',
        "<style>@import url('file:///etc/passwd');</style>",
    ],
)
def test_render_stops_on_a_refused_resource(html):
    # Refusals stop the render (fail_on_errors): no PDF with a silently missing part.
    with pytest.raises(FatalURLFetchingError):
        rendering.html_to_pdf(f"<html><body><p>x</p>{html}</body></html>")


def test_relative_static_resources_render():
    pdf = rendering.html_to_pdf('<html><head><link rel="stylesheet" href="notices/print.css"></head><body><p>Hello</p></body></html>')
    assert "Hello" in pdf_text(pdf)


def test_font_configuration_and_stylesheet_are_built_once():
    assert rendering.font_configuration() is rendering.font_configuration()
    assert rendering.print_stylesheet() is rendering.print_stylesheet()
    rendering.html_to_pdf("<p>one</p>")
    css = rendering.print_stylesheet()
    rendering.html_to_pdf("<p>two</p>")
    assert rendering.print_stylesheet() is css


def test_context_values_are_escaped_not_markup():
    html = rendering.render_html(
        "notices/pdf/_appendix.html",
        {"title": "T", "notice": {"reference": "N-1"}, "appendix": [{"title": '<img src="http://x/y">', "rows": []}]},
    )
    assert "<img" not in html and "&lt;img" in html
