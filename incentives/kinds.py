"""The registry of rule kinds: every kind a plan may use, incentive and leave alike, in one place.

A `RuleKind` declares
- its parameters as a schema (`incentives.schema`): names, types, units, allowed values,
  required or optional, with Chinese labels;
- the facts it needs (`facts.gather` and `facts.leave_records` read only those);
- how it decides (`decide`, pure: rule, person facts, context → `rules.Result`; for a leave kind,
  `entitle`: rule, record facts, bundles, rank → grants and what is missing);
- how it explains a person's standing (`have`) and names itself (`label`).

`check_rules` validates a plan's rules against their kinds and the plan's own course lists
and bundles; `RuleParameterError` carries one Traditional Chinese sentence per problem, each
naming the plan, the rule and the field. `load_plans`, plan copying, the admin and the rule
form all go through it, and `plan_rules` refuses a stored plan that does not pass, so no page
or command ever runs a rule on parameters it cannot read.

No ORM here: the module is testable without a database. `leave` builds on it (the ledger) and
is never imported by it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import leave_rules, rules
from .schema import BOOLEAN, CHOICE, DATE, INTEGER, NUMBER, TEXT, Group, ListOf, MapOf, Param, Problem, check, describe

# -- the facts a kind may ask for (incentives.facts gathers each only when a rule needs it) --
METRICS = "metrics"  # hours, digital and job-related hours, forum tallies in the rule's window
LIST_METRICS = "list_metrics"  # courses and hours completed from the rule's course list in its window
UNIT_METRICS = "unit_metrics"  # a unit's per-head averages (Taoyuan)
COMPLETIONS = "completions"  # first completion of each bundle or list course in the rule's window
CERTIFICATES = "certificates"
TEAMS = "teams"
CONTEST = "contest"
CASE_REPORTS = "case_reports"
RECORDS = "records"  # each record in the window with whether it was off duty (leave kinds)

AWARD = Param(_("獎勵"), CHOICE, required=True, choices=dict(rules.AWARD_LABEL))
COUNT = Param(_("次數"), INTEGER, unit=_("次"), required=True, minimum=1)
WINDOW = Group(
    _("計算期間"), {"start": Param(_("起日"), DATE, required=True), "end": Param(_("迄日"), DATE, required=True)}
)


def _grant(label, required=False) -> Group:
    return Group(label, {"award": AWARD, "count": COUNT}, required=required)


# Keys every rule may carry, whatever its kind.
COMMON = {
    "code": Param(_("規則代碼"), TEXT, required=True),
    "kind": Param(_("規則類型"), TEXT, required=True),
    "name": Param(_("規則名稱"), TEXT),
    "clause": Param(_("計畫條次"), TEXT),
    "text": Param(_("計畫條文"), TEXT),
    "group": Param(_("擇優群組"), TEXT, help=_("同一群組的規則每年只核給較優的一項")),
    "evidence": Param(_("證明文件"), TEXT),
}

INDIVIDUAL_METRICS = {
    "hours": _("學習時數"),
    "digital_hours": _("數位學習時數"),
    "job_related_hours": _("與業務相關學習時數"),
    "forum_posts": _("論壇篇數"),
    "list_courses": _("清單課程完成門數"),
    "list_hours": _("清單課程完成時數"),
}
UNIT_AVERAGE_METRICS = {
    "digital_hours_per_head": _("單位數位學習平均時數"),
    "forum_posts_per_head": _("單位論壇平均篇數"),
}
FORUM_COUNTS = {"posts": _("僅計發表篇數"), "posts_and_replies": _("發表及回應篇數")}


def _tiers(metrics: dict) -> ListOf:
    condition = Group(
        _("條件"),
        {
            "metric": Param(_("指標"), CHOICE, required=True, choices=metrics),
            "min": Param(_("門檻（以上）"), NUMBER, minimum=0, help=_("達此數值以上")),
            "above": Param(_("門檻（超過）"), NUMBER, minimum=0, help=_("超過此數值")),
            "max": Param(_("上限（僅供分級）"), NUMBER, minimum=0, help=_("只用來區分級距，不會因超過而失去資格")),
        },
        one_of=(("min", "above"),),
    )
    path = Group(_("條件組（須同時符合）"), {"all_of": ListOf(_("條件"), condition, required=True, min_items=1)})
    tier = Group(
        _("級距"),
        {
            "award": AWARD,
            "count": COUNT,
            "any_of": ListOf(_("條件組（符合其一即可）"), path, required=True, min_items=1),
        },
    )
    return ListOf(_("級距（由低至高）"), tier)


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule: its parameters, the facts it needs, how it decides and explains itself.

    `decide(rule, person: rules.PersonFacts, context) -> rules.Result` for an incentive kind;
    `entitle(rule, records: list[RecordFact], bundles, rank) -> (grants, missing text)` for a
    leave kind (`leave` is True). A promotion (the seasonal draws) decides nothing here.
    `have(rule, facts, records, context) -> str` says what the person has towards the rule.
    """

    code: str
    title: str
    params: Group
    facts: frozenset = frozenset()
    decide: Callable | None = None
    entitle: Callable | None = None
    have: Callable | None = None
    leave: bool = False
    # Parameters naming the plan's course list or bundles, checked against the plan itself.
    list_param: str = ""
    side_params: tuple = ()  # paths like ("tiers", "side") naming side bundles
    # A leave kind: the courses it can grant for ("bundles": the plan's bundles; "list": the
    # rule's course list), and whether it also needs the window's total hours (`totals`).
    # `facts.leave_records` reads those records only.
    grants_for: str = ""
    totals: bool = False
    list_refs: tuple = ()  # paths like ("seasons", "list") naming course lists

    def label(self, rule: dict, list_names: dict) -> str:
        """The rule's name as a person reads it (`name` in the plan wins)."""
        if rule.get("name"):
            return rule["name"]
        if self.code == "threshold_tiers":
            metrics = metrics_of(rule)
            if rule.get("list"):
                return list_names.get(rule["list"], _("指定課程"))
            if metrics == ["forum_posts"]:
                return _("論壇發表及回應")
            if "forum_posts" in metrics:
                return _("個人學習時數或論壇發表")
            return _("個人學習時數")
        if self.code == "certificates":
            names = []
            for item in rule.get("tiers", []) + rule.get("groups", []):
                names += [n for n in item.get("all_of", []) if n not in names]
            return _("證書：%(names)s") % {"names": "、".join(names)}
        if self.code == "lottery":
            return list_names.get(rule.get("list"), _("指定課程"))
        return self.title

    @property
    def promotion(self) -> bool:
        return self.decide is None and self.entitle is None


