"""The incentive rules: facts and a plan's parameters in, awards with reasons and progress out.

Pure Python (standard library only): no ORM, no request. Each rule kind is a function
`(rule parameters, person facts, context) -> Result`. Within a rule, tiers are exclusive
and the highest tier met is awarded; different rules add up, except rules sharing a
`group` ("once a year, the better one", 擇優), of which only the best counts.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

AWARDS = ("commendation", "merit", "major_merit")
AWARD_LABEL = {"commendation": "嘉獎", "merit": "記功", "major_merit": "記大功"}
# 3 commendations make a merit, 3 merits a major merit: how "the better one" compares awards.
AWARD_WEIGHT = {"commendation": 1, "merit": 3, "major_merit": 9}
METRIC_LABEL = {
    "hours": "學習時數",
    "digital_hours": "數位學習時數",
    "job_related_hours": "與業務相關學習時數",
    "forum_posts": "論壇發表及回應篇數",
    "digital_hours_per_head": "單位數位學習平均時數",
    "forum_posts_per_head": "單位論壇平均篇數",
    "list_courses": "清單課程完成門數",
    "list_hours": "清單課程完成時數",
}
METRIC_UNIT = {"forum_posts": "篇", "forum_posts_per_head": "篇", "list_courses": "門"}


def roc(day) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.year - 1911}/{day.month:02d}/{day.day:02d}" if day else ""


def award_text(award: str, count: int) -> str:
    return f"{AWARD_LABEL[award]} {count} 次"


def number(value) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value != value.to_integral() else f"{int(value)}"


@dataclass(frozen=True)
class Award:
    rule: str
    award: str
    count: int
    text: str
    group: str = ""

    @property
    def weight(self) -> int:
        return AWARD_WEIGHT[self.award] * self.count


@dataclass(frozen=True)
class Progress:
    rule: str
    text: str
    ratio: float  # 0..1 towards the next tier (1 when the top tier is met)
    met: bool
    deadline: str = ""


@dataclass
class Result:
    awards: list[Award] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)


@dataclass
class PersonFacts:
    employee_id: int
    rank: str = ""
    unit_role: str = ""
    metrics: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # rule code -> metric -> value
    forum_excluded: dict[str, int] = field(default_factory=dict)  # rule code -> excluded posts
    completed: dict[str, dt.date] = field(default_factory=dict)  # course key -> first completion in the plan period
    # rule code -> course key -> first completion inside that rule's own window (DOMAIN.md Decision)
    completed_in: dict[str, dict[str, dt.date]] = field(default_factory=dict)
    certificates: dict[str, dt.date] = field(default_factory=dict)
    teams: list[tuple[str, str, str]] = field(default_factory=list)  # (team, rating, role)
    contest: list[tuple[str, str, str, str]] = field(default_factory=list)  # (title, review, placing, role)
    case_reports: list[tuple[str, dt.date, bool]] = field(default_factory=list)
    unit_metrics: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # rule code -> per-head metrics


@dataclass(frozen=True)
class BundleInfo:
    slug: str
    name: str
    kind: str
    rank: str
    courses: tuple[tuple[str, str, Decimal], ...]  # (course key, course name, hours)


# -- threshold tiers -------------------------------------------------------------------


@functools.lru_cache(maxsize=1024, typed=True)
def _bound(number) -> Decimal:
    """A plan's threshold as a Decimal (through its text, so 0.1 stays 0.1), converted once per
    distinct value (1 and 1.0 apart: `typed`): a whole plan's evaluation asks for the same few
    for every person."""
    return Decimal(str(number))


def _meets(condition: dict, values: dict) -> bool:
    value = values.get(condition["metric"], 0)
    if type(value) is not Decimal:
        value = Decimal(value)
    if "min" in condition and value < _bound(condition["min"]):
        return False
    # "above" is strict (超過); a "max" only separates tiers and never disqualifies (DOMAIN.md Decision).
    if "above" in condition and value <= _bound(condition["above"]):
        return False
    return True


def _meets_all(path: list[dict], values: dict) -> bool:
    for condition in path:
        if not _meets(condition, values):
            return False
    return True


def _paths(tier: dict) -> list[list[dict]]:
    """A tier's ways to be met: any one path, every condition of that path (`any_of` of `all_of`)."""
    return [p["all_of"] for p in tier["any_of"]]


def _describe(path: list[dict], values: dict, labels: dict = METRIC_LABEL) -> str:
    parts = []
    for c in path:
        label, unit = labels.get(c["metric"], c["metric"]), METRIC_UNIT.get(c["metric"], "小時")
        bound = f"≥ {number(c['min'])}" if "min" in c else f"> {number(c['above'])}"
        parts.append(f"{label} {number(values.get(c['metric'], 0))} {unit} {bound} {unit}")
    return "、".join(parts)


