"""The rule kinds, without a database."""

import datetime as dt
from decimal import Decimal as D

from incentives.kinds import evaluate_person
from incentives.leave_rules import RecordFact, add_months, bundle_leave, offduty_list_leave
from incentives.rules import BundleInfo, PersonFacts, award_counts
from programs.loader import PLANS_DIR, plan_rules, read_plan_file


def shipped_rule(slug: str, code: str) -> dict:
    """A rule exactly as `load_plans` stores it from fixtures/plans/<slug>.yaml: the tests read
    the plan's thresholds instead of copying them."""
    return next(r for r in plan_rules(read_plan_file(PLANS_DIR / f"{slug}.yaml")) if r["code"] == code)


def tier_min(rule: dict, tier: int, metric: str, path: int = 0) -> D:
    """The `min` of `metric` in the tier's `path`-th any_of branch."""
    (condition,) = [c for c in rule["tiers"][tier]["any_of"][path]["all_of"] if c["metric"] == metric]
    return D(condition["min"])


FORUM = shipped_rule("tainan-101", "forum-posts")  # 200 and 500 posts (柒、一、（二）)
TAOYUAN = shipped_rule("taoyuan-98", "individual")  # 150/50/40 h or 300 posts; 201/70/60 h or 501 posts


def person(**metrics):
    return PersonFacts(1, metrics={"forum-posts": metrics, "individual": metrics})


def test_forum_213_posts_after_exclusions_earns_one_commendation_and_says_what_is_missing():
    one, two = tier_min(FORUM, 0, "forum_posts"), tier_min(FORUM, 1, "forum_posts")
    facts = person(forum_posts=one + 13)
    facts.forum_excluded["forum-posts"] = 5
    result = evaluate_person([FORUM], facts, {})
    assert [(a.award, a.count, a.text) for a in result.awards] == [
        ("commendation", 1, f"論壇發表及回應篇數 {one + 13} 篇（已扣除不計入 5 篇） ≥ {one} 篇 → 嘉獎 1 次")
    ]
    # 截止 is the last day posts count (101-08-31), not the filing deadline (101-10-15, 柒、一、（二）).
    assert [p.text for p in result.progress] == [
        f"論壇發表及回應篇數再 {two - one - 13} 篇可達嘉獎 2 次，截止 101/08/31"
    ]


def test_forum_tiers_are_exclusive():
    one, two = tier_min(FORUM, 0, "forum_posts"), tier_min(FORUM, 1, "forum_posts")
    assert award_counts(evaluate_person([FORUM], person(forum_posts=two), {}).awards)["commendation"] == 2
    assert (
        evaluate_person([FORUM], person(forum_posts=one - 37), {}).progress[0].text
        == "論壇發表及回應篇數再 37 篇可達嘉獎 1 次，截止 101/08/31"
    )


def test_taoyuan_either_path_and_the_gap_between_ranges_falls_in_the_lower_tier():
    hours_2 = tier_min(TAOYUAN, 1, "hours")
    digital_1, job_1 = tier_min(TAOYUAN, 0, "digital_hours"), tier_min(TAOYUAN, 0, "job_related_hours")
    # Between the first tier's top (200) and the second's floor (201): still the first tier.
    by_hours = person(hours=hours_2 - D("0.5"), digital_hours=digital_1 + 30, job_related_hours=job_1 + 30)
    assert award_counts(evaluate_person([TAOYUAN], by_hours, {}).awards)["commendation"] == 1
    by_posts = person(forum_posts=tier_min(TAOYUAN, 1, "forum_posts", path=1))
    assert award_counts(evaluate_person([TAOYUAN], by_posts, {}).awards)["commendation"] == 2
    short_of_digital = person(
        hours=tier_min(TAOYUAN, 0, "hours") + 10, digital_hours=digital_1 - 1, job_related_hours=job_1 + 5
    )
    result = evaluate_person([TAOYUAN], short_of_digital, {})
    assert (result.awards, result.progress[0].text) == ([], "數位學習時數再 1 小時可達嘉獎 1 次，截止 98/12/31")


