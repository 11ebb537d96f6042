"""The one money formatter (issue 15 items 18, 21): pages, messages and notices agree."""

from decimal import Decimal

from django.template import Context, Template

from nhtc.formatting import money, price


def test_negative_money_has_a_true_minus_before_the_dollar_sign():
    assert money(Decimal("-100")) == "\u2212$100.00"
    assert money("-1234.565") == "\u2212$1,234.57"  # half up, away from zero
    assert money(Decimal("50000")) == "$50,000.00"
    assert price(Decimal("-1.4375")) == "\u2212$1.4375"


def test_template_filters_are_builtin():
    out = Template("{{ a|money }} {{ p|price }} {{ s|shares }}").render(Context({"a": Decimal("-100"), "p": "1.4375", "s": 34783}))
    assert out == "\u2212$100.00 $1.4375 34,783"


def test_services_and_notices_use_the_same_function():
    from deals.selectors import derived
    from deals.services import conversions
    from notices import formatting as notice_formatting

    assert conversions.money is money and notice_formatting.money is money and derived._money is money
