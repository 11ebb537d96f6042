"""Checks every browser test runs on the pages it visits (issue 15 items 16, 18b).

``check_page(page, name)`` resizes the page to each width (390 px phone, 1024 px
small laptop, 1366 px desktop), asserts nothing overflows horizontally
(``document.documentElement.scrollWidth <= innerWidth``), saves a screenshot to
test-artifacts/ (gitignored) and runs axe-core (vendored in tests/assets/, MPL-2.0)
against WCAG 2.1 A/AA: no violation of serious or critical impact. axe is loaded
through the DevTools protocol (``page.evaluate``), not a <script> tag, so the
app's Content-Security-Policy stays as strict as in production.
"""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
AXE = ASSETS / "axe-4.14.1.min.js"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WIDTHS = (390, 1024, 1366)
BLOCKING = ("serious", "critical")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def overflow(page) -> dict:
    return page.evaluate(
        """() => {
        const doc = document.documentElement, w = window.innerWidth;
        const over = (el) => el && el.getBoundingClientRect().right > w + 1;
        // the outermost elements sticking out: their parent does not
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => over(el) && !over(el.parentElement))
          .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.'));
        return {scrollWidth: doc.scrollWidth, innerWidth: w, wide};
      }"""
    )


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def check_page(page, name: str, *, widths=WIDTHS, restore: dict | None = None) -> None:
    """Overflow + screenshot at each width, axe once per width (layouts differ)."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = restore or page.viewport_size
    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(50)
            o = overflow(page)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            if o["scrollWidth"] > o["innerWidth"]:
                problems.append(f"{name} at {width} px: page is {o['scrollWidth']} px wide; too wide: {o['wide']}")
            for v in axe_violations(page):
                problems.append(f"{name} at {width} px: axe {v['impact']} {v['id']}: {v['help']} {v['nodes']}")
    finally:
        if original:
            page.set_viewport_size(original)
    assert not problems, "\n".join(problems)