def metrics_of(rule: dict) -> list[str]:
    """The metrics a tiered rule's conditions read, in order of first use."""
    found = []
    for tier in rule.get("tiers", []):
        for path in tier.get("any_of", []):
            for condition in path.get("all_of", []):
                if condition.get("metric") and condition["metric"] not in found:
                    found.append(condition["metric"])
    return found


# -- how each kind explains a person's standing ---------------------------------------------


def _values_text(values: dict, metrics: list[str], labels: dict) -> str:
    return "、".join(
        f"{labels.get(m, m)} {rules.number(values.get(m, 0))} {rules.METRIC_UNIT.get(m, '小時')}" for m in metrics
    )


def _have_tiers(rule, facts, records, context) -> str:
    metrics = metrics_of(rule)
    if not rule.get("list"):
        return _values_text(facts.metrics.get(rule["code"], {}), metrics, rules.labels_for(rule))
    courses = context["course_lists"].get(rule["list"], [])
    if not courses:
        return _("課程清單尚未公布")
    completed = facts.completed_in.get(rule["code"], {})
    done = [c for c in courses if c[0] in completed]
    text = _("已完成 %(done)d／%(all)d 門") % {"done": len(done), "all": len(courses)}
    if "list_hours" in metrics:
        text += _("（%(h)s 小時）") % {"h": rules.number(sum((c[2] for c in done), 0))}
    return text


