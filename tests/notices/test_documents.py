"""Each document kind, rendered for real: the extracted text carries every filled value, in the
exhibit's wording, with the computation appendix on its own page."""

import io

import pytest
from pypdf import PdfReader

from notices import formatting as fmt
from notices.models import NoticeStatus
from tests import factories as f

from .helpers import page_count, pdf_text, stored_bytes


def _render(request_notice, record, kind, user):
    notice = request_notice(record, kind, user)
    assert notice.status == NoticeStatus.READY, notice.error
    data = stored_bytes(notice)
    return notice, data, pdf_text(data)


def test_debenture_notice_is_exhibit_a_filled(conversion, clerk, request_notice):
    notice, data, text = _render(request_notice, conversion, "conversion", clerk)
    assert notice.file_name == "notice-of-conversion-D-7-2000-05-15.pdf"
    # Exhibit A's words (Debenture, Exhibit A) ...
    for words in (
        "EXHIBIT A",
        "NOTICE OF CONVERSION",
        "To be Executed by the Registered Holder in order to Convert the Debenture",
        "hereby irrevocably elects to convert",
        "of the principal amount of the above Debenture No.",
        "reaffirms the undersigned’s representations made in the Securities Purchase Agreement",
        "Date of Conversion*",
        "Applicable Conversion Price",
        "Signature",
        "[Name]",
        "Address:",
        "must be received by the Company by the fifth business date following the Date of Conversion",
    ):
        assert words in text, words
    # ... and every filled value.
    for value in (
        "$50,000.00",  # principal converted
        "D-7",  # debenture number
        "May 15, 2000",  # Date of Conversion
        fmt.price(conversion.conversion_price),  # Applicable Conversion Price
        "Fictional Fund <A> & Co. Ltd.",  # holder as signatory (escaped in HTML, literal in the PDF)
        "12 Bay Street",
        "Nassau, Bahamas",
        "May 22, 2000",  # 5th business day after May 15, 2000 (Exhibit A footnote)
        "NATURAL HEALTH TRENDS CORP.",
    ):
        assert value in text, value
    assert page_count(data) == 2  # the exhibit page + the computation appendix


def test_debenture_appendix_shows_lookback_formula_and_clauses(conversion, clerk, request_notice):
    _, _, text = _render(request_notice, conversion, "conversion", clerk)
    snap = conversion.snapshot
    assert "COMPUTATION APPENDIX" in text
    for day in snap["market_price"]["window"]:
        assert day["day"] in text and fmt.price(day["price"]) in text
    assert "conversion price = lesser of $1.4375 and 80% × Market Price" in text
    assert fmt.shares(conversion.shares_for_amount) in text
    assert "Debenture 4(A)" in text and "SPA 4(d)(ii), 4(i)" in text
    assert fmt.money(snap["accrual"]["amount"]) in text


def test_series_j_notice_has_shares_preference_dividends_and_price(preferred_conversion, clerk, request_notice):
    notice, _, text = _render(request_notice, preferred_conversion, "conversion", clerk)
    c = preferred_conversion
    assert notice.file_name == "notice-of-conversion-J-3-2000-06-01.pdf"
    for value in (
        "Series J Convertible Preferred Stock",
        "J-3",  # certificate
        "25",  # $25,000 / $1,000 stated value
        "$25,000.00",  # liquidation preference converted
        fmt.money(c.interest_amount),  # dividends
        f"paid in Common Stock ({fmt.shares(c.interest_shares)} shares)",  # how paid
        fmt.price(c.conversion_price),
        "June 1, 2000",
        fmt.long_date(c.delivery_date),
        "Fictional Fund <A> & Co. Ltd.",
        "Certificate of Designations",
    ):
        assert value in text, value


def test_exercise_notice_has_shares_price_aggregate_and_payment(exercise, clerk, request_notice):
    notice, _, text = _render(request_notice, exercise, "exercise", clerk)
    assert notice.file_name == "notice-of-exercise-W-4-2000-07-10.pdf"
    for value in ("NOTICE OF EXERCISE", "W-4", "12,500", "$1.6500", "$20,625.00", "July 10, 2000", "July 13, 2000", "12 Bay Street"):
        assert value in text, value
    assert "aggregate exercise price = Warrant Shares × Exercise Price" in text


