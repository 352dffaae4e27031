"""Compensatory leave (補休) earned by off-duty learning: the leave kinds of the rules module, no ORM.

Facts in (each learning record with whether it was completed off duty and whether its
course is on the plan's list), grants out: hours, the records behind them, the day they
lapse, and a sentence saying why. The ledger (`leave`) builds on these; this module never
reads it.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .rules import BundleInfo, number, roc


class RecordFact(NamedTuple):
    """One learning record as a leave rule sees it. A named tuple, not a frozen dataclass: a
    whole plan's evaluation makes one per record of its leave courses (160,000 for Kaohsiung
    at 50,000 staff), and a frozen dataclass takes several times longer to build."""

    record_id: int
    course_key: str
    course_name: str
    hours: Decimal
    digital_hours: Decimal
    completed_on: dt.date
    off_duty: bool
    on_list: bool = False
    # Set on the one fact that sums a rule's other records in its window (no single course):
    # the records no grant can come from are read as a total, never one by one.
    summary_of: str = ""


@dataclass(frozen=True)
class LeaveGrant:
    rule: str
    hours: Decimal
    earned_on: dt.date
    usable_until: dt.date  # the last day the hours may be used
    record_ids: tuple[int, ...]
    text: str
    # What the grant is for within its rule: the policy course's key (Tainan) or the side
    # bundle's slug (Kaohsiung). The ledger keeps one live grant per key.
    key: str = ""


CAP_KEYS = ("cap_hours", "cap_hours_per_year")


def cap_of(rule: dict) -> Decimal | None:
    """The rule's yearly cap in hours (Tainan 101: 8 h; Kaohsiung 103: 12 h), or None."""
    for key in CAP_KEYS:
        if rule.get(key) is not None:
            return Decimal(str(rule[key]))
    return None


def uncapped(rule: dict) -> dict:
    """The rule without its cap: every entitlement the facts support, for the ledger to cap.

    The cap belongs to the ledger (DOMAIN.md Decision): what was granted before counts against
    it, whatever order the records came in.
    """
    return {**rule, **{key: 10**9 for key in CAP_KEYS if key in rule}}


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def usable_until(completed_on: dt.date, months: int, final_cutoff: dt.date | None) -> dt.date:
    """Usable within `months` months from the day after completion, and never after the cut-off."""
    last = add_months(completed_on, months)
    return min(last, final_cutoff) if final_cutoff else last


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def offduty_list_leave(rule: dict, records: list[RecordFact]) -> tuple[list[LeaveGrant], str]:
    """Tainan 101: off-duty courses on the policy list, once 5 digital and 40 total hours are reached."""
    start, end = _date(rule["window"]["start"]), _date(rule["window"]["end"])
    cutoff = _date(rule.get("final_cutoff"))
    in_window = [r for r in records if start <= r.completed_on <= end and r.summary_of in ("", rule["code"])]
    digital = sum((r.digital_hours for r in in_window), Decimal(0))
    total = sum((r.hours for r in in_window), Decimal(0))
    need_digital, need_total = Decimal(str(rule["min_digital_hours"])), Decimal(str(rule["min_total_hours"]))
    if digital < need_digital or total < need_total:
        missing = []
        if digital < need_digital:
            missing.append(f"數位學習再 {number(need_digital - digital)} 小時")
        if total < need_total:
            missing.append(f"總學習時數再 {number(need_total - total)} 小時")
        return [], "、".join(missing) + f"（{roc(end)} 前）可取得公餘學習補休資格"
    cap = Decimal(str(rule["cap_hours"]))
    grants, left = [], cap
    for record in sorted(
        (r for r in in_window if r.off_duty and r.on_list), key=lambda r: (r.completed_on, r.record_id)
    ):
        if left <= 0:
            break
        hours = min(record.hours, left)
        left -= hours
        until = usable_until(record.completed_on, rule.get("use_within_months", 6), cutoff)
        grants.append(
            LeaveGrant(
                rule["code"],
                hours,
                record.completed_on,
                until,
                (record.record_id,),
                f"公餘時間完成政策性課程「{record.course_name}」{number(hours)} 小時"
                f"（數位 {number(digital)} 小時、總時數 {number(total)} 小時已達標），"
                f"補休 {number(hours)} 小時，使用期限至 {roc(until)}",
                record.course_key,
            )
        )
    if not grants:
        return [], "尚無公餘時間完成之政策性課程"
    return grants, ""


def bundle_leave(
    rule: dict, records: list[RecordFact], bundles: list[BundleInfo], rank: str
) -> tuple[list[LeaveGrant], str]:
    """Kaohsiung 103: main + side completed off duty: 4/8/12 h, adding up to 12 h a year."""
    start, end = _date(rule["year_window"]["start"]), _date(rule["year_window"]["end"])
    main = next((b for b in bundles if b.kind == "main" and b.rank == rank), None)
    if main is None:
        return [], "無對應官等的主餐"
    # The earliest off-duty completion of each course in the year.
    done: dict[str, RecordFact] = {}
    off_duty = [r for r in records if r.off_duty and not r.summary_of and start <= r.completed_on <= end]
    # Every grant needs the whole main bundle off duty: most people stop at one of these two
    # checks (too few off-duty records to hold it; a main course missing), before the side
    # bundles are looked at.
    without_main = f"公餘時間完成{main.name}及任一副餐可申請補休"
    if len(off_duty) < len({c[0] for c in main.courses}):
        return [], without_main
    for r in sorted(off_duty, key=lambda r: (r.completed_on, r.record_id)):
        done.setdefault(r.course_key, r)
    if not all(c[0] in done for c in main.courses):
        return [], without_main
    by_slug = {b.slug: b for b in bundles}
    combos = []
    for grant in rule.get("grants", []):
        side = by_slug.get(grant["side"])
        courses = [c[0] for c in main.courses] + [c[0] for c in (side.courses if side else ())]
        if side and all(c in done for c in courses):
            last = max(done[c].completed_on for c in courses)
            combos.append((last, Decimal(str(grant["hours"])), side, courses))
    cap, used_records, grants, total = Decimal(str(rule["cap_hours_per_year"])), set(), [], Decimal(0)
    for last, hours, side, courses in sorted(combos, key=lambda c: (c[0], c[1])):
        hours = min(hours, cap - total)
        if hours <= 0:
            break
        ids = tuple(sorted({done[c].record_id for c in courses} - used_records))
        used_records |= set(ids)
        total += hours
        until = usable_until(last, rule.get("use_within_months", 6), None)
        grants.append(
            LeaveGrant(
                rule["code"],
                hours,
                last,
                until,
                ids,
                f"公餘時間完成{main.name}＋{side.name}（{roc(last)} 完成），補休 {number(hours)} 小時，"
                f"使用期限至 {roc(until)}",
                side.slug,
            )
        )
    if not grants:
        return [], without_main
    return grants, ""
