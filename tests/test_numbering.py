import pytest

from portal.numbering import Item, capital_numeral, chinese_numeral, label, label_width, labels, number_outline


@pytest.mark.parametrize(
    "n, expected",
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (40, "四十"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (1001, "一千零一"),
    ],
)
def test_chinese_numeral_reads_as_a_person_writes_it(n, expected):
    assert chinese_numeral(n) == expected


@pytest.mark.parametrize(
    "n, expected",
    [
        (1, "壹"),
        (2, "貳"),
        (3, "參"),
        (4, "肆"),
        (5, "伍"),
        (6, "陸"),
        (7, "柒"),
        (8, "捌"),
        (9, "玖"),
        (10, "拾"),
        (11, "拾壹"),
        (12, "拾貳"),
        (20, "貳拾"),
        (25, "貳拾伍"),
        (99, "玖拾玖"),
        (105, "壹佰零伍"),
    ],
)
def test_capital_numeral_is_the_formal_one_of_the_top_level(n, expected):
    assert capital_numeral(n) == expected


def test_the_first_three_of_every_level_follow_the_official_order():
    assert [[label(level, n) for n in (1, 2, 3)] for level in range(1, 10)] == [
        ["壹、", "貳、", "參、"],
        ["一、", "二、", "三、"],
        ["（一）", "（二）", "（三）"],
        ["1、", "2、", "3、"],
        ["（1）", "（2）", "（3）"],
        ["甲、", "乙、", "丙、"],
        ["（甲）", "（乙）", "（丙）"],
        ["子、", "丑、", "寅、"],
        ["（子）", "（丑）", "（寅）"],
    ]


def test_hualien_ends_on_its_eleventh_section():
    # 「拾壹、本計畫奉核定後實施，修正時亦同。」
    assert [label(1, n) for n in (9, 10, 11)] == ["玖、", "拾、", "拾壹、"]
    assert [label(2, n) for n in (10, 11, 12)] == ["十、", "十一、", "十二、"]
    assert [label(4, 12), label(5, 12)] == ["12、", "（12）"]


@pytest.mark.parametrize("level, n", [(0, 1), (10, 1), (1, 0), (2, 10000), (6, 11), (8, 13)])
def test_labels_out_of_range_are_refused(level, n):
    with pytest.raises(ValueError):
        label(level, n)


def test_label_width_counts_full_width_signs_as_two_half_ems():
    assert [label_width(t) for t in ("壹、", "（一）", "1、", "（12）", "拾壹、")] == [4, 6, 3, 6, 6]


def test_number_outline_labels_each_level_from_one():
    outline = number_outline(
        [
            Item("依據", children=[Item("甲"), Item("乙")]),
            Item(
                "實施內容",
                children=[
                    Item(
                        "提升數位能力",
                        children=[Item("基礎班", children=[Item("參加對象", children=[Item("熠星"), Item("其他")])])],
                    )
                ],
            ),
            Item("經費"),
        ]
    )
    assert labels(outline) == ["壹、", "一、", "二、", "貳、", "一、", "（一）", "1、", "（1）", "（2）", "參、"]
    assert [(i.level, i.width) for i in outline] == [(1, 4), (1, 4), (1, 4)]


def test_siblings_share_the_width_of_the_widest_label():
    outline = number_outline([Item(children=[Item() for _ in range(10)])], level=4)
    assert [(i.label, i.width) for i in outline[0].children][8:] == [("（9）", 6), ("（10）", 6)]
    assert (outline[0].label, outline[0].width) == ("1、", 3)
