import pytest

from programs.eligibility import Candidate, priority, reallocate, refusal_reasons

NAMES = {"basic": "自製數位教材基礎班", "advanced": "自製數位教材進階班"}
BASIC = {"excludes_attended": ["basic", "advanced"]}
ADVANCED = {"requires_attended": ["basic"]}
APP = {"requires_attended": ["advanced"], "roles_any": ["elearning_officer", "it_staff"]}


@pytest.mark.parametrize(
    "conditions, candidate, expected",
    [
        (BASIC, Candidate(), []),
        (BASIC, Candidate(frozenset({"basic"})), ["曾參加「自製數位教材基礎班」，不符參加資格"]),
        (ADVANCED, Candidate(), ["須先參加「自製數位教材基礎班」"]),
        (ADVANCED, Candidate(frozenset({"basic"})), []),
        (APP, Candidate(frozenset({"advanced"}), frozenset({"it_staff"})), []),
        (APP, Candidate(), ["須先參加「自製數位教材進階班」", "須具備下列身分之一：數位學習承辦人、資訊人員"]),
    ],
    ids=["basic-new", "basic-again", "advanced-without-basic", "advanced-ok", "app-ok", "app-both-missing"],
)
def test_refusal_reasons_each_condition(conditions, candidate, expected):
    assert refusal_reasons(conditions, candidate, NAMES) == expected


def test_priority_follows_the_order_of_groups():
    groups = ["yixing_participant", "basic_class_participant"]
    assert priority(groups, Candidate(roles=frozenset({"yixing_participant"}))) == (0, "熠星方案參與者")
    assert priority(groups, Candidate(attended=frozenset({"basic"}))) == (1, "基礎班結訓者")
    assert priority(groups, Candidate()) == (2, "")


def test_reallocate_gives_unused_places_at_most_10_each():
    quotas = [
        {"id": "hualien", "base": 50, "used": 30, "requested": 0},  # leaves 20
        {"id": "kaohsiung", "base": 50, "used": 50, "requested": 15},
        {"id": "tainan", "base": 50, "used": 50, "requested": 4},
        {"id": "taoyuan", "base": 50, "used": 50, "requested": 10},
    ]
    assert reallocate(quotas, max_extra=10) == {"hualien": 0, "kaohsiung": 8, "tainan": 4, "taoyuan": 8}


def test_reallocate_never_exceeds_the_pool_or_the_cap():
    quotas = [{"id": "a", "base": 50, "used": 10, "requested": 0}, {"id": "b", "base": 50, "used": 50, "requested": 30}]
    assert reallocate(quotas, max_extra=10) == {"a": 0, "b": 10}