def _gap(path: list[dict], values: dict, labels: dict = METRIC_LABEL) -> tuple[float, str]:
    missing, ratios = [], []
    for c in path:
        have = Decimal(values.get(c["metric"], 0))
        need = Decimal(str(c.get("min", c.get("above", 0))))
        if "above" in c:
            need = need + (1 if METRIC_UNIT.get(c["metric"]) in ("篇", "門") else Decimal("0.5"))
        ratios.append(float(min(have / need, 1)) if need else 1.0)
        if have < need:
            unit = METRIC_UNIT.get(c["metric"], "小時")
            missing.append(f"{labels.get(c['metric'], c['metric'])}再 {number(need - have)} {unit}")
    return (sum(ratios) / len(ratios) if ratios else 1.0), "、".join(missing)


def labels_for(rule: dict) -> dict[str, str]:
    """Taoyuan's rules count 發表篇數 only (`count: posts`), so the reason says so."""
    if rule.get("count") == "posts":
        return {**METRIC_LABEL, "forum_posts": "論壇發表篇數", "forum_posts_per_head": "單位論壇平均發表篇數"}
    return METRIC_LABEL


def threshold_tiers(rule: dict, values: dict, *, subject: str = "", explain: bool = True) -> Result:
    """The highest tier the values meet (an award with its reason) and, when `explain`, the
    progress towards the next one. `explain=False` (a whole plan's `evaluate`, which reports
    awards only) leaves the progress out: the same awards, without a sentence per person nobody reads.
    """
    result = Result()
    tiers = rule.get("tiers", [])
    if not tiers:
        # Hualien's buffet list: the seed leaves the tiers to another plan until HR fills them in.
        text = "獎勵標準尚未設定（" + (rule.get("rewards") or "請人事單位於規則頁填寫級距") + "）"
        return Result(progress=[Progress(rule["code"], text, 0.0, False, rule.get("deadline", ""))])
    met_index = -1
    for index, tier in enumerate(tiers):
        for way in tier["any_of"]:  # `_paths`, without building the list for every person
            if _meets_all(way["all_of"], values):
                met_index, met_path = index, way["all_of"]
                break
    # 截止 in the sentence is the last day that still counts for the person (Tainan's forum posts
    # until 101-08-31), not the coordinator's filing deadline (101-10-15): a post written after
    # the window cannot help, whatever the filing date says.
    deadline = rule.get("deadline") or (rule.get("window") or {}).get("end", "") or rule.get("filing_deadline", "")
    if met_index >= 0:
        tier = tiers[met_index]
        result.awards.append(
            Award(
                rule["code"],
                tier["award"],
                tier["count"],
                f"{subject}{_describe(met_path, values, labels_for(rule))} → {award_text(tier['award'], tier['count'])}",
                rule.get("group", ""),
            )
        )
    if not explain:
        return result
    if met_index + 1 < len(tiers):
        tier = tiers[met_index + 1]
        ratio, missing = max((_gap(p, values, labels_for(rule)) for p in _paths(tier)), key=lambda g: g[0])
        text = f"{missing}可達{award_text(tier['award'], tier['count'])}"
        if deadline:
            text += f"，截止 {roc(deadline)}"
        result.progress.append(Progress(rule["code"], text, ratio, False, deadline))
    else:
        result.progress.append(Progress(rule["code"], "已達最高獎勵", 1.0, True, deadline))
    return result


def forum_and_hours(rule: dict, person: PersonFacts, context: dict) -> Result:
    values = person.metrics.get(rule["code"], {})
    excluded = person.forum_excluded.get(rule["code"], 0)
    note = f"（已扣除不計入 {excluded} 篇）" if excluded else ""
    result = threshold_tiers(rule, values, explain=context.get("explain", True))
    if note:
        result.awards = [
            Award(a.rule, a.award, a.count, a.text.replace(" 篇 ≥", f" 篇{note} ≥", 1), a.group) for a in result.awards
        ]
    return result


# -- bundles ---------------------------------------------------------------------------


def _main_for(rank: str, bundles: list[BundleInfo]) -> BundleInfo | None:
    return next((b for b in bundles if b.kind == "main" and b.rank == rank), None)


def _missing(bundle: BundleInfo, completed: dict, deadline: dt.date | None) -> list[tuple[str, str, Decimal]]:
    return [c for c in bundle.courses if c[0] not in completed or (deadline is not None and completed[c[0]] > deadline)]


