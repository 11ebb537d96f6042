"""Issue 15 item 18: PDF appendix numbers formatted like the page ($50,000.00; 34,783 shares;
$1.4375), no developer words, and a Series J delivery citing SPA 5(c) only."""

import re

import pytest

from deals.services.ledger.sync import conversion_rows
from notices.kinds import recorded_value
from notices.models import NoticeStatus

from .helpers import pdf_text, stored_bytes


@pytest.mark.parametrize("key, value, shown", [
    ("late_payment_base", "25571.23", "$25,571.23"),
    ("late_payment_base", "-100", "\u2212$100.00"),
    ("shares", 34783, "34,783"),
    ("warrant_shares", "50000", "50,000"),
    ("exercise_price", "1.65", "$1.6500"),
    ("closing_bid", "1.2", "$1.2000"),
    ("aggregate_price", "20625.00", "$20,625.00"),
    ("redemption_price", "123452.05", "$123,452.05"),
    ("rate_pct", "6.0000", "6%"),
    ("as_of", "2000-06-01", "2000-06-01"),
    ("days", 139, "139"),
    ("precision", "exact", "exact"),
    ("stockholder_approval", False, "no"),
    ("note", None, "\u2014"),
])
def test_recorded_values_are_formatted_by_what_they_name(key, value, shown):
    assert recorded_value(key, value) == shown


def _text(request_notice, record, kind, user):
    notice = request_notice(record, kind, user)
    assert notice.status == NoticeStatus.READY, notice.error
    return pdf_text(stored_bytes(notice))


def test_series_j_appendix_numbers_look_like_the_page(preferred_conversion, clerk, request_notice):
    text = _text(request_notice, preferred_conversion, "conversion", clerk)
    appendix = text[text.index("COMPUTATION APPENDIX"):]
    base = preferred_conversion.snapshot["late_payment_base"]  # as the engine recorded it, e.g. "25571.23"
    assert "." in base and f"Late payment base ${float(base):,.2f}" in appendix
    assert not re.search(r"(?<![\d,.$])\d{5,}\.\d{2}\b", appendix), "a raw amount in the appendix"
    assert "share_rounding" not in appendix and "docs/" not in appendix and "Shown price" not in appendix
    deadlines = appendix[appendix.index("Deadlines"):appendix.index("Delivery Date (certificates due)")]
    assert "SPA 5(c)" in deadlines and "Debenture 4(A)" not in deadlines


def test_exercise_appendix_numbers_look_like_the_page(exercise, clerk, request_notice):
    text = _text(request_notice, exercise, "exercise", clerk)
    appendix = text[text.index("COMPUTATION APPENDIX"):]
    assert f"({exercise.shares:,} shares)" in appendix
    assert f"Shares {exercise.shares:,}" in appendix and f"Aggregate price ${exercise.aggregate_price:,.2f}" in appendix


def test_redemption_appendix_has_no_developer_paths(redemption, deal_admin, request_notice):
    text = _text(request_notice, redemption, "redemption", deal_admin)
    assert "docs/" not in text and "interpretations.md" not in text


def test_series_j_delivery_row_cites_spa_5c_only(preferred_conversion, conversion):
    rows = conversion_rows(preferred_conversion, as_of=preferred_conversion.conversion_date)
    assert rows[0].kind == "share_delivery" and rows[0].clause == "SPA 5(c)"
    assert conversion_rows(conversion, as_of=conversion.conversion_date)[0].clause == "Debenture 4(A)"


def test_a_series_k_conversion_notice_names_series_k(preferred_conversion, clerk, request_notice):
    """Issue 18: the notice names the holding's own series."""
    financing = preferred_conversion.preferred.financing
    financing.name = "Series K (fictional)"
    financing.save()
    text = _text(request_notice, preferred_conversion, "conversion", clerk)
    body, appendix = text.split("COMPUTATION APPENDIX", 1)
    assert "Convert Series K Convertible Preferred Stock" in body and "shares of Series K Convertible Preferred Stock" in body
    assert "Series K shares converted" in body and "Series J" not in body
    assert "Series K Certificate of Designations (whole shares)" in appendix
