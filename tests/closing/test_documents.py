"""The closing memorandum and the transfer-agent letters render with the figures of the record."""

import datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from deals.services import closing as svc
from deals.services import transfers as tsvc
from notices.models import Notice
from notices.services import render_pdf

from .conftest import fund, meet_all

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    import io

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_closing_memorandum_lists_parties_amounts_conditions_and_dates(room, deal_admin):
    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    notice = Notice.objects.get(kind="closing_memo")
    text = _text(render_pdf(notice)[0])
    for needle in ("CLOSING MEMORANDUM", "January 21, 2000", "Alpha Fund Ltd.", "J-1", "$600,000.00", "SPA 8(f)", "Waived by", "W-2"):
        assert needle in text, needle


def test_legend_letter_and_share_delivery_letter_render(room, deal_admin):
    from deals.services.calendar import business_date_set

    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    business_date_set(day=datetime.date(2001, 2, 1))
    removal = tsvc.legend_removal_request(
        financing=room.financing, investor=room.subscriptions.first().investor, security="common", certificate="C-7",
        quantity=Decimal("25000"), basis="rule_144k", counsel="Smith LLP", opinion_date=datetime.date(2001, 1, 31),
        opinion_received=datetime.date(2001, 2, 1), user=deal_admin,
    )  # fmt: skip
    text = _text(render_pdf(Notice.objects.get(kind="legend_removal", object_id=removal.pk))[0])
    assert "REMOVE RESTRICTIVE LEGEND" in text and "C-7" in text and "February 6, 2001" in text