def _have_unit(rule, facts, records, context) -> str:
    values = facts.unit_metrics.get(rule["code"], {})
    return _values_text(values, metrics_of(rule), rules.labels_for(rule)) if values else ""


def _have_certificates(rule, facts, records, context) -> str:
    wanted = {n for item in rule.get("tiers", []) + rule.get("groups", []) for n in item.get("all_of", [])}
    held = [n for n in facts.certificates if n in wanted]
    return _("已取得：%(names)s") % {"names": "、".join(held)} if held else _("尚未取得證書")


def _have_teams(rule, facts, records, context) -> str:
    if not facts.teams:
        return _("未列入評等的專案小組")
    return "；".join(
        _("「%(team)s」評等%(rating)s，擔任%(role)s") % {"team": t, "rating": r, "role": role}
        for t, r, role in facts.teams
    )


def _have_contest(rule, facts, records, context) -> str:
    if not facts.contest:
        return _("尚無參賽作品")
    return "；".join(f"「{title}」{review or _('審查中')}" for title, review, _placing, _role in facts.contest)


def _have_reports(rule, facts, records, context) -> str:
    accepted = sum(1 for _t, _d, ok in facts.case_reports if ok)
    return _("已繳交 %(n)d 篇，審查通過 %(ok)d 篇") % {"n": len(facts.case_reports), "ok": accepted}


def _have_draws(rule, facts, records, context) -> str:
    """Chances per season: each designated course completed within the season's dates."""
    parts = []
    for season in rule.get("seasons", []):
        courses = context["course_lists"].get(season["list"], [])
        if not courses or not season.get("starts_on"):
            parts.append(_("%(season)s：指定課程或活動期間尚未公布") % {"season": season["name"]})
            continue
        done = facts.completed_in.get(season_key(rule, season), {})
        count = sum(1 for c in courses if c[0] in done)
        parts.append(
            _("%(season)s：完成指定課程 %(done)d 門，抽獎機會 %(n)d 次")
            % {"season": season["name"], "done": count, "n": count * rule.get("chances_per_course", 1)}
        )
    return "；".join(parts)


def season_key(rule: dict, season: dict) -> str:
    """Where a season's completions are kept in `PersonFacts.completed_in`."""
    return f"{rule['code']}:{season['slug']}"


KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    """Add a kind to the registry (an app may add its own in `AppConfig.ready()`)."""
    KINDS[kind.code] = kind
    return kind


def _params(fields: dict) -> Group:
    return Group(_("規則參數"), {**COMMON, **fields})


register(
    RuleKind(
        "threshold_tiers",
        _("門檻級距"),
        _params(
            {
                "window": WINDOW,
                "deadline": Param(_("完成期限"), DATE),
                "count": Param(_("論壇篇數計算方式"), CHOICE, choices=FORUM_COUNTS),
                "filing_deadline": Param(_("申報期限"), DATE),
                "tally_sheet": Param(_("統計表附件"), TEXT),
                "list": Param(_("課程清單"), TEXT, help=_("以清單課程門數或時數為指標時填寫")),
                "rewards": Param(_("獎勵方式說明"), TEXT),
                "tiers": _tiers(INDIVIDUAL_METRICS),
            }
        ),
        facts=frozenset({METRICS, LIST_METRICS}),
        decide=rules.forum_and_hours,
        have=_have_tiers,
        list_param="list",
    )
)