def _completed(rule: dict, person: PersonFacts) -> dict[str, dt.date]:
    """The completions inside the rule's own window; an earlier year's course never counts."""
    return person.completed_in.get(rule.get("code"), {})


def bundle_completion(rule: dict, person: PersonFacts, context: dict) -> Result:
    result = Result()
    completed = _completed(rule, person)
    bundles: list[BundleInfo] = context.get("bundles", [])
    deadline = dt.date.fromisoformat(rule["deadline"]) if rule.get("deadline") else None
    main = _main_for(person.rank, bundles)
    if main is None:
        result.progress.append(Progress(rule["code"], "無對應官等的主餐", 0.0, False, rule.get("deadline", "")))
        return result
    main_missing = _missing(main, completed, deadline)
    if main_missing and not context.get("explain", True):
        return result  # every tier needs the main bundle; nothing to explain either
    by_slug = {b.slug: b for b in bundles}
    best = None
    for tier in rule.get("tiers", []):
        side = by_slug.get(tier["side"])
        if side and not main_missing and not _missing(side, completed, deadline):
            best = (tier, side)
    if best:
        tier, side = best
        result.awards.append(
            Award(
                rule["code"],
                tier["award"],
                tier["count"],
                f"於 {roc(rule['deadline'])} 前完成{main.name}及{side.name} → {award_text(tier['award'], tier['count'])}",
                rule.get("group", ""),
            )
        )
    if not context.get("explain", True):
        return result  # a whole plan's evaluation reports awards only (see threshold_tiers)
    higher = [
        t
        for t in rule.get("tiers", [])
        if not best or AWARD_WEIGHT[t["award"]] * t["count"] > AWARD_WEIGHT[best[0]["award"]] * best[0]["count"]
    ]
    if higher:
        tier = higher[0]
        side = by_slug.get(tier["side"])
        missing = main_missing + (_missing(side, completed, deadline) if side else [])
        total = len(main.courses) + (len(side.courses) if side else 0)
        items = "、".join(
            f"{(main if c in main_missing else side).name}：{c[1]}（{number(c[2])} 小時）" for c in missing[:5]
        )
        more = f"等 {len(missing)} 門" if len(missing) > 5 else ""
        text = f"尚缺 {items}{more}，完成可達{award_text(tier['award'], tier['count'])}"
        if rule.get("deadline"):
            text += f"，截止 {roc(rule['deadline'])}"
        result.progress.append(
            Progress(rule["code"], text, 1 - len(missing) / total if total else 0.0, False, rule.get("deadline", ""))
        )
    else:
        result.progress.append(Progress(rule["code"], "已達最高獎勵", 1.0, True, rule.get("deadline", "")))
    return result


# -- certificates, teams, contest, case reports -------------------------------------------


def _certificate_set(item: dict, held: dict) -> bool:
    return all(name in held for name in item.get("all_of", []))


def certificates(rule: dict, person: PersonFacts, context: dict) -> Result:
    result = Result()
    held = person.certificates
    for group in rule.get("groups", []):
        if _certificate_set(group, held):
            result.awards.append(
                Award(
                    rule["code"],
                    group["award"],
                    group["count"],
                    f"取得{'及'.join(group['all_of'])} → {award_text(group['award'], group['count'])}",
                    rule.get("group", ""),
                )
            )
        else:
            missing = [n for n in group["all_of"] if n not in held]
            result.progress.append(
                Progress(
                    rule["code"],
                    f"尚缺 {'、'.join(missing)}，取得可達{award_text(group['award'], group['count'])}",
                    1 - len(missing) / len(group["all_of"]),
                    False,
                )
            )
    tiers = rule.get("tiers", [])
    met = [t for t in tiers if _certificate_set(t, held)]
    if met:
        tier = max(met, key=lambda t: AWARD_WEIGHT[t["award"]] * t["count"])
        result.awards.append(
            Award(
                rule["code"],
                tier["award"],
                tier["count"],
                f"取得{'及'.join(tier['all_of'])} → {award_text(tier['award'], tier['count'])}",
                rule.get("group", ""),
            )
        )
    for tier in tiers:
        if tier not in met and (
            not met
            or AWARD_WEIGHT[tier["award"]] * tier["count"] > max(AWARD_WEIGHT[t["award"]] * t["count"] for t in met)
        ):
            missing = [n for n in tier["all_of"] if n not in held]
            result.progress.append(
                Progress(
                    rule["code"],
                    f"尚缺 {'、'.join(missing)}，取得可達{award_text(tier['award'], tier['count'])}",
                    1 - len(missing) / len(tier["all_of"]),
                    False,
                )
            )
            break
    return result