MAIN = BundleInfo("main-junior", "薦任主餐", "main", "薦任", (("a", "課A", D(5)), ("b", "課B", D(5))))
LIGHT = BundleInfo("side-light", "窈窕精緻餐", "side", "", (("c", "課C", D(10)),))
HAPPY = BundleInfo("side-happy", "幸福嚴選餐", "side", "", (("d", "課D", D(17)), ("e", "環境影響評估概論", D(3))))
DELUXE = BundleInfo("side-deluxe", "豪華主廚餐", "side", "", (("f", "課F", D(30)),))
BUNDLES = [MAIN, LIGHT, HAPPY, DELUXE]
KAOHSIUNG = shipped_rule("kaohsiung-103", "bundle-reward")  # by 103-08-31; happy 嘉獎 1, deluxe 嘉獎 2


def test_bundle_reward_needs_the_main_of_the_current_rank_by_the_deadline():
    facts = PersonFacts(1, rank="薦任", completed_in={"bundle-reward": {k: dt.date(2014, 6, 1) for k in "abd"}})
    result = evaluate_person([KAOHSIUNG], facts, {"bundles": BUNDLES})
    assert result.awards == []
    assert result.progress[0].text == "尚缺 幸福嚴選餐：環境影響評估概論（3 小時），完成可達嘉獎 1 次，截止 103/08/31"
    facts.completed_in["bundle-reward"]["e"] = dt.date(2014, 8, 31)
    assert award_counts(evaluate_person([KAOHSIUNG], facts, {"bundles": BUNDLES}).awards)["commendation"] == 1
    facts.completed_in["bundle-reward"]["f"] = dt.date(2014, 9, 1)  # too late
    assert award_counts(evaluate_person([KAOHSIUNG], facts, {"bundles": BUNDLES}).awards)["commendation"] == 1
    facts.rank = "簡任"
    assert evaluate_person([KAOHSIUNG], facts, {"bundles": BUNDLES}).awards == []


def test_contest_placing_and_agency_head():
    rule = shipped_rule("tainan-101", "contest")
    facts = PersonFacts(
        1,
        contest=[
            ("防詐微電影", "通過", "1", "作者"),
            ("懶人包", "通過", "佳作", "作者"),
            ("落選作", "未通過", "", "作者"),
        ],
    )
    result = evaluate_person([rule], facts, {})
    assert [a.text for a in result.awards] == [
        "作品「防詐微電影」獲第一名（獎金 3000 元） → 記功 1 次",
        "作品「懶人包」獲佳作 → 嘉獎 2 次",
    ]
    head = PersonFacts(2, contest=[("防詐微電影", "通過", "1", "機關首長")])
    assert award_counts(evaluate_person([rule], head, {}).awards) == {"commendation": 1, "merit": 0, "major_merit": 0}


def test_team_rating_leader_and_member():
    rule = {
        "code": "yixing",
        "kind": "team_rating",
        "ratings": {
            "特優": {"leader": {"award": "merit", "count": 1}, "member": {"award": "commendation", "count": 2}},
            "良好": {"leader": {"award": "commendation", "count": 1}},
        },
    }
    assert (
        award_counts(evaluate_person([rule], PersonFacts(1, teams=[("甲隊", "特優", "主持人")]), {}).awards)["merit"]
        == 1
    )
    assert (
        award_counts(evaluate_person([rule], PersonFacts(1, teams=[("甲隊", "特優", "成員")]), {}).awards)[
            "commendation"
        ]
        == 2
    )
    assert evaluate_person([rule], PersonFacts(1, teams=[("乙隊", "良好", "成員")]), {}).awards == []


def test_tainan_english_needs_both_certificates():
    rule = shipped_rule("tainan-101", "english-certificates")
    one = PersonFacts(1, certificates={"英語初級": dt.date(2012, 3, 1)})
    assert evaluate_person([rule], one, {}).progress[0].text == "尚缺 英語中級，取得可達嘉獎 1 次"
    one.certificates["英語中級"] = dt.date(2012, 6, 1)
    assert award_counts(evaluate_person([rule], one, {}).awards)["commendation"] == 1


