"""docs/interpretations.md as a page (the footer's "Contract readings").

Rendered with Python-Markdown with raw HTML switched off (the ``html_block``
preprocessor and ``html`` inline pattern removed, so any markup in the file is
shown as text) and links kept only for http(s), mailto, in-page and relative
targets. Read once per process; the file ships with the code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = {"", "http", "https", "mailto"}


class _SafeLinks(Treeprocessor):
    def run(self, root):
        for el in root.iter("a"):
            if urlsplit(el.get("href", "")).scheme.lower() not in SAFE_SCHEMES:
                el.attrib.pop("href", None)
        for el in root.iter("img"):  # no remote images on an authenticated page
            el.tag = "span"
            el.text = el.get("alt", "")
            el.attrib.clear()


class NoRawHtml(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "nhtc_safe_links", 0)


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with raw HTML escaped and unsafe link targets dropped."""
    html = markdown.markdown(text, extensions=[NoRawHtml(), "tables", "sane_lists", "toc"], output_format="html")
    return mark_safe(html)  # noqa: S308 -- raw HTML is disabled above; every text node is escaped by Markdown


@lru_cache(maxsize=1)
def interpretations_html() -> SafeString:
    path = Path(settings.BASE_DIR) / "docs" / "interpretations.md"
    return render_markdown(path.read_text(encoding="utf-8"))
