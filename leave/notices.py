"""The messages of compensatory leave (issue 18): what the employee, the supervisor and HR are
told, and the to-do items of the same. Registered from `LeaveConfig.ready()`.

Each `find` returns the messages due as of a date for everyone, in a fixed number of queries,
or for the accounts named (the home page's to-do list); each `build` the messages of events
(portal.notices). Texts are Traditional Chinese with ROC dates and a link to where the work is done.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives.rules import number
from portal.models import Employee, User
from portal.notices import (
    EMPLOYEE,
    HR,
    SUPERVISOR,
    Message,
    MessageKind,
    accounts_of_employees,
    fingerprint,
    greeting,
    link,
    servers_by_agency,
)
from portal.rocdate import to_roc_long
from portal.roles import Role

from .models import Application, Entry, GrantReview

ZERO = Decimal(0)
# Issue 18: hours lapsing within 30 days.
LAPSING_WITHIN_DAYS = 30
SUBJECT = "【數位學習】"


def _when(application) -> str:
    """「103年7月20日 09:00–11:00 共 2 小時」 from an Application or its values() dict."""
    get = application.get if isinstance(application, dict) else lambda k: getattr(application, k)
    return _("%(day)s %(start)s–%(end)s 共 %(hours)s 小時") % {
        "day": to_roc_long(get("leave_date")),
        "start": get("starts_at").strftime("%H:%M"),
        "end": get("ends_at").strftime("%H:%M"),
        "hours": number(get("hours")),
    }


# --- employee events: approved, returned, registered (mandatory: a decision about them) -----


def _employee_event(step: str):
    def build(items) -> list[Message]:
        moments = dict(items)
        rows = Application.objects.filter(pk__in=moments).select_related("employee")
        accounts = accounts_of_employees({a.employee_id for a in rows})
        path = reverse("leave:mine")
        messages = []
        for application in rows:
            if application.employee_id not in accounts:
                continue
            values = {"when": _when(application), "reason": application.note, "link": link(path)}
            if step == "approve":
                subject = _("補休申請已核章：%(day)s") % {"day": to_roc_long(application.leave_date)}
                text = _("您申請的補休（%(when)s）已由單位主管核章，待人事單位登記。")
            elif step == "return":
                subject = _("補休申請已退回：%(day)s") % {"day": to_roc_long(application.leave_date)}
                text = _("您申請的補休（%(when)s）已由單位主管退回，時數已退還。\n退回理由：%(reason)s")
            else:
                subject = _("補休申請已登記：%(day)s") % {"day": to_roc_long(application.leave_date)}
                text = _("您申請的補休（%(when)s）已由人事單位登記完成。")
            body = "\n\n".join(
                [greeting(application.employee.name), text % values, _("請至下列網址查看：\n%(link)s") % values]
            )
            messages.append(
                Message(
                    accounts[application.employee_id],
                    f"application:{application.pk}",
                    fingerprint(moments[application.pk]),
                    SUBJECT + subject,
                    body + "\n",
                )
            )
        return messages

    return build


# --- supervisor: an application waiting for their 核章 --------------------------------------


def _heads(unit_ids=None, user_ids=None) -> dict[int, list[tuple[int, int | None, str]]]:
    """unit id -> [(user id, employee id, name)] of its active heads (one query); every unit's
    when `unit_ids` is None, only those accounts' with `user_ids`."""
    rows = User.headed_units.through.objects.filter(user__is_active=True)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    heads: dict[int, list] = {}
    for unit_id, user_id, employee_id, name in rows.values_list(
        "unit_id", "user_id", "user__employee_id", "user__employee__name"
    ):
        heads.setdefault(unit_id, []).append((user_id, employee_id, name or ""))
    return heads


def _build_waiting(items) -> list[Message]:
    moments = dict(items)
    rows = list(
        Application.objects.filter(pk__in=moments, status=Application.Status.SUBMITTED).values(
            "pk", "employee_id", "employee__name", "employee__unit_id", "leave_date", "starts_at", "ends_at", "hours"
        )
    )
    heads = _heads({a["employee__unit_id"] for a in rows if a["employee__unit_id"]})
    path = reverse("leave:approvals")
    messages = []
    for a in rows:
        for user_id, employee_id, name in heads.get(a["employee__unit_id"], ()):
            if employee_id == a["employee_id"]:
                continue  # nobody signs their own leave (leave.services.heads_own): HR does
            values = {"who": a["employee__name"], "when": _when(a), "link": link(path)}
            messages.append(
                Message(
                    user_id,
                    f"application:{a['pk']}",
                    fingerprint(moments[a["pk"]]),
                    SUBJECT + _("補休申請待核章：%(who)s") % values,
                    "\n\n".join(
                        [
                            greeting(name),
                            _("%(who)s 申請補休（%(when)s），待您核章。") % values,
                            _("請至下列網址核章或退回：\n%(link)s") % values,
                        ]
                    )
                    + "\n",
                )
            )
    return messages