register(
    RuleKind(
        "unit_average",
        _("單位數位學習平均時數或論壇平均篇數"),
        _params(
            {
                "window": WINDOW,
                "count": Param(_("論壇篇數計算方式"), CHOICE, choices=FORUM_COUNTS),
                "denominator": Param(_("分母"), CHOICE, choices={"established_posts": _("編制內公務人員總數")}),
                "recipients": ListOf(
                    _("受獎人員"),
                    Param(
                        _("推動角色"),
                        CHOICE,
                        required=True,
                        choices={"單位主管": _("單位主管"), "主辦主管": _("主辦主管"), "承辦人": _("承辦人")},
                    ),
                    required=True,
                    min_items=1,
                ),
                "tiers": _tiers(UNIT_AVERAGE_METRICS),
            }
        ),
        facts=frozenset({UNIT_METRICS}),
        decide=rules.unit_average,
        have=_have_unit,
    )
)

register(
    RuleKind(
        "bundle_completion",
        _("主餐＋副餐套餐獎勵"),
        _params(
            {
                "deadline": Param(_("完成期限"), DATE, required=True),
                "main_by_rank": Param(_("主餐依官等"), BOOLEAN),
                "tiers": ListOf(
                    _("級距"),
                    Group(_("級距"), {"side": Param(_("副餐"), TEXT, required=True), "award": AWARD, "count": COUNT}),
                    required=True,
                    min_items=1,
                ),
            }
        ),
        facts=frozenset({COMPLETIONS}),
        decide=rules.bundle_completion,
        side_params=(("tiers", "side"),),
    )
)

register(
    RuleKind(
        "certificates",
        _("證書"),
        _params(
            {
                "tiers": ListOf(
                    _("級距（擇一最高）"),
                    Group(
                        _("級距"),
                        {
                            "all_of": ListOf(
                                _("須取得之證書"), Param(_("證書名稱"), TEXT, required=True), required=True, min_items=1
                            ),
                            "award": AWARD,
                            "count": COUNT,
                        },
                    ),
                ),
                "groups": ListOf(
                    _("各自核給之組合"),
                    Group(
                        _("組合"),
                        {
                            "all_of": ListOf(
                                _("須取得之證書"), Param(_("證書名稱"), TEXT, required=True), required=True, min_items=1
                            ),
                            "award": AWARD,
                            "count": COUNT,
                        },
                    ),
                ),
            }
        ),
        facts=frozenset({CERTIFICATES}),
        decide=rules.certificates,
        have=_have_certificates,
    )
)

RATINGS = {"特優": _("特優"), "優等": _("優等"), "良好": _("良好")}
register(
    RuleKind(
        "team_rating",
        _("熠星方案專案小組評等"),
        _params(
            {
                "ratings": MapOf(
                    _("各評等之獎勵"),
                    RATINGS,
                    Group(_("評等獎勵"), {"leader": _grant(_("主持人")), "member": _grant(_("成員"))}),
                    required=True,
                ),
            }
        ),
        facts=frozenset({TEAMS}),
        decide=rules.team_rating,
        have=_have_teams,
    )
)

register(
    RuleKind(
        "contest",
        _("自製數位教材暨行銷短片競賽"),
        _params(
            {
                "max_credited_authors": Param(_("每件作品敘獎人數上限"), INTEGER, unit=_("人"), minimum=1),
                "results": Group(
                    _("各結果之獎勵"),
                    {
                        "passed": _grant(_("審查通過")),
                        "placed": Group(
                            _("前三名"),
                            {
                                "award": AWARD,
                                "count": COUNT,
                                "certificate": Param(_("致贈獎狀"), BOOLEAN),
                                "prizes_ntd": MapOf(
                                    _("禮品（禮券）價值"),
                                    {"1": _("第一名"), "2": _("第二名"), "3": _("第三名")},
                                    Param(_("金額"), INTEGER, unit=_("元"), minimum=0),
                                ),
                            },
                        ),
                        "honourable_mention": _grant(_("佳作")),
                    },
                    required=True,
                ),
                "agency_head_when_placed": _grant(_("機關首長（作品獲前三名）")),
            }
        ),
        facts=frozenset({CONTEST}),
        decide=rules.contest,
        have=_have_contest,
    )
)

