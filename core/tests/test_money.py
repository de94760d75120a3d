from decimal import Decimal

from django.template import Context, Template

from core.money import format_rupiah


def test_rupiah_groups_thousands_with_dots():
    assert format_rupiah(12500) == "Rp\u00a012.500"
    assert format_rupiah(1_250_000) == "Rp\u00a01.250.000"
    assert format_rupiah(0) == "Rp\u00a00"
    assert format_rupiah(Decimal("500")) == "Rp\u00a0500"


def test_negative_amounts_keep_their_sign():
    assert format_rupiah(-5000) == "-Rp\u00a05.000"


def test_template_filter_formats_and_tolerates_bad_values():
    rendered = Template("{% load pustaka %}{{ a|rupiah }}|{{ b|rupiah }}").render(
        Context({"a": 2000, "b": "not money"})
    )
    assert rendered == "Rp\u00a02.000|"
