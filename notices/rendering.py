"""HTML -> PDF with WeasyPrint, locked down.

- Values reach the HTML only through a Django template context (auto-escaped);
  no user-supplied HTML is ever inserted.
- ``StaticOnlyURLFetcher`` serves the app's own static files (resolved by the
  staticfiles finders, i.e. ``STATICFILES_DIRS`` and each app's ``static/``,
  or ``STATIC_ROOT``) and refuses everything else -- ``file://`` outside those
  roots, ``http(s)``, ``data:`` and any other scheme -- by raising, which stops
  the render (``fail_on_errors``) instead of leaving a silent gap.
- One ``FontConfiguration`` and the parsed print stylesheet are built once per
  process and reused by every render (parsing CSS and loading fonts is the
  expensive part of a small document).
"""

from __future__ import annotations

import hashlib
import posixpath
import threading
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template, render_to_string
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in notice templates resolve against this virtual root; it is not a real
# directory, the fetcher maps it onto the static roots.
STATIC_BASE_URL = "file:///nhtc-static/"
PRINT_CSS = "notices/print.css"  # a static file of this app
ENGINE = f"WeasyPrint {weasyprint.__version__}"


class URLRefused(ValueError):
    """A notice tried to load something other than the app's own static files."""


class StaticOnlyURLFetcher(URLFetcher):
    """Fetches ``file:///nhtc-static/<path>`` and ``file:///static/<path>`` (``{% static %}``
    URLs) from the app's static files; raises ``URLRefused`` for anything else."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True, timeout=1)

    @staticmethod
    def resolve(url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise URLRefused(f"Notices may only load the app's static files; refused {url[:200]!r}.")
        if parts.netloc not in ("", "localhost"):
            raise URLRefused(f"Refused remote file URL {url[:200]!r}.")
        path = unquote(parts.path)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        for prefix in ("/nhtc-static/", static_prefix):
            if path.startswith(prefix):
                rel = path[len(prefix) :]
                break
        else:
            raise URLRefused(f"Refused {url[:200]!r}: not one of the app's static files.")
        norm = posixpath.normpath(rel)
        if not rel or norm.startswith(("../", "/")) or norm in ("..", "."):
            raise URLRefused(f"Refused {url[:200]!r}: path escapes the static roots.")
        found = finders.find(norm)
        if not found and settings.STATIC_ROOT:
            candidate = Path(settings.STATIC_ROOT, norm)
            found = str(candidate) if candidate.is_file() else None
        if not found:
            raise URLRefused(f"Static file {norm!r} not found.")
        return Path(found).resolve()

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": _mime(path)})


def _mime(path: Path) -> str:
    return {
        ".css": "text/css",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".svg": "image/svg+xml",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
    }.get(path.suffix.lower(), "application/octet-stream")


_lock = threading.Lock()
# Pango/fontconfig behind one shared FontConfiguration are not thread-safe: a
# threaded web server rendering in-process (no Redis) crashed once under the
# parallel-conversion test. Renders in one process take turns; Celery's
# prefork workers are separate processes and still render in parallel.
_render_lock = threading.Lock()


@cache
def _shared() -> tuple[FontConfiguration, StaticOnlyURLFetcher, weasyprint.CSS]:
    """The process-wide font configuration, fetcher and parsed print stylesheet (built once)."""
    with _lock:
        font_config = FontConfiguration()
        fetcher = StaticOnlyURLFetcher()
        css = weasyprint.CSS(url=STATIC_BASE_URL + PRINT_CSS, url_fetcher=fetcher, font_config=font_config)
        return font_config, fetcher, css


def font_configuration() -> FontConfiguration:
    return _shared()[0]


def url_fetcher() -> StaticOnlyURLFetcher:
    return _shared()[1]


def print_stylesheet() -> weasyprint.CSS:
    return _shared()[2]


def print_css_text() -> str:
    """The print stylesheet's source (for the bench's bare-WeasyPrint comparison)."""
    return StaticOnlyURLFetcher.resolve(STATIC_BASE_URL + PRINT_CSS).read_text()


def render_html(template_name: str, context: dict) -> str:
    """The notice's HTML from a template and a context (auto-escaped)."""
    return render_to_string(template_name, context)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes for ``html`` with the shared stylesheet, fonts and locked-down fetcher."""
    font_config, fetcher, css = _shared()
    with _render_lock:
        document = weasyprint.HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[css], font_config=font_config)


@cache
def template_fingerprint(template_name: str) -> str:
    """Short hash of a notice template, the base template and the print stylesheet: the
    ``template_version`` stored on a notice changes whenever any of them changes."""
    digest = hashlib.sha256()
    for name in (template_name, "notices/pdf/base.html", "notices/pdf/_appendix.html"):
        origin = get_template(name).origin.name
        digest.update(Path(origin).read_bytes())
    digest.update(print_css_text().encode())
    return digest.hexdigest()[:10]