def test_redemption_notice_has_120_percent_interest_deadline_and_convert_window(redemption, deal_admin, request_notice):
    notice, _, text = _render(request_notice, redemption, "redemption", deal_admin)
    r = redemption
    assert notice.file_name == "notice-of-redemption-D-7-2000-08-01.pdf"
    assert notice.investor_id == r.debenture.investor_id
    for value in (
        "NOTICE OF REDEMPTION",
        "Section 4(B)",
        "$100,000.00",
        "120%",
        "$120,000.00",
        fmt.money(r.interest_amount),
        fmt.money(r.total_amount),
        "August 1, 2000",  # notice date
        "August 15, 2000",  # 10th business day after August 1, 2000
        "August 9, 2000",  # 5th business day after receipt on August 2, 2000
        "null and void",
        "within five (5) business days of your receipt",
    ):
        assert value in text, value


def test_notice_without_snapshot_has_no_appendix(make_conversion, clerk, request_notice):
    conversion = make_conversion()
    conversion.snapshot = {}
    conversion.save(update_fields=["snapshot"])
    _, data, text = _render(request_notice, conversion, "conversion", clerk)
    assert "COMPUTATION APPENDIX" not in text
    assert page_count(data) == 1


def test_appendix_tolerates_a_wrapped_or_partial_snapshot(make_conversion, clerk, request_notice):
    conversion = make_conversion()
    # A workflow may wrap the quote and add its own keys; unknown shapes are shown as recorded.
    conversion.snapshot = {"quote": {"applied_price": "0.9000", "fixed_price": "1.4375"}, "inputs": {"fax_ref": "F-<12>"}}
    conversion.save(update_fields=["snapshot"])
    _, _, text = _render(request_notice, conversion, "conversion", clerk)
    assert "$0.9000" in text and "F-<12>" in text


@pytest.mark.parametrize("kind", ["conversion", "exercise", "redemption"])
def test_pdf_metadata_names_the_notice(kind, conversion, exercise, redemption, clerk, request_notice):
    record = {"conversion": conversion, "exercise": exercise, "redemption": redemption}[kind]
    notice = request_notice(record, kind, clerk)
    meta = PdfReader(io.BytesIO(stored_bytes(notice))).metadata
    assert notice.reference in meta.title
    assert notice.subject == meta.subject


def test_ld_statement_lists_the_months_periodic_amounts(investor, deal_admin, request_notice):
    import datetime

    from deals.models import LiquidatedDamagesStatement

    financing = f.SeriesJFinancingFactory()
    line = {
        "computation_date": "2000-06-13", "first_day": "2000-05-15", "days": 30, "base": "400000.00", "rate_pct": "2",
        "period_days": 30, "period_pct": "2", "prorated": False, "amount": "8000.00", "due_date": "2000-06-30",
    }  # fmt: skip
    stmt = LiquidatedDamagesStatement.objects.create(
        financing=financing,
        investor=investor,
        month=datetime.date(2000, 6, 1),
        as_of=datetime.date(2000, 7, 3),
        total_due="8000.00",
        total_paid="0",
        snapshot={
            "clause": "RRA 2(b)(iii)-(iv), 2(b)(vii)",
            "rows": [
                {
                    "trigger": "Registration Statement not effective by the Required Effective Date",
                    "trigger_clause": "RRA 2(b)(i)",
                    "base_working": "purchase price of the Preferred Stock",
                    "line": line,
                    "paid_date": None,
                }
            ],
            "total_computed_to_date": "8000.00",
            "total_paid_to_date": "0.00",
            "accruing": "1333.33",
        },  # fmt: skip
        created_by=deal_admin,
    )
    notice, _, text = _render(request_notice, stmt, "ld_statement", deal_admin)
    assert notice.file_name == "liquidated-damages-statement-Fictional-Fund-A-Co.-Ltd-2000-06-01.pdf"
    for value in ("STATEMENT OF LIQUIDATED DAMAGES", "June 2000", "2000-06-13", "$400,000.00", "$8,000.00", "unpaid",
                  "July 3, 2000", "$1,333.33", "without requiring demand", "RRA 2(b)(i)"):  # fmt: skip
        assert value in text, value
