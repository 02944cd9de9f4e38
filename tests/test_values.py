"""Numbers as staff type them: every case the reference lists, read or refused."""

from decimal import Decimal

import pytest

from xxgk.values import BLANK, OK, PLACEHOLDER, TEXT_NUMBER, UNREADABLE, normalise_decimal, parse_number

D = Decimal

CASES = [
    # raw, value_type, value, status, words the note must contain
    (None, "count", None, BLANK, ()),
    ("", "count", None, BLANK, ()),
    ("   ", "count", None, BLANK, ()),
    ("\u3000", "count", None, BLANK, ()),
    (12, "count", D(12), OK, ()),
    (12.0, "count", D(12), OK, ()),
    (D("12.0"), "count", D(12), OK, ()),
    (0.1 + 0.2, "amount", D("0.3"), OK, ()),
    (1.2345, "amount", D("1.2345"), OK, ()),
    (-3, "count", D(-3), OK, ()),
    ("-3", "count", D(-3), OK, ()),
    ("12", "count", D(12), OK, ()),
    (" 12 ", "count", D(12), OK, ()),
    ("12.50", "amount", D("12.5"), OK, ()),
    ("/", "count", None, PLACEHOLDER, ("/",)),
    ("-", "count", None, PLACEHOLDER, ()),
    ("—", "count", None, PLACEHOLDER, ()),
    ("–", "count", None, PLACEHOLDER, ()),
    ("——", "count", None, PLACEHOLDER, ()),
    ("无", "count", None, PLACEHOLDER, ("无",)),
    ("空", "count", None, PLACEHOLDER, ()),
    ("N/A", "count", None, PLACEHOLDER, ()),
    ("／", "count", None, PLACEHOLDER, ()),
    ("无。", "count", None, PLACEHOLDER, ("无",)),
    ("未发生", "count", None, PLACEHOLDER, ()),
    ("12件", "count", D(12), TEXT_NUMBER, ("“12件”读作 12",)),
    ("12 件", "count", D(12), TEXT_NUMBER, ("12",)),
    ("１２", "count", D(12), TEXT_NUMBER, ("全角",)),
    ("1,234", "count", D(1234), TEXT_NUMBER, ("1234",)),
    ("1，234", "count", D(1234), TEXT_NUMBER, ("1234",)),
    ("22（其中修订16件）", "count", D(22), TEXT_NUMBER, ("忽略", "其中修订16件")),
    ("22(其中修订16件)", "count", D(22), TEXT_NUMBER, ("忽略",)),
    ("12件（其中1件）", "count", D(12), TEXT_NUMBER, ("忽略",)),
    ("251000元", "amount", D("25.1"), TEXT_NUMBER, ("元", "万元", "换算")),
    ("251000元", "count", D(251000), TEXT_NUMBER, ("忽略了单位“元”",)),
    ("0.5万元", "amount", D("0.5"), TEXT_NUMBER, ("万元",)),
    ("约12", "count", None, UNREADABLE, ("约12",)),
    ("12、13", "count", None, UNREADABLE, ()),
    ("12 13", "count", None, UNREADABLE, ()),
    ("1,23", "count", None, UNREADABLE, ()),
    ("12%", "count", None, UNREADABLE, ()),
    ("1.2.3", "count", None, UNREADABLE, ()),
    ("十二", "count", None, UNREADABLE, ("阿拉伯数字",)),
    ("#REF!", "count", None, UNREADABLE, ("错误值",)),
    (True, "count", None, UNREADABLE, ("逻辑值",)),
    (float("nan"), "count", None, UNREADABLE, ()),
]


@pytest.mark.parametrize("raw,value_type,value,status,words", CASES, ids=[repr(c[0]) for c in CASES])
def test_parse_number(raw, value_type, value, status, words):
    got_value, got_status, note = parse_number(raw, value_type=value_type)
    assert (got_value, got_status) == (value, status)
    if value is not None:
        assert isinstance(got_value, Decimal)
    for w in words:
        assert w in note


def test_plain_numbers_have_no_note():
    assert parse_number(12) == (D(12), OK, "")
    assert parse_number("12")[2] == ""


def test_normalise_decimal_keeps_magnitude_and_drops_float_noise():
    assert str(normalise_decimal(D("120"))) == "120"  # not 1.2E+2
    assert str(normalise_decimal(D("12.500"))) == "12.5"
    assert normalise_decimal(D("0.30000000000000004")) == D("0.3")
    assert normalise_decimal(D("123456789012.3456")) == D("123456789012.346")
