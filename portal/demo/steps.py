"""What people do on the portal's pages, as the demo's years need it: each function is one
person's step through one page (or an admin page), checked as it goes."""

import datetime as dt

from django.urls import resolve, reverse

from incentives.models import Decision
from leave.models import Application
from portal.models import Employee
from portal.rocdate import to_roc_short
from programs.models import Activity, Nomination, Plan, Proposal, Session

from .doors import DemoStepFailed, Person


def eligible_people(plan: Plan, people: list[Employee]) -> list[Employee]:
    """The staff with an award still to file (the decisions HR's evaluation saved as eligible,
    which the staff-standing page marks so), in the roster's order: whom the step ticks."""
    with_awards = set(
        Decision.objects.filter(plan=plan, employee__in=people, status=Decision.Status.ELIGIBLE).values_list(
            "employee_id", flat=True
        )
    )
    return [p for p in people if p.pk in with_awards]


def decisions_of(plan: Plan, people: list[Employee]) -> list[Decision]:
    """The people's decisions, as HR finds them in the admin's list of decisions to tick."""
    return list(Decision.objects.filter(plan=plan, employee__in=people).select_related("employee").order_by("pk"))


def file_requests(coordinator: Person, plan: Plan, people: list[Employee]) -> None:
    """A coordinator ticks staff on the staff-standing page and files their requests (提報)."""
    expected = Decision.objects.filter(plan=plan, employee__in=people, status=Decision.Status.ELIGIBLE).count()
    url = reverse("incentives:staff", args=[plan.slug])
    coordinator.get(url)
    coordinator.post(
        url,
        {"employee": [str(p.pk) for p in people]},
        step=f"{coordinator}提報獎勵",
        expect=f"已提報 {expected} 件獎勵案。",
    )


def approve(hr: Person, decisions: list[Decision]) -> None:
    """HR ticks filed requests in the admin's list of decisions and approves them (核定)."""
    hr.admin_action(
        "incentives.Decision",
        "approve",
        [d.pk for d in decisions],
        step="人事人員核定獎勵案",
        expect=f"已核定 {len(decisions)} 件。",
    )


def write_proposal(
    coordinator: Person,
    activity: Activity,
    agency,
    title: str,
    fields: dict,
    submit: bool = False,
    leader: Employee | None = None,
    members: list[Employee] = (),
) -> Proposal:
    """A coordinator fills in a 熠星 proposal with its team (主持人, 成員) and saves it as a draft, or sends it (送出)."""
    response = coordinator.get(reverse("programs:proposal-new", args=[activity.pk]))
    data = {key: value for key, value in fields.items()}
    data |= {"title": title, "agency": str(agency.pk)}
    if leader is not None:
        data["leader"] = str(leader.pk)
    if members:
        data["members"] = [str(m.pk) for m in members]
    if submit:
        data["submit"] = "送出"
    response = coordinator.post(
        response.wsgi_request.path,
        data,
        step=f"{coordinator}填寫熠星方案「{title}」",
        expect="申請已送出。" if submit else "草稿已儲存。",
    )
    # The saved proposal's own page is where the form goes on.
    return Proposal.objects.get(pk=resolve(response.url).kwargs["pk"])


def select_proposals(hr: Person, proposals: list[Proposal]) -> None:
    """HR ticks submitted proposals in the admin and marks them selected (入選)."""
    hr.admin_action("programs.Proposal", "select", [p.pk for p in proposals], step="人事人員評選熠星方案")
    if Proposal.objects.filter(pk__in=[p.pk for p in proposals]).exclude(status=Proposal.Status.SELECTED).exists():
        raise DemoStepFailed("熠星方案未列為入選")


def add_class_history(hr: Person, person: Employee, slug: str, name: str, day: dt.date) -> None:
    """HR records a class someone attended before the portal knew it (admin → 參訓紀錄 → 新增)."""
    hr.admin_add(
        "programs.ClassHistory",
        {
            "employee": str(person.pk),
            "class_slug": slug,
            "class_name": name,
            "attended_on": day.isoformat(),
            "_save": "儲存",
        },
        step=f"人事人員登錄 {person.name} 的參訓紀錄",
    )


