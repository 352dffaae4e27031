"""Printable programme documents: the annual plan rendered from its data, and the 熠星 proposal form."""

import calendar
import datetime as dt
import re
from decimal import Decimal

from portal import rocdate
from portal.numbering import Item, number_outline
from portal.pdf import render_pdf

from .models import Plan, Proposal

AWARD_WORDS = {"commendation": "嘉獎", "merit": "記功", "major_merit": "記大功"}


def _number(value) -> str:
    """1, 1.5 — never 1.00 or 1E+1."""
    value = Decimal(str(value))
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(), "f")


def _month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """A period as the plans write it: 104年3月至7月, 104年4月23日, 104年1月19日至1月23日, 104年2月起."""
    if start is None and end is None:
        return ""
    if end is None:
        return f"{rocdate.to_roc_long(start)}起" if start.day != 1 else f"{start.year - 1911}年{start.month}月起"
    if start is None:
        return f"至{rocdate.to_roc_long(end)}止"
    if start == end:
        return rocdate.to_roc_long(start)
    if start.day == 1 and _month_end(end):  # whole months
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year - 1911}年{start.month}月"
        until = f"{end.month}月" if start.year == end.year else f"{end.year - 1911}年{end.month}月"
        return f"{start.year - 1911}年{start.month}月至{until}"
    until = f"{end.month}月{end.day}日" if start.year == end.year else rocdate.to_roc_long(end)
    return f"{rocdate.to_roc_long(start)}至{until}"