def _find_waiting(as_of: dt.date, user_ids=None) -> list[Message]:
    """Each unit head with applications of their unit waiting for their 核章: one message
    listing them (three queries)."""
    heads = _heads(user_ids=user_ids)
    rows = (
        Application.objects.filter(status=Application.Status.SUBMITTED, employee__unit_id__in=list(heads))
        .order_by("leave_date", "pk")
        .values(
            "pk", "employee_id", "employee__name", "employee__unit_id", "leave_date", "starts_at", "ends_at", "hours"
        )
    )
    waiting: dict[int, list] = {}
    names = {}
    for a in rows:
        for user_id, employee_id, name in heads.get(a["employee__unit_id"], ()):
            if employee_id != a["employee_id"]:
                waiting.setdefault(user_id, []).append(a)
                names[user_id] = name
    path = reverse("leave:approvals")
    messages = []
    for user_id, applications in waiting.items():
        count = len(applications)
        lines = "\n".join(f"・{a['employee__name']}：{_when(a)}" for a in applications)
        values = {"count": count, "lines": lines, "link": link(path)}
        title = _("補休申請待核章 %(count)d 件") % values
        messages.append(
            Message(
                user_id,
                "waiting",
                fingerprint(sorted(a["pk"] for a in applications)),
                SUBJECT + title,
                "\n\n".join(
                    [
                        greeting(names[user_id]),
                        _("下列 %(count)d 件補休申請待您核章：\n%(lines)s") % values,
                        _("請至下列網址核章或退回：\n%(link)s") % values,
                    ]
                )
                + "\n",
                items=[(title, count, path)],
            )
        )
    return messages


# --- employee: hours lapsing within 30 days --------------------------------------------------


def _find_lapsing(as_of: dt.date, user_ids=None) -> list[Message]:
    """Each employee with granted hours left whose last usable day is within 30 days of `as_of`:
    one message listing them, earliest first (three queries)."""
    grants = Entry.objects.filter(
        kind=Entry.Kind.GRANT,
        usable_until__gte=as_of,
        usable_until__lte=as_of + dt.timedelta(days=LAPSING_WITHIN_DAYS),
    )
    if user_ids is not None:
        grants = grants.filter(employee__user__pk__in=list(user_ids))
    rows = (
        grants.annotate(charged=Sum("charges__hours"))
        .order_by("usable_until", "pk")
        .values_list("pk", "employee_id", "hours", "charged", "usable_until")
    )
    left: dict[int, list[tuple[int, Decimal, dt.date]]] = {}
    for pk, employee_id, hours, charged, until in rows:
        remaining = hours + (charged or ZERO)
        if remaining > 0:
            left.setdefault(employee_id, []).append((pk, remaining, until))
    accounts = accounts_of_employees(left)
    names = dict(Employee.objects.filter(pk__in=list(accounts)).values_list("pk", "name"))
    path = reverse("leave:mine")
    messages = []
    for employee_id, grants_left in left.items():
        if employee_id not in accounts:
            continue
        total = sum((hours for _pk, hours, _until in grants_left), ZERO)
        lines = "\n".join(
            _("・%(hours)s 小時，%(day)s 前須使用") % {"hours": number(hours), "day": to_roc_long(until)}
            for _pk, hours, until in grants_left
        )
        values = {
            "total": number(total),
            "first": to_roc_long(grants_left[0][2]),
            "lines": lines,
            "days": LAPSING_WITHIN_DAYS,
            "link": link(path),
        }
        title = _("補休 %(total)s 小時將於 %(days)d 日內失效（最早 %(first)s）") % values
        messages.append(
            Message(
                accounts[employee_id],
                "lapsing",
                fingerprint([(pk, str(hours), until.isoformat()) for pk, hours, until in grants_left]),
                SUBJECT + _("補休 %(total)s 小時即將失效") % values,
                "\n\n".join(
                    [
                        greeting(names.get(employee_id, "")),
                        _("您有補休 %(total)s 小時將於 %(days)d 日內失效：\n%(lines)s") % values,
                        _("逾期未使用即失效。請至下列網址申請補休：\n%(link)s") % values,
                    ]
                )
                + "\n",
                items=[(title, number(total), path)],
            )
        )
    return messages


