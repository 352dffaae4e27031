"""The numbering of government documents: 壹、一、（一）、1、（1）、甲、（甲）、子、（子）.

The 文書處理手冊 fixes this order, and the source plans follow it (Hualien's 附件1 says so in
its own words: 「數字標號：依序為壹、一、（一）、1、（1）」). Pure functions, no Django.
"""

from dataclasses import dataclass, field

DIGITS = "零一二三四五六七八九"
CAPITAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
STEMS = "甲乙丙丁戊己庚辛壬癸"  # 天干, level 6 and 7
BRANCHES = "子丑寅卯辰巳午未申酉戌亥"  # 地支, level 8 and 9


def _numeral(n: int, digits: str, units: tuple[str, str, str]) -> str:
    if not 0 < n < 10000:
        raise ValueError(f"no numeral for {n}")
    ten, hundred, thousand = units
    parts, zero = [], False
    for value, unit in ((1000, thousand), (100, hundred), (10, ten), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                parts.append(digits[0])
            parts.append(digits[digit] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    # 十一, not 一十一, when the number starts with its tens (but 一百一十 inside a larger one).
    if digits is DIGITS and text.startswith("一十"):
        text = text[1:]
    return text


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 99 → 九十九, 101 → 一百零一."""
    return _numeral(n, DIGITS, ("十", "百", "千"))


def capital_numeral(n: int) -> str:
    """The formal numerals of a document's top level: 1 → 壹, 10 → 拾, 11 → 拾壹, 20 → 貳拾."""
    text = _numeral(n, CAPITAL_DIGITS, ("拾", "佰", "仟"))
    return text[1:] if text.startswith("壹拾") else text


def _cyclic(n: int, signs: str) -> str:
    if not 0 < n <= len(signs):
        raise ValueError(f"no sign for {n} (at most {len(signs)})")
    return signs[n - 1]


LEVELS = (
    lambda n: f"{capital_numeral(n)}、",
    lambda n: f"{chinese_numeral(n)}、",
    lambda n: f"（{chinese_numeral(n)}）",
    lambda n: f"{n}、",
    lambda n: f"（{n}）",
    lambda n: f"{_cyclic(n, STEMS)}、",
    lambda n: f"（{_cyclic(n, STEMS)}）",
    lambda n: f"{_cyclic(n, BRANCHES)}、",
    lambda n: f"（{_cyclic(n, BRANCHES)}）",
)


def label(level: int, n: int) -> str:
    """The label of the n-th item (from 1) at a level (from 1): label(3, 2) → （二）."""
    if not 1 <= level <= len(LEVELS):
        raise ValueError(f"no numbering level {level}")
    return LEVELS[level - 1](n)


def label_width(text: str) -> int:
    """How wide a label prints, in half-ems: a CJK or full-width sign is 2, a digit 1."""
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in text)


@dataclass
class Item:
    """One numbered item of an outline: a heading, its text and the items under it."""

    title: str = ""
    text: str = ""
    children: list["Item"] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # unnumbered text printed before the children
    cite: str = ""  # where the item comes from, e.g. the clause of the source plan
    label: str = ""
    level: int = 0
    width: int = 0  # of the widest label among the item and its siblings, so their text lines up


def number_outline(items: list[Item], level: int = 1) -> list[Item]:
    """Give every item its label, level by level; returns the same items."""
    for position, item in enumerate(items, start=1):
        item.level, item.label = level, label(level, position)
        number_outline(item.children, level + 1)
    widest = max((label_width(item.label) for item in items), default=0)
    for item in items:
        item.width = widest
    return items


def labels(items: list[Item]) -> list[str]:
    """Every label of an outline in reading order (what a reader of the printed page meets)."""
    found = []
    for item in items:
        found.append(item.label)
        found.extend(labels(item.children))
    return found