def test_case_reports_at_most_two_commendations_by_the_deadline():
    rule = shipped_rule("tainan-101", "case-reports")  # 1 → 嘉獎 1, 2 or more → 嘉獎 2, by 101-08-05
    reports = [
        ("甲", dt.date(2012, 8, 1), True),
        ("乙", dt.date(2012, 8, 5), True),
        ("丙", dt.date(2012, 8, 3), True),
        ("遲交", dt.date(2012, 8, 6), True),
        ("未過", dt.date(2012, 7, 1), False),
    ]
    assert award_counts(evaluate_person([rule], PersonFacts(1, case_reports=reports), {}).awards)["commendation"] == 2


def test_add_months_keeps_month_ends():
    assert (add_months(dt.date(2014, 8, 31), 6), add_months(dt.date(2014, 3, 15), 6)) == (
        dt.date(2015, 2, 28),
        dt.date(2014, 9, 15),
    )


TAINAN_LEAVE = shipped_rule("tainan-101", "offduty-leave")  # 5 h digital, 40 h in all; 8 h cap; 6 months


def record(pk, hours, day, off=True, listed=True, digital=None):
    return RecordFact(
        pk,
        f"k{pk}",
        f"課程{pk}",
        D(hours),
        D(digital if digital is not None else hours),
        dt.date.fromisoformat(day),
        off,
        listed,
    )


def test_tainan_leave_caps_at_8_hours_and_lapses_by_the_cut_off():
    records = [
        record(1, 30, "2012-02-01", off=False, listed=False),
        record(2, 3, "2012-03-10"),
        record(3, 4, "2012-07-20"),
        record(4, 3, "2012-08-01"),
        record(5, 2, "2012-10-01"),
    ]
    grants, note = offduty_list_leave(TAINAN_LEAVE, records)
    assert [(g.hours, g.usable_until, g.record_ids) for g in grants] == [
        (D(3), dt.date(2012, 9, 10), (2,)),
        (D(4), dt.date(2012, 12, 28), (3,)),
        (D(1), dt.date(2012, 12, 28), (4,)),
    ]
    assert note == ""


def test_tainan_leave_needs_5_digital_and_40_total_hours():
    grants, note = offduty_list_leave(
        TAINAN_LEAVE, [record(1, 20, "2012-02-01", digital=2), record(2, 3, "2012-03-10", digital=0)]
    )
    assert (grants, note) == ([], "數位學習再 3 小時、總學習時數再 17 小時（101/09/30 前）可取得公餘學習補休資格")


KAOHSIUNG_LEAVE = shipped_rule("kaohsiung-103", "bundle-leave")  # 4/8/12 h, 12 h a year


def test_kaohsiung_leave_adds_up_to_the_12_hour_cap_with_the_main_counted_once():
    records = [RecordFact(i, k, k, D(5), D(5), dt.date(2014, 3, i + 1), True) for i, k in enumerate("abcde")]
    grants, _note = bundle_leave(KAOHSIUNG_LEAVE, records, BUNDLES, "薦任")
    assert [(g.hours, g.earned_on, g.usable_until, g.record_ids) for g in grants] == [
        (D(4), dt.date(2014, 3, 3), dt.date(2014, 9, 3), (0, 1, 2)),
        (D(8), dt.date(2014, 3, 5), dt.date(2014, 9, 5), (3, 4)),
    ]


def test_kaohsiung_leave_needs_every_course_off_duty():
    records = [RecordFact(i, k, k, D(5), D(5), dt.date(2014, 3, i + 1), k != "c") for i, k in enumerate("abc")]
    grants, note = bundle_leave(KAOHSIUNG_LEAVE, records, BUNDLES, "薦任")
    assert (grants, note) == ([], "公餘時間完成薦任主餐及任一副餐可申請補休")