register(
    RuleKind(
        "case_reports",
        _("行政案例或研究報告"),
        _params(
            {
                "deadline": Param(_("繳交期限"), DATE, required=True),
                "formats": ListOf(_("格式附件"), Param(_("附件"), TEXT, required=True)),
                "tiers": ListOf(
                    _("級距"),
                    Group(
                        _("級距"),
                        {
                            "min": Param(_("篇數（以上）"), INTEGER, unit=_("篇"), required=True, minimum=1),
                            "award": AWARD,
                            "count": COUNT,
                        },
                    ),
                    required=True,
                    min_items=1,
                ),
            }
        ),
        facts=frozenset({CASE_REPORTS}),
        decide=rules.case_reports,
        have=_have_reports,
    )
)

register(
    RuleKind(
        "discretionary",
        _("論壇版主及社團社長（人事單位核定）"),
        _params(
            {
                "max": _grant(_("最高獎勵")),
                "roles": ListOf(
                    _("適用角色"),
                    Param(
                        _("角色"),
                        CHOICE,
                        required=True,
                        choices={"forum_moderator": _("論壇版主"), "club_president": _("社團社長")},
                    ),
                ),
            }
        ),
        decide=rules.discretionary,
    )
)

register(
    RuleKind(
        "lottery",
        _("抽獎活動"),
        _params(
            {
                "list": Param(_("課程清單"), TEXT, required=True),
                "prizes": Param(_("獎品份數"), INTEGER, unit=_("份"), minimum=0),
                "prize": Param(_("獎品"), TEXT),
                "chances_per_course": Param(_("每門課程抽獎機會"), INTEGER, unit=_("次"), minimum=1),
                "seasons": ListOf(
                    _("各季抽獎"),
                    Group(
                        _("季"),
                        {
                            "slug": Param(_("代碼"), TEXT, required=True),
                            "name": Param(_("名稱"), TEXT, required=True),
                            "list": Param(_("指定課程清單"), TEXT, required=True),
                            "starts_on": Param(_("活動起日"), DATE),
                            "ends_on": Param(_("活動迄日"), DATE),
                            "prizes": Param(_("獎品份數"), INTEGER, unit=_("份"), minimum=1),
                        },
                    ),
                    required=True,
                    min_items=1,
                ),
                "description": Param(_("說明"), TEXT),
            }
        ),
        facts=frozenset({COMPLETIONS}),
        have=_have_draws,
        list_param="list",
        list_refs=(("seasons", "list"),),
    )
)

LEAVE_COMMON = {
    "use_within_months": Param(_("使用期限（完成次日起）"), INTEGER, unit=_("個月"), minimum=1),
    "form": Param(_("申請表附件"), TEXT),
    "form_title": Param(_("申請表名稱"), TEXT),
}

register(
    RuleKind(
        "leave_offduty_list",
        _("公餘時間數位學習補休"),
        _params(
            {
                **LEAVE_COMMON,
                "window": Group(WINDOW.label, WINDOW.fields, required=True),
                "min_digital_hours": Param(_("數位學習時數門檻"), NUMBER, unit=_("小時"), required=True, minimum=0),
                "min_total_hours": Param(_("總學習時數門檻"), NUMBER, unit=_("小時"), required=True, minimum=0),
                "list": Param(_("政策性課程清單"), TEXT, required=True),
                "cap_hours": Param(_("補休上限"), NUMBER, unit=_("小時"), required=True, minimum=0),
                "final_cutoff": Param(_("補休最後期限"), DATE),
                "advance_notice_days": Param(_("事前申請天數"), INTEGER, unit=_("日"), minimum=0),
                "no_overtime_double_claim": Param(_("不得與加班重複請領"), BOOLEAN),
            }
        ),
        facts=frozenset({RECORDS}),
        entitle=lambda rule, records, bundles, rank: leave_rules.offduty_list_leave(rule, records),
        leave=True,
        grants_for="list",
        totals=True,
        list_param="list",
    )
)

