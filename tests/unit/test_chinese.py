"""Chinese document formatting: dates, 人民币 capitals, 文号 and the 加处罚款 surcharge."""

import datetime as dt
from decimal import Decimal

import pytest

from engine.chinese import (
    cn_amount,
    cn_date,
    cn_upper,
    format_doc_no,
    join_cn,
    late_surcharge,
    parse_doc_no,
    to_money,
    ymd,
    yuan,
)
from engine.errors import ValidationError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02", "二〇二六年三月二日"),
        ("2026-11-23", "二〇二六年十一月二十三日"),
        ("2030-10-10", "二〇三〇年十月十日"),
        ("2025-12-31", "二〇二五年十二月三十一日"),
        ("2026-01-20", "二〇二六年一月二十日"),
        (dt.date(2000, 2, 11), "二〇〇〇年二月十一日"),
        (dt.datetime(2026, 3, 2, 15, 30), "二〇二六年三月二日"),
    ],
)
def test_dates_in_decisions_are_written_in_chinese_numerals(value, expected):
    assert cn_date(value) == expected


def test_dates_can_be_written_with_arabic_numerals():
    assert ymd("2026-03-02") == "2026年3月2日"
    assert ymd(dt.date(2026, 11, 23)) == "2026年11月23日"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("10", "壹拾元整"),
        ("105", "壹佰零伍元整"),
        ("10005", "壹万零伍元整"),
        ("12000", "壹万贰仟元整"),
        ("100000", "壹拾万元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("20000.5", "贰万元伍角"),
        ("100.50", "壹佰元伍角"),
        ("100.05", "壹佰元零伍分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("107000.53", "壹拾万零柒仟元伍角叁分"),
        ("100100", "壹拾万零壹佰元整"),
        ("100000005", "壹亿零伍元整"),
        ("1000010000", "壹拾亿零壹万元整"),
    ],
)
def test_amounts_are_written_in_capitals_by_the_payment_rules(amount, expected):
    assert cn_upper(amount) == expected


def test_capitals_accept_int_str_and_decimal_alike():
    assert cn_upper(12000) == cn_upper("12,000.00") == cn_upper(Decimal("12000")) == "壹万贰仟元整"


@pytest.mark.parametrize("amount", ["-1", "0.001", "1000000000000"])
def test_capitals_refuse_amounts_no_document_can_carry(amount):
    with pytest.raises(ValueError):
        cn_upper(amount)


@pytest.mark.parametrize("func", [cn_upper, yuan, cn_amount, to_money])
def test_float_money_is_refused(func):
    with pytest.raises(TypeError):
        func(0.1)


def test_float_fine_is_refused_for_the_surcharge():
    with pytest.raises(TypeError):
        late_surcharge(1000.0, "2026-03-01", "2026-03-05")


def test_unreadable_amount_text_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="一万元"):
        to_money("一万元")


@pytest.mark.parametrize(
    ("amount", "expected"), [(12000, "12,000.00"), ("1234567.89", "1,234,567.89"), ("0", "0.00"), ("0.5", "0.50")]
)
def test_figures_have_thousands_separators_and_two_decimals(amount, expected):
    assert yuan(amount) == expected


def test_amounts_in_decisions_carry_capitals_and_figures():
    assert cn_amount(Decimal("12000")) == "人民币壹万贰仟元整（¥12,000.00）"
    assert cn_amount("20000.5") == "人民币贰万元伍角（¥20,000.50）"


def test_lists_are_joined_with_the_enumeration_comma():
    assert join_cn(["警告", "罚款", "没收违法所得"]) == "警告、罚款、没收违法所得"
    assert join_cn(["警告", "", None]) == "警告"
    assert join_cn([]) == ""


def test_document_numbers_follow_gb_t_9704():
    assert format_doc_no("X市监", "处罚", 2026, 12) == "X市监处罚〔2026〕12号"


def test_document_numbers_round_trip():
    assert parse_doc_no(format_doc_no("X市监", "处罚", 2026, 12)) == ("X市监处罚", 2026, 12)


@pytest.mark.parametrize(("year", "serial"), [(26, 1), (2026, 0), (2026, -3), (2026, "012"), ("2026", 1)])
def test_document_numbers_with_a_bad_year_or_serial_are_refused(year, serial):
    with pytest.raises(ValidationError):
        format_doc_no("X市监", "处罚", year, serial)


@pytest.mark.parametrize(
    "text",
    [
        "X市监处罚〔2026〕第12号",
        "X市监处罚[2026]12号",
        "X市监处罚（2026）12号",
        "X市监处罚〔2026〕012号",
        "X市监处罚〔26〕12号",
        "〔2026〕12号",
        "X市监处罚〔2026〕12",
    ],
)
def test_malformed_document_numbers_are_refused_naming_the_text(text):
    with pytest.raises(ValidationError) as info:
        parse_doc_no(text)
    assert text in info.value.message


def test_surcharge_below_the_cap_is_three_percent_per_day():
    assert late_surcharge(Decimal("10000"), "2026-03-01", "2026-03-11") == Decimal("3000.00")


def test_surcharge_never_exceeds_the_fine():
    assert late_surcharge("10000", "2026-03-01", "2026-04-10") == Decimal("10000.00")


@pytest.mark.parametrize("paid_on", ["2026-03-01", "2026-02-20"])
def test_a_fine_paid_on_time_has_no_surcharge(paid_on):
    assert late_surcharge(10000, "2026-03-01", paid_on) == Decimal("0.00")


def test_surcharge_rounds_half_up_to_the_fen():
    assert late_surcharge("1.50", "2026-03-01", "2026-03-02") == Decimal("0.05")  # 0.045 → 0.05
