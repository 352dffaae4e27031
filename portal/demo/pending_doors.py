"""The demo's steps whose pages are being built now; every call of a service the demo makes
without a page is here, one function per step, until the page replaces it.

Each docstring names the page that will replace the call. Everything else the demo does
goes through a command or a page (`portal.demo.doors`). Where a door already exists for the
same step (the admin's 核定 action on decisions, its 入選 action on proposals), the demo uses
the door, not this module.
"""
import datetime as dt

from incentives import services as incentives
from incentives.models import Decision
from programs.models import Plan
from portal.models import Employee, User


def hr_saves_evaluation(hr: User, plan: Plan, as_of: dt.date) -> dict:
    """HR computes every covered employee's awards and keeps them as decisions (eligible).

    To be replaced by HR's decision desk (`/incentives/plan/<slug>/decisions/`, its 「儲存試算結果」 button)."""
    return incentives.save_evaluation(hr, plan, as_of)


def hr_rejects(hr: User, decision: Decision, reason: str) -> Decision:
    """HR sends a filed request back (不予核定) with the reason the coordinator reads.

    To be replaced by HR's decision desk (`/incentives/plan/<slug>/decisions/`, 退回 with a reason)."""
    return incentives.reject(hr, decision, reason)


def hr_withholds(hr: User, plan: Plan, employee: Employee, rule_code: str, reason: str) -> Decision:
    """HR withholds an award the data gives, with the reason kept (暫緩核定).

    To be replaced by HR's decision desk (`/incentives/plan/<slug>/decisions/`, 調整: withhold)."""
    return incentives.override(hr, plan, employee, rule_code, grant=False, reason=reason)


def hr_grants_award(hr: User, plan: Plan, employee: Employee, rule_code: str, award: str, count: int,
                    reason: str) -> Decision:
    """HR grants what the data cannot decide (a forum moderator's merit), with the reason kept.

    To be replaced by HR's decision desk (`/incentives/plan/<slug>/decisions/`, 調整: grant)."""
    return incentives.override(hr, plan, employee, rule_code, grant=True, award=award, count=count, reason=reason)


def hr_issues_order(hr: User, decisions: list[Decision], number: str, date: dt.date) -> list[Decision]:
    """HR issues one 獎懲令 for the approved decisions: its number and date go on each of them.

    To be replaced by HR's decision desk (`/incentives/plan/<slug>/decisions/`, 發布獎懲令 for the ticked ones)."""
    return [incentives.issue(hr, decision, number, date) for decision in decisions]