register(
    RuleKind(
        "leave_bundles",
        _("公餘時間完成套餐課程補休"),
        _params(
            {
                **LEAVE_COMMON,
                "year_window": Group(_("計算年度"), WINDOW.fields, required=True),
                "main_by_rank": Param(_("主餐依官等"), BOOLEAN),
                "grants": ListOf(
                    _("各副餐之補休"),
                    Group(
                        _("補休"),
                        {
                            "side": Param(_("副餐"), TEXT, required=True),
                            "hours": Param(_("補休時數"), NUMBER, unit=_("小時"), required=True, minimum=0),
                        },
                    ),
                    required=True,
                    min_items=1,
                ),
                "cap_hours_per_year": Param(_("每年補休上限"), NUMBER, unit=_("小時"), required=True, minimum=0),
                "all_courses_off_duty": Param(_("全部課程須於公餘時間完成"), BOOLEAN),
                "form_courses": Param(_("申請表課程欄數"), INTEGER, minimum=1),
            }
        ),
        facts=frozenset({RECORDS}),
        entitle=leave_rules.bundle_leave,
        leave=True,
        grants_for="bundles",
        side_params=(("grants", "side"),),
    )
)


LEAVE_KINDS = frozenset(code for code, kind in KINDS.items() if kind.leave)


def kind_of(rule: dict) -> RuleKind | None:
    return KINDS.get(rule.get("kind")) if isinstance(rule, dict) else None


def award_rules(rules_: list[dict]) -> list[dict]:
    """The rules that decide commendations or merits (not leave, not a promotion's draws)."""
    return [r for r in rules_ if (k := kind_of(r)) is not None and k.decide is not None]


def needs(rules_: list[dict], fact: str) -> list[dict]:
    """The rules whose kinds need `fact` (one of the fact names above)."""
    return [r for r in rules_ if (k := kind_of(r)) is not None and fact in k.facts]


# -- checking a plan's rules ------------------------------------------------------------------


@dataclass
class PlanRefs:
    """What a plan's rules may point at: its course lists and side bundles (slugs). None: not checked."""

    lists: set | None = None
    sides: set | None = None


