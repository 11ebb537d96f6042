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


def test_debenture_closing_memorandum_shows_d_numbers_and_convertibility(debenture_fin, buyers, deal_admin):
    room = svc.closing_room_open(financing=debenture_fin, acceptance_date=datetime.date(2000, 1, 12), user=deal_admin)
    svc.subscription_add(room=room, investor=buyers[0], amount=Decimal("300000"), purchase_price=Decimal("300000"), user=deal_admin)
    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    svc.closing_record(room=room, bring_down_confirmed=True, maturity_date=datetime.date(2000, 12, 31), user=deal_admin)
    text = _text(render_pdf(Notice.objects.get(kind="closing_memo"))[0])
    for needle in ("D-1", "$300,000.00", "April 20, 2000", "May 20, 2000", "December 21, 2000"):
        assert needle in text, needle


def test_share_delivery_letter_renders_with_legend_and_figures(room, deal_admin):
    from tests.company.conftest import make_conversion

    fund(room, deal_admin)
    meet_all(room, deal_admin, on=datetime.date(2000, 1, 20))
    svc.closing_record(room=room, bring_down_confirmed=True, user=deal_admin)
    from deals.models import PreferredHolding

    conv = make_conversion(
        PreferredHolding.objects.get(certificate_number="J-1"),
        datetime.date(2000, 2, 1),
        Decimal("100000"),
        80_000,
        status="pending_delivery",
    )
    ins = tsvc.ta_instruction_create(
        record=conv, dwac=False, registered_name="Alpha Fund Ltd.", denominations="8 x 10,000", instruction_date=datetime.date(2000, 2, 1),
        fast_participant=True, user=deal_admin,
    )  # fmt: skip
    text = _text(render_pdf(Notice.objects.get(kind="ta_instruction", object_id=ins.pk))[0])
    assert "INSTRUCTION TO ISSUE COMMON STOCK" in text and "80,000" in text and "SHALL bear the restrictive legend" in text
    assert "8 x 10,000" in text