def add_tag(hr: Person, person: Employee, tag: str) -> None:
    """HR records who someone is for the priority rules (admin → 人員身分 → 新增)."""
    hr.admin_add(
        "programs.EmployeeTag",
        {"employee": str(person.pk), "tag": tag, "_save": "儲存"},
        step=f"人事人員登錄 {person.name} 的身分",
    )


def nominate(coordinator: Person, session: Session, people: list[Employee]) -> list:
    """A coordinator ticks staff on the session's page and nominates them; each refusal says why."""
    url = reverse("programs:nominate", args=[session.pk])
    coordinator.get(url)
    response = coordinator.post(
        url, {"employee": [str(p.pk) for p in people]}, step=f"{coordinator}推薦人員參加 {session}"
    )
    outcomes = response.context["outcomes"]
    if outcomes is None or len(outcomes) != len(people) or not any(o.accepted for o in outcomes):
        raise DemoStepFailed(f"{coordinator}推薦人員參加 {session}：未受理（{[o.reason for o in outcomes or []]}）")
    return outcomes


def nominate_to_camp(
    coordinator: Person, camp: Activity, people: list[Employee], circle: str, leaders: list[Employee]
) -> None:
    """A coordinator nominates staff to the English camp with their circle and its leaders (圈長)."""
    url = reverse("programs:camp", args=[camp.pk])
    coordinator.get(url)
    levels = {f"level_{p.pk}": "intermediate" for p in people}  # each nominee's level, stated
    response = coordinator.post(
        url,
        {"employee": [str(p.pk) for p in people], "leader": [str(p.pk) for p in leaders], "circle": circle, **levels},
        step=f"{coordinator}推薦人員參加英語營",
    )
    refused = [o.reason for o in response.context["outcomes"] if not o.accepted]
    if refused:
        raise DemoStepFailed(f"{coordinator}推薦人員參加英語營：{refused}")


def confirm_places(hr: Person, sessions: list[Session]) -> None:
    """HR confirms places in priority order (admin → 期別 → 依優先順序確認錄取)."""
    hr.admin_action(
        "programs.Session",
        "confirm_places",
        [s.pk for s in sessions],
        step="人事人員確認錄取",
        expect=f"已確認 {len(sessions)} 個期別的錄取名單。",
    )


def record_attendance(hr: Person, nominations: list[Nomination], attended: bool) -> None:
    """HR records who came (admin → 推薦紀錄 → 登錄為已參訓／未到訓)."""
    hr.admin_action(
        "programs.Nomination",
        "mark_attended" if attended else "mark_absent",
        [n.pk for n in nominations],
        step="人事人員登錄參訓情形",
    )
    status = Nomination.Status.ATTENDED if attended else Nomination.Status.ABSENT
    if Nomination.objects.filter(pk__in=[n.pk for n in nominations]).exclude(status=status).exists():
        raise DemoStepFailed("參訓情形未登錄")


def apply_for_leave(employee: Person, plan: Plan, day: dt.date, starts: str, ends: str) -> Application:
    """An employee applies for compensatory leave on `/leave/`."""
    employee.get(reverse("leave:mine"))
    before = set(Application.objects.filter(employee_id=employee.user.employee_id).values_list("pk", flat=True))
    employee.post(
        reverse("leave:mine"),
        {"plan": str(plan.pk), "leave_date": day.isoformat(), "starts_at": starts, "ends_at": ends},
        step=f"{employee}申請補休",
        expect="已送出補休申請",
    )
    return Application.objects.filter(employee_id=employee.user.employee_id).exclude(pk__in=before).get()


def approve_leave(supervisor: Person, application: Application) -> None:
    """The unit head approves (核章) an application on `/leave/approvals/`."""
    supervisor.get(reverse("leave:approvals"))
    supervisor.post(
        reverse("leave:approvals"),
        {"application": str(application.pk), "decision": "approve"},
        step=f"{supervisor}核章",
        expect="已核章",
    )


def return_leave(supervisor: Person, application: Application, note: str) -> None:
    """The unit head returns (退回) an application with a reason on `/leave/approvals/`."""
    supervisor.post(
        reverse("leave:approvals"),
        {"application": str(application.pk), "decision": "return", "note": note},
        step=f"{supervisor}退回補休申請",
        expect="已退回",
    )