class RuleParameterError(ValueError):
    """A plan's rules do not fit their kinds' schemas; `messages` holds one Chinese sentence per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def rule_problems(rule, refs: PlanRefs | None = None) -> list[Problem]:
    """Every problem of one rule against its kind's schema and the plan's lists and bundles."""
    if not isinstance(rule, dict):
        return [Problem((), _("每條規則應為一組參數"))]
    kind = KINDS.get(rule.get("kind"))
    if kind is None:
        known = "、".join(f"{code}（{k.title}）" for code, k in KINDS.items())
        return [
            Problem(
                ("kind",),
                _("不認得的規則類型「%(kind)s」，應為：%(known)s") % {"kind": rule.get("kind", ""), "known": known},
            )
        ]
    problems = check(kind.params, rule)
    if problems:
        return problems
    refs = refs or PlanRefs()
    if (
        kind.list_param
        and rule.get(kind.list_param)
        and refs.lists is not None
        and rule[kind.list_param] not in refs.lists
    ):
        problems.append(
            Problem((kind.list_param,), _("計畫沒有代碼為「%(slug)s」的課程清單") % {"slug": rule[kind.list_param]})
        )
    if (
        kind.code == "threshold_tiers"
        and {"list_courses", "list_hours"} & set(metrics_of(rule))
        and not rule.get("list")
    ):
        problems.append(Problem(("list",), _("以清單課程為指標時須指定課程清單")))
    for list_key, key in kind.side_params:
        for index, item in enumerate(rule.get(list_key, [])):
            if refs.sides is not None and item.get(key) not in refs.sides:
                problems.append(
                    Problem((list_key, index, key), _("計畫沒有代碼為「%(slug)s」的副餐") % {"slug": item.get(key)})
                )
    for list_key, key in kind.list_refs:
        for index, item in enumerate(rule.get(list_key, [])):
            if refs.lists is not None and item.get(key) not in refs.lists:
                problems.append(
                    Problem((list_key, index, key), _("計畫沒有代碼為「%(slug)s」的課程清單") % {"slug": item.get(key)})
                )
    if kind.code == "lottery":
        for index, season in enumerate(rule.get("seasons", [])):
            if season.get("starts_on") and season.get("ends_on") and season["ends_on"] < season["starts_on"]:
                problems.append(Problem(("seasons", index, "ends_on"), _("迄日早於起日")))
    return problems


def field_name(rule: dict, path: tuple) -> str:
    kind = kind_of(rule)
    if kind is None or not path:
        return COMMON["kind"].label if path == ("kind",) else _("規則")
    return describe(path, kind.params)


def check_rules(plan_name: str, rules_, refs: PlanRefs | None = None) -> None:
    """Check every rule of a plan; raise RuleParameterError naming plan, rule and field for each problem.

    `plan_name`: how the plan is named in the message (its code and title). Duplicate rule codes
    are refused too: decisions and grants are keyed by them.
    """
    messages = rule_messages(plan_name, rules_, refs)
    if messages:
        raise RuleParameterError(messages)


def rule_messages(plan_name: str, rules_, refs: PlanRefs | None = None) -> list[str]:
    """What `check_rules` raises, as a list of Chinese sentences (empty when every rule fits)."""
    if not isinstance(rules_, list):
        return [_("計畫「%(plan)s」的規則應為清單") % {"plan": plan_name}]
    messages, seen = [], set()
    for position, rule in enumerate(rules_, start=1):
        code = rule.get("code") if isinstance(rule, dict) else None
        named = _("計畫「%(plan)s」規則 %(code)s") % {
            "plan": plan_name,
            "code": code or _("第 %(n)d 條") % {"n": position},
        }
        if isinstance(rule, dict) and rule.get("clause"):
            named += f"（{rule['clause']}）"
        if code and code in seen:
            messages.append(_("%(rule)s：規則代碼重複") % {"rule": named})
        seen.add(code)
        for problem in rule_problems(rule, refs):
            messages.append(
                _("%(rule)s，欄位「%(field)s」：%(message)s")
                % {"rule": named, "field": field_name(rule, problem.path), "message": problem.message}
            )
    return messages


# -- deciding ----------------------------------------------------------------------------------


def deciders(rules_: list[dict]) -> list[tuple[dict, Callable]]:
    """The rules `evaluate_person` decides, each with its kind's `decide`: (rule, decide) pairs,
    looked up once for a whole chunk of people instead of once a person."""
    return [(rule, kind.decide) for rule in rules_ if (kind := kind_of(rule)) is not None and kind.decide is not None]


def evaluate_person(
    rules_: list[dict], person: rules.PersonFacts, context: dict, decided: list[tuple[dict, Callable]] | None = None
) -> rules.Result:
    """Every incentive rule the data can decide, then "the better one" within each `group` (擇優).

    Leave kinds are decided by `entitle` (the grants), promotions not at all. The rules must have
    passed `check_rules`: an unknown kind is skipped here, never guessed at. `decided`:
    `deciders(rules_)` when the caller evaluates many people with the same rules.
    """
    total = rules.Result()
    for rule, decide in deciders(rules_) if decided is None else decided:
        outcome = decide(rule, person, context)
        total.awards += outcome.awards
        total.progress += outcome.progress
    best: dict[str, rules.Award] = {}
    kept = []
    for award in total.awards:
        if not award.group:
            kept.append(award)
        elif award.group not in best or award.weight > best[award.group].weight:
            best[award.group] = award
    total.awards = kept + list(best.values())
    return total


def entitlement(rule: dict, records: list, bundles: list, rank: str) -> tuple[list, str]:
    """The grants one leave rule gives one person, and what is still missing (empty when none).

    Raises KeyError for a rule whose kind is not a leave kind.
    """
    kind = kind_of(rule)
    if kind is None or not kind.leave:
        raise KeyError(rule.get("kind") if isinstance(rule, dict) else rule)
    return kind.entitle(rule, records, bundles, rank)