# --- HR: what waits for them -----------------------------------------------------------------


def _find_hr(as_of: dt.date, user_ids=None) -> list[Message]:
    """Each HR officer with leave work waiting among the people they serve: approved applications
    to register, grants to review, heads' own applications to approve (six queries)."""
    served = servers_by_agency(Role.HR, user_ids)
    per_agency: dict[int, list[int]] = {}  # agency -> [to register, to review, heads' own]
    for agency_id in (
        Application.objects.filter(status=Application.Status.APPROVED)
        .values_list("employee__agency_id", flat=True)
        .order_by()
    ):
        per_agency.setdefault(agency_id, [0, 0, 0])[0] += 1
    for agency_id in (
        GrantReview.objects.filter(status=GrantReview.Status.OPEN)
        .values_list("grant__employee__agency_id", flat=True)
        .order_by()
    ):
        per_agency.setdefault(agency_id, [0, 0, 0])[1] += 1
    for agency_id in (
        Application.objects.filter(
            Q(employee__unit__heads__employee_id=F("employee_id")), status=Application.Status.SUBMITTED
        )
        .values_list("employee__agency_id", flat=True)
        .order_by()
    ):
        per_agency.setdefault(agency_id, [0, 0, 0])[2] += 1
    totals: dict[int, list[int]] = {}
    for agency_id, counts in per_agency.items():
        for user_id in served.get(agency_id, ()):
            mine = totals.setdefault(user_id, [0, 0, 0])
            for i in range(3):
                mine[i] += counts[i]
    pages = [
        (_("核章後待登記的補休申請 %(n)d 件"), reverse("leave:registrations")),
        (_("待複核的補休核給 %(n)d 件"), reverse("leave:reviews")),
        (
            _("單位主管本人的補休申請待人事核章 %(n)d 件"),
            reverse("admin:leave_application_changelist") + "?status__exact=submitted",
        ),
    ]
    messages = []
    for user_id, counts in totals.items():
        items = [(text % {"n": n}, n, path) for (text, path), n in zip(pages, counts) if n]
        lines = "\n".join(f"・{title}：{link(path)}" for title, _n, path in items)
        messages.append(
            Message(
                user_id,
                "waiting",
                fingerprint(counts),
                SUBJECT + _("補休待辦：%(what)s") % {"what": "、".join(title for title, _n, _p in items)},
                "\n\n".join(
                    [greeting(""), _("下列補休事項待您處理：\n%(lines)s") % {"lines": lines}],
                )
                + "\n",
                items=items,
            )
        )
    return messages


KINDS = [
    MessageKind("leave_lapsing", gettext_lazy("補休時數 30 日內即將失效"), EMPLOYEE, find=_find_lapsing),
    MessageKind(
        "leave_approved", gettext_lazy("補休申請經主管核章"), EMPLOYEE, mandatory=True, build=_employee_event("approve")
    ),
    MessageKind(
        "leave_returned",
        gettext_lazy("補休申請遭主管退回（附理由）"),
        EMPLOYEE,
        mandatory=True,
        build=_employee_event("return"),
    ),
    MessageKind(
        "leave_registered",
        gettext_lazy("補休申請經人事登記"),
        EMPLOYEE,
        mandatory=True,
        build=_employee_event("register"),
    ),
    MessageKind(
        "leave_waiting", gettext_lazy("補休申請待我核章"), SUPERVISOR, build=_build_waiting, find=_find_waiting
    ),
    MessageKind("leave_hr_waiting", gettext_lazy("補休待辦（待登記、待複核）"), HR, find=_find_hr),
]


def register() -> None:
    """Register the leave messages and tie the events to APPLICATION_MACHINE's transitions."""
    from portal.registry import register_message_kind, register_transition_notice

    for kind in KINDS:
        register_message_kind(kind)
    register_transition_notice("leave.application", "approve", "leave_approved")
    register_transition_notice("leave.application", "return", "leave_returned")
    register_transition_notice("leave.application", "register", "leave_registered")