def register_leave(hr: Person, applications: list[Application]) -> None:
    """HR registers (登記) approved applications on `/leave/registrations/`."""
    if not applications:
        return
    hr.get(reverse("leave:registrations"))
    hr.post(
        reverse("leave:registrations"),
        {"application": [str(a.pk) for a in applications]},
        step="人事人員登記補休",
        expect=f"已登記 {len(applications)} 件。",
    )


def cancel_leave(employee: Person, application: Application) -> None:
    """An employee cancels their application before its day."""
    employee.post(reverse("leave:cancel", args=[application.pk]), {}, step=f"{employee}取消補休申請", expect="已取消")


# -- HR's decision desk (/incentives/decisions/) ------------------------------------------------


def _desk(plan: Plan) -> str:
    return f"{reverse('incentives:decisions')}?plan={plan.slug}"


def desk_evaluates(hr: Person, plan: Plan) -> None:
    """HR presses 重新評估 on the desk: the plan's awards as of today become eligible decisions."""
    hr.post(_desk(plan), {"action": "evaluate"}, step=f"人事人員評估 {plan.slug} 的獎勵", expect="已依目前資料評估")


def desk_acts(hr: Person, plan: Plan, decisions: list[Decision], action: str, reason: str = "") -> None:
    """HR ticks decisions on the desk and approves, returns, rejects or withholds them (with the reason)."""
    hr.post(
        _desk(plan),
        {"action": action, "decision": [str(d.pk) for d in decisions], "reason": reason},
        step=f"人事人員處理獎勵案（{action}）",
        expect="件。",
    )


def desk_grants(
    hr: Person, plan: Plan, employee: Employee, rule_code: str, award: str, count: int, reason: str
) -> None:
    """HR grants what the data cannot decide (a forum moderator's merit) on the desk, within the rule's cap."""
    hr.post(
        _desk(plan),
        {
            "action": "grant",
            "employee": str(employee.pk),
            "rule_code": rule_code,
            "award": award,
            "count": str(count),
            "reason": reason,
        },
        step=f"人事人員核給 {employee.name} 獎勵",
        expect="已核給",
    )


def desk_issues_order(hr: Person, plan: Plan, decisions: list[Decision], number: str, day: dt.date) -> None:
    """HR issues one 獎懲令 (文號, ROC date) for the ticked approved decisions."""
    hr.post(
        _desk(plan),
        {
            "action": "issue",
            "decision": [str(d.pk) for d in decisions],
            "order_number": number,
            "order_date": to_roc_short(day),
        },
        step=f"人事人員發布獎懲令 {number}",
        expect="已發布獎懲令",
    )


def set_season_dates(hr: Person, plan: Plan, rule_code: str, index: int, starts: dt.date, ends: dt.date) -> None:
    """HR sets a seasonal draw's dates on the lottery rule's form (ROC dates, as typed)."""
    from .doors import form_data

    url = reverse("incentives:rule-edit", args=[plan.slug, rule_code])
    data = {
        **form_data(hr.get(url).context["form"]),
        f"seasons.{index}.starts_on": to_roc_short(starts),
        f"seasons.{index}.ends_on": to_roc_short(ends),
    }
    hr.post(url, data, step=f"人事人員設定 {plan.slug} 第 {index + 1} 季抽獎期間", expect="已儲存規則")


def publish_draw_seed(hr: Person, plan: Plan, season: str, seed: str) -> None:
    """HR publishes a season's draw seed before the season ends."""
    hr.post(
        reverse("incentives:draws", args=[plan.slug]),
        {"season": season, "action": "publish", "seed": seed},
        step=f"人事人員公布 {season} 抽獎種子",
        expect="已公布抽獎種子",
    )


def run_season_draw(hr: Person, plan: Plan, season: str) -> None:
    """HR draws a season's winners after it ends."""
    hr.post(
        reverse("incentives:draws", args=[plan.slug]),
        {"season": season, "action": "draw"},
        step=f"人事人員抽出 {season} 中獎者",
        expect="已抽出",
    )
