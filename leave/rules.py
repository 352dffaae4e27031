"""The ledger's side of compensatory leave (補休): what a grant run writes, given what is written.

Pure Python, no ORM. What a person is entitled to is decided by the leave kinds of the rules
module (`incentives.leave_rules`, through the registry `incentives.kinds`); this module caps
and de-duplicates against the ledger.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from incentives.leave_rules import LeaveGrant, cap_of, uncapped  # noqa: F401 (the ledger caps what the rules give)
from incentives.rules import number

# -- the ledger's side: what to write, given what is written ---------------------------------


@dataclass(frozen=True)
class HeldGrant:
    """A grant already in the ledger, as the grant run sees it."""

    entry_id: int
    key: str
    hours: Decimal  # net of what HR withdrew
    record_ids: frozenset[int]
    live: bool = True  # False once HR withdrew it
    reviewable: bool = True  # False while a review is open or after HR kept it


@dataclass(frozen=True)
class ReviewNeed:
    """A held grant resting on records that no longer qualify (withdrawn, no longer off duty, …)."""

    entry_id: int
    record_ids: tuple[int, ...]


def plan_grants(
    cap: Decimal | None, entitled: list[LeaveGrant], held: list[HeldGrant]
) -> tuple[list[LeaveGrant], list[ReviewNeed]]:
    """What one person's grant run writes under one rule: new grants and grants to review.

    `entitled` is every grant the uncapped rule gives today (`uncapped`); `held` what the
    ledger holds under the rule. A new grant never reuses a record (DOMAIN.md: one record is
    never counted towards two grants), nor a key a live grant holds, and the hours held plus
    the new never exceed `cap` (hours a year), whatever order the records came in.
    """
    qualifying = set().union(*(g.record_ids for g in entitled)) if entitled else set()
    reviews = [
        ReviewNeed(h.entry_id, tuple(sorted(h.record_ids - qualifying)))
        for h in held
        if h.live and h.reviewable and not h.record_ids <= qualifying
    ]
    taken = set().union(*(h.record_ids for h in held)) if held else set()
    live_keys = {h.key for h in held if h.live and h.key}
    total = sum((h.hours for h in held), Decimal(0))
    new = []
    for grant in sorted(entitled, key=lambda g: (g.earned_on, g.key, g.record_ids)):
        if grant.key and grant.key in live_keys:
            continue
        ids = tuple(sorted(set(grant.record_ids) - taken))
        if not ids:
            continue
        hours = grant.hours if cap is None else min(grant.hours, cap - total)
        if hours <= 0:
            break
        text = (
            grant.text
            if hours == grant.hours
            else f"{grant.text}（每年上限 {number(cap)} 小時，本次核給 {number(hours)} 小時）"
        )
        new.append(LeaveGrant(grant.rule, hours, grant.earned_on, grant.usable_until, ids, text[:300], grant.key))
        taken |= set(ids)
        if grant.key:
            live_keys.add(grant.key)
        total += hours
    return new, reviews


@dataclass(frozen=True)
class GrantFigures:
    """One grant as of a date, in hours: granted (net of a withdrawal), used, lapsed, remaining."""

    hours: Decimal
    used: Decimal
    lapsed: Decimal
    remaining: Decimal


def usable_on(earned_on: dt.date | None, usable_until: dt.date | None, day: dt.date) -> bool:
    """Whether a grant earned on `earned_on` and usable until `usable_until` (both Gregorian,
    None: open) can be used on `day`: from the day after the course was completed (DOMAIN.md
    Decision) to its last day, both included."""
    return (earned_on is None or earned_on < day) and (usable_until is None or day <= usable_until)


def grant_figures(
    hours: Decimal, withdrawn: Decimal, used: Decimal, usable_until: dt.date | None, as_of: dt.date
) -> GrantFigures:
    """A grant's figures as of a date, derived from its entries whether or not the lapse job ran.

    `used` counts the applications not cancelled or returned (CONTRACTS.md, `leave_ledger`);
    what is neither used nor withdrawn lapses once `usable_until` is before `as_of`.
    """
    net = hours - withdrawn
    left = net - used
    if usable_until is not None and usable_until < as_of:
        return GrantFigures(net, used, left, Decimal(0))
    return GrantFigures(net, used, Decimal(0), left)