def team_rating(rule: dict, person: PersonFacts, context: dict) -> Result:
    result = Result()
    for team, rating, role in person.teams:
        key = "leader" if role == "主持人" else "member"
        grant = (rule.get("ratings", {}).get(rating) or {}).get(key)
        if grant:
            result.awards.append(
                Award(
                    rule["code"],
                    grant["award"],
                    grant["count"],
                    f"熠星團隊「{team}」評等{rating}，擔任{role} → {award_text(grant['award'], grant['count'])}",
                    rule.get("group", ""),
                )
            )
    return result


PLACING_LABEL = {"1": "第一名", "2": "第二名", "3": "第三名", "佳作": "佳作"}


def contest(rule: dict, person: PersonFacts, context: dict) -> Result:
    result = Result()
    outcomes = rule.get("results", {})
    for title, review, placing, role in person.contest:
        if review != "通過":
            continue
        if role == "機關首長":
            grant = rule.get("agency_head_when_placed") if placing in ("1", "2", "3") else None
            reason = f"所屬機關作品「{title}」獲{PLACING_LABEL.get(placing, '')}，機關首長"
        elif placing in ("1", "2", "3"):
            grant, reason = outcomes.get("placed"), f"作品「{title}」獲{PLACING_LABEL[placing]}"
            prize = (outcomes.get("placed") or {}).get("prizes_ntd", {}).get(placing)
            if prize:
                reason += f"（獎金 {prize} 元）"
        elif placing == "佳作":
            grant, reason = outcomes.get("honourable_mention"), f"作品「{title}」獲佳作"
        else:
            grant, reason = outcomes.get("passed"), f"作品「{title}」審查通過"
        if grant:
            # One work earns one tier per person, the highest (DOMAIN.md Decision).
            result.awards.append(
                Award(
                    rule["code"],
                    grant["award"],
                    grant["count"],
                    f"{reason} → {award_text(grant['award'], grant['count'])}",
                    rule.get("group", ""),
                )
            )
    return result


def case_reports(rule: dict, person: PersonFacts, context: dict) -> Result:
    deadline = dt.date.fromisoformat(rule["deadline"]) if rule.get("deadline") else None
    count = sum(
        1 for _t, submitted, accepted in person.case_reports if accepted and (deadline is None or submitted <= deadline)
    )
    result = Result()
    tiers = sorted(rule.get("tiers", []), key=lambda t: t["min"])
    met = [t for t in tiers if count >= t["min"]]
    if met:
        tier = met[-1]
        result.awards.append(
            Award(
                rule["code"],
                tier["award"],
                tier["count"],
                f"於 {roc(rule['deadline'])} 前繳交符合格式之案例報告 {count} 篇 → {award_text(tier['award'], tier['count'])}",
                rule.get("group", ""),
            )
        )
    following = [t for t in tiers if count < t["min"]]
    if following:
        tier = following[0]
        result.progress.append(
            Progress(
                rule["code"],
                f"再 {tier['min'] - count} 篇案例報告可達{award_text(tier['award'], tier['count'])}，截止 {roc(rule['deadline'])}",
                count / tier["min"],
                False,
                rule.get("deadline", ""),
            )
        )
    return result


def unit_average(rule: dict, person: PersonFacts, context: dict) -> Result:
    """Taoyuan: a unit's average goes to its head, the supervisor in charge and the officer."""
    if person.unit_role not in rule.get("recipients", []):
        return Result()
    if rule["code"] not in person.unit_metrics:
        # No covered 編制內 staff: the plan's average (÷ 編制內公務人員總數) does not exist (DOMAIN.md Decision).
        return Result(progress=[Progress(rule["code"], "所屬單位無適用之編制內公務人員，無平均可計", 0.0, False)])
    values = person.unit_metrics[rule["code"]]
    result = threshold_tiers(rule, values, subject="所屬單位", explain=context.get("explain", True))
    result.awards = [Award(a.rule, a.award, a.count, f"{a.text}（{person.unit_role}）", a.group) for a in result.awards]
    return result


def discretionary(rule: dict, person: PersonFacts, context: dict) -> Result:
    cap = rule.get("max") or {}
    text = "由人事單位依績效核定"
    if cap:
        text += f"（最高{award_text(cap['award'], cap['count'])}）"
    return Result(progress=[Progress(rule["code"], text, 0.0, False)])


def award_counts(awards: list[Award]) -> dict[str, int]:
    counts = dict.fromkeys(AWARDS, 0)
    for award in awards:
        counts[award.award] += award.count
    return counts
