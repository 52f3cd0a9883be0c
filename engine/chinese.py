"""Chinese formatting for documents: dates, 人民币 amounts in capitals, 文号, and the 加处罚款 surcharge."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from engine.errors import ValidationError
from engine.workdays import DateLike, as_date

_DATE_DIGITS = "〇一二三四五六七八九"
_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_PLACES = ("", "拾", "佰", "仟")
_CAPITAL_GROUPS = ("", "万", "亿")
_CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal("1000000000000")  # 万亿 and above never appear on an enforcement document
_DOC_NO = re.compile(r"(.+?)〔(\d{4})〕([1-9]\d*)号")
SURCHARGE_RATE = Decimal("0.03")


def to_money(amount: Decimal | int | str) -> Decimal:
    """An amount as Decimal; floats are refused because money is never binary floating point."""
    if isinstance(amount, float):
        raise TypeError("money must be Decimal, int or str, never float")
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"money must be Decimal, int or str, got {type(amount).__name__}")
    try:
        value = Decimal(amount.strip().replace(",", "")) if isinstance(amount, str) else Decimal(amount)
    except InvalidOperation:
        raise ValidationError(f"金额格式错误：「{amount}」") from None
    if not value.is_finite():
        raise ValidationError(f"金额格式错误：「{amount}」")
    return value


def _small_number(n: int) -> str:
    """1–31 in Chinese numerals as used for months and days: 十, 十一, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DATE_DIGITS[ones]
    head = "" if tens == 1 else _DATE_DIGITS[tens]
    return head + "十" + (_DATE_DIGITS[ones] if ones else "")


def cn_date(d: DateLike) -> str:
    """A date as written in decisions: 二〇二六年三月二日."""
    day = as_date(d)
    year = "".join(_DATE_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def ymd(d: DateLike) -> str:
    """A date in Arabic numerals: 2026年3月2日."""
    day = as_date(d)
    return f"{day.year}年{day.month}月{day.day}日"


def _capital_integer(n: int) -> str:
    """Integer 元 in capitals; one 零 for each run of zeros between non-zero digits."""
    digits = str(n)
    out: list[str] = []
    pending_zero = False
    for i, ch in enumerate(digits):
        place = len(digits) - 1 - i
        if ch == "0":
            pending_zero = bool(out)
        else:
            if pending_zero:
                out.append("零")
                pending_zero = False
            out.append(_CAPITAL_DIGITS[int(ch)] + _CAPITAL_PLACES[place % 4])
        if place % 4 == 0 and place and digits[max(0, i - 3) : i + 1].strip("0"):
            out.append(_CAPITAL_GROUPS[place // 4])
    return "".join(out)


def cn_upper(amount: Decimal | int | str) -> str:
    """人民币 amount in capitals per the PBOC rules for 票据: 壹万零伍元整, 壹佰元零伍分, 零元整."""
    value = to_money(amount)
    if value < 0 or value >= _MAX_AMOUNT:
        raise ValueError(f"amount out of range for capitals: {value}")
    if value != value.quantize(_CENT):
        raise ValueError(f"amount has fractions of a 分: {value}")
    cents = int(value * 100)
    yuan_part, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    text = _capital_integer(yuan_part) + "元" if yuan_part else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _CAPITAL_DIGITS[jiao] + "角"
    elif yuan_part:
        text += "零"  # 角位 is 0 but 分 is not: 壹佰元零伍分
    return text + (_CAPITAL_DIGITS[fen] + "分" if fen else "")


def yuan(amount: Decimal | int | str) -> str:
    """An amount in figures with thousands separators: 12,000.00."""
    return f"{to_money(amount).quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def cn_amount(amount: Decimal | int | str) -> str:
    """An amount as written in decisions: 人民币壹万贰仟元整（¥12,000.00）."""
    return f"人民币{cn_upper(amount)}（¥{yuan(amount)}）"


def join_cn(items: Iterable[object]) -> str:
    """Items joined with the enumeration comma 、, skipping empty ones."""
    return "、".join(str(item) for item in items if item is not None and str(item) != "")


def format_doc_no(code: str, kind: str, year: int, serial: int) -> str:
    """A 文号: 机关代字 + 〔full year〕 + serial + 号, no 第 and no leading zeros (GB/T 9704 7.2.5)."""
    prefix = f"{code}{kind}".strip()
    if not prefix or any(c in prefix for c in "〔〕[]()（）"):
        raise ValidationError(f"文号代字「{prefix}」无效", field="code")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise ValidationError(f"文号年份「{year}」应为四位年份", field="year")
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise ValidationError(f"文号序号「{serial}」应为正整数", field="serial")
    return f"{prefix}〔{year}〕{serial}号"


def parse_doc_no(text: str) -> tuple[str, int, int]:
    """Split a 文号 into (代字, year, serial); anything not in GB/T 9704 form is refused."""
    match = _DOC_NO.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(
            f"文号「{text}」格式错误，应如 X市监处罚〔2026〕12号（六角括号、四位年份、无“第”字、序号不编虚位）"
        )
    return match.group(1), int(match.group(2)), int(match.group(3))


def late_surcharge(amount: Decimal | int | str, due: DateLike, on: DateLike) -> Decimal:
    """加处罚款: 3 % of the fine per day after `due` up to `on`, capped at the fine (处罚法 72; 行政强制法 45)."""
    fine = to_money(amount)
    days = max((as_date(on) - as_date(due)).days, 0)
    surcharge = min(fine * SURCHARGE_RATE * days, fine)
    return surcharge.quantize(_CENT, rounding=ROUND_HALF_UP)