def _iso(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _cite(clause: str) -> str:
    return f"原計畫{clause}" if clause else ""


def _class_item(training_class) -> Item:
    sessions = list(training_class.sessions.all())
    facts = []
    if training_class.eligibility:
        facts.append(Item("參加對象", training_class.eligibility))
    when = period_text(training_class.starts_on, training_class.ends_on)
    if when:
        facts.append(Item("辦理時間", when))
    if training_class.venue:
        facts.append(Item("辦理地點", training_class.venue))
    count = f"預定辦理{training_class.planned_sessions}期，每期{training_class.days_per_session}天"
    if training_class.hours_per_session:
        count += f"（{training_class.hours_per_session}小時）"
    if training_class.capacity_per_session:
        count += f"，每期{training_class.capacity_per_session}人"
    dated = [s for s in sessions if s.starts_on or s.ends_on]
    # Sessions are listed only where they say more than the class period does.
    own_dates = [s for s in dated if (s.starts_on, s.ends_on) != (training_class.starts_on, training_class.ends_on)]
    facts.append(
        Item(
            "辦理期數",
            count + "。",
            children=[
                Item(f"第{s.number}期", "：".join(filter(None, [period_text(s.starts_on, s.ends_on), s.venue])))
                for s in (dated if own_dates else [])
            ],
        )
    )
    return Item(training_class.name, children=facts)


def _bundle_items(bundles) -> list[Item]:
    items = []
    for bundle in bundles:
        courses = sorted(bundle.entries.all(), key=lambda e: e.pk)
        heading = f"{bundle.name}（{bundle.get_kind_display()}，{_number(bundle.hours)}小時" + (
            f"，適用{bundle.rank}人員）" if bundle.rank else "）"
        )
        items.append(
            Item(
                heading,
                children=[
                    Item(
                        entry.course.name,
                        f"{_number(entry.hours)}小時"
                        + (f"，{entry.course.platform.name}" if entry.course.platform_id else ""),
                    )
                    for entry in courses
                ],
            )
        )
    return items


def _activity_item(activity, bundles) -> Item:
    classes = list(activity.classes.all())
    item = Item(activity.name, cite=_cite(activity.clause))
    if classes and activity.description:  # RAD's way: a lead paragraph, then the classes
        item.paragraphs.append(activity.description)
    when = period_text(activity.starts_on, activity.ends_on)
    if when:
        item.children.append(Item("辦理期間", when))
    if activity.participants:
        item.children.append(Item("參加對象", activity.participants))
    if activity.description and not classes:
        item.children.append(Item("辦理方式", activity.description))
    item.children.extend(_class_item(c) for c in classes)
    if activity.kind == activity.Kind.BUNDLE_PROMOTION and bundles:
        item.children.append(Item("套餐課程", children=_bundle_items(bundles)))
    return item


def _rule_facts(rule: dict) -> list[Item]:
    """The parameters of a rule that are data (dates, caps, forms), each with its words."""
    facts = []
    for key, title in (("window", "計算期間"), ("year_window", "計算期間")):
        if rule.get(key):
            facts.append(Item(title, period_text(_iso(rule[key].get("start")), _iso(rule[key].get("end")))))
    if rule.get("deadline"):
        facts.append(Item("期限", f"{rocdate.to_roc_long(_iso(rule['deadline']))}前"))
    if rule.get("filing_deadline"):
        sheet = f"，檢附{rule['tally_sheet']}統計表" if rule.get("tally_sheet") else ""
        facts.append(Item("提報期限", f"{rocdate.to_roc_long(_iso(rule['filing_deadline']))}前{sheet}"))
    if rule.get("min_digital_hours") or rule.get("min_total_hours"):
        facts.append(
            Item(
                "時數門檻",
                f"數位學習至少{_number(rule.get('min_digital_hours') or 0)}小時，"
                f"學習總時數至少{_number(rule.get('min_total_hours') or 0)}小時",
            )
        )
    for key in ("cap_hours", "cap_hours_per_year"):
        if rule.get(key):
            facts.append(
                Item("補休上限", ("每年" if key == "cap_hours_per_year" else "") + f"{_number(rule[key])}小時")
            )
    if rule.get("use_within_months"):
        cutoff = (
            f"，並於{rocdate.to_roc_long(_iso(rule['final_cutoff']))}前使用完畢" if rule.get("final_cutoff") else ""
        )
        facts.append(Item("使用期限", f"課程完成次日起{rule['use_within_months']}個月內{cutoff}"))
    if rule.get("advance_notice_days"):
        facts.append(Item("申請期限", f"補休日{rule['advance_notice_days']}日前提出申請"))
    if rule.get("form"):
        title = rule.get("form_title", "")
        facts.append(Item("申請表件", f"{title}（{rule['form']}）" if title else rule["form"]))
    if rule.get("max_credited_authors"):
        facts.append(Item("敘獎人數", f"每件作品至多{rule['max_credited_authors']}人"))
    if rule.get("ratings"):
        for rating, roles in rule["ratings"].items():
            words = [
                f"{'主持人' if role == 'leader' else '成員'}{AWARD_WORDS[a['award']]}{a['count']}次"
                for role, a in roles.items()
            ]
            facts.append(Item(rating, "、".join(words)))
    return facts


def _rule_subject(clause: str, activities) -> str:
    """The activity a rule belongs to, when the rule's clause sits under the activity's (陸、二、（四） → 陸、二)."""
    owners = [a for a in activities if a.clause and (clause == a.clause or clause.startswith(a.clause + "、"))]
    return max(owners, key=lambda a: len(a.clause)).name if owners else ""


def plan_outline(plan: Plan) -> list[Item]:
    """The plan as the numbered sections of a government plan: 壹、依據 … with the data in each."""
    from courses.models import Bundle

    sections = []
    if plan.basis:
        sections.append(Item("依據", children=[Item(text=t) for t in plan.basis]))
    if plan.goals:
        sections.append(Item("目標", children=[Item(text=t) for t in plan.goals]))
    if plan.starts_on or plan.ends_on:
        sections.append(
            Item("實施期間", "至".join(rocdate.to_roc_long(d) for d in (plan.starts_on, plan.ends_on) if d) + "。")
        )
    if plan.coverage_text:
        excluded = [a.name for a in plan.excluded_agencies.all()]
        sections.append(
            Item(
                "實施對象", plan.coverage_text, paragraphs=[f"不適用機關：{'、'.join(excluded)}。"] if excluded else []
            )
        )
    activities = list(plan.activities.prefetch_related("classes__sessions"))
    if activities:
        bundles = list(
            Bundle.objects.filter(plan=plan)
            .prefetch_related("entries__course__platform")
            .order_by("kind", "rank", "hours", "pk")
        )
        sections.append(Item("實施內容", children=[_activity_item(a, bundles) for a in activities]))
    rules = plan.parameters.get("rules") or []
    if rules:
        sections.append(
            Item(
                "獎勵措施",
                children=[
                    # A rule's text quotes its clause, whose own label (「一、個人…」) the outline replaces.
                    Item(
                        _rule_subject(r.get("clause", ""), activities),
                        re.sub(r"^[一二三四五六七八九十]+、", "", r.get("text", "")),
                        cite=_cite(r.get("clause", "")),
                        children=_rule_facts(r),
                    )
                    for r in rules
                ],
            )
        )
    if plan.kpis:
        sections.append(
            Item(
                "績效指標",
                children=[
                    Item(
                        k["label"],
                        f"{_number(k['target'])}{k.get('unit', '')}" if k.get("target") is not None else "",
                        cite=_cite(k.get("clause", "")),
                    )
                    for k in plan.kpis
                ],
            )
        )
    return number_outline(sections)


def render_plan_pdf(plan: Plan) -> bytes:
    issuer = plan.issuer.name
    shows_issuer = issuer not in plan.title and issuer.removesuffix("政府") not in plan.title
    issued = ""
    if plan.issued_on or plan.reference:
        issued = (
            (rocdate.to_roc_long(plan.issued_on) if plan.issued_on else "")
            + plan.reference
            + ("函訂" if plan.reference else "")
        )
    return render_pdf(
        "programs/plan_document.html",
        {
            "plan": plan,
            "issuer": issuer if shows_issuer else "",
            "issued": issued,
            "sections": plan_outline(plan),
        },
        css=("document.css",),
    )


# Hualien 附件1: 計畫內容撰寫格式 — the items of the form in its order, with the proposal field
# (programs.models.PROPOSAL_FIELDS) that fills each. The seed's text numbers them 1、…; the form's
# own rule (「數字標號：依序為壹、一、（一）、1、（1）」) makes them 一、（一）.
PROPOSAL_OUTLINE = [
    ("目標", "goals", []),
    ("推動議題", "topics", []),
    ("參加對象", "participants", []),
    ("實施作法", "", [("策略", "strategy"), ("組成專案小組", "team")]),
    (
        "實施內容（含時程）",
        "schedule",
        [("製作數位素材提升管理效能或服務品質", "materials"), ("建立社群論壇強化知識社群運用能力", "forums")],
    ),
    ("關鍵績效指標（KPI）", "kpis", []),
    ("獎勵方式", "rewards", []),
]
PROPOSAL_FORM_TITLE = "推動數位學習熠星方案實施計畫"


def _team_text(proposal: Proposal) -> str:
    members = [m.name for m in proposal.members.all()]
    parts = [f"主持人{proposal.leader.name}"] if proposal.leader_id else []
    if members:
        parts.append(f"成員{'、'.join(members)}")
    return "；".join(parts)


def proposal_outline(proposal: Proposal) -> list[Item]:
    values = {**proposal.fields, "team": _team_text(proposal)}
    return number_outline(
        [
            Item(
                title,
                values.get(key, "") if key else "",
                children=[Item(sub_title, values.get(sub_key, "")) for sub_title, sub_key in subs],
            )
            for title, key, subs in PROPOSAL_OUTLINE
        ],
        level=2,
    )


def render_proposal_pdf(proposal: Proposal) -> bytes:
    form = proposal.activity.details.get("proposal_form") or {}
    plan = proposal.activity.plan
    government = proposal.government  # None for a draft whose agency is not chosen yet
    return render_pdf(
        "programs/proposal_document.html",
        {
            "proposal": proposal,
            "plan": plan,
            "government": government.name if government else "",
            "attachment": form.get("attachment", ""),
            # The seed's form is titled 「…實施計畫(參考用表格)」: a template's title, not a proposal's.
            "form_title": re.sub(
                r"[（(]參考用表格[）)]$", "", form.get("title") or f"{plan.roc_year}年度{PROPOSAL_FORM_TITLE}"
            ),
            "outline": proposal_outline(proposal),
            "fields": proposal.fields,
        },
        css=("document.css", "form.css"),
    )
