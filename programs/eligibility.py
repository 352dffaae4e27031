"""Who may attend a class and in what order: plain rules, no database.

Conditions come from the plan's data (fixtures/plans, `conditions:` of a class):
`requires_attended` (class slugs one must have attended), `requires_waived_for_roles`
(holders of one of these roles need not have attended them: RAD's APP class, 另資訊人員亦可報名參加),
`excludes_attended` (never attended any of these), `roles_any` (holds one of these roles).
Attendance is the nominating issuer's own classes only (DOMAIN.md Decision). Priority groups are
ordered; a candidate falls in the first group they belong to.
"""

from dataclasses import dataclass, field

ROLE_LABELS = {
    "yixing_participant": "熠星方案參與者",
    "basic_class_participant": "基礎班結訓者",
    "elearning_officer": "數位學習承辦人",
    "it_staff": "資訊人員",
}
# Groups that follow from attendance rather than from a role held.
GROUP_FROM_CLASS = {"basic_class_participant": "basic"}


@dataclass(frozen=True)
class Candidate:
    attended: frozenset[str] = field(default_factory=frozenset)  # class slugs
    roles: frozenset[str] = field(default_factory=frozenset)


def refusal_reasons(conditions: dict, candidate: Candidate, class_names: dict[str, str]) -> list[str]:
    """Every reason the candidate may not attend; empty when eligible."""
    reasons = []
    waived = set(conditions.get("requires_waived_for_roles") or []) & candidate.roles
    for slug in [] if waived else conditions.get("requires_attended") or []:
        if slug not in candidate.attended:
            reasons.append(f"須先參加「{class_names.get(slug, slug)}」")
    for slug in conditions.get("excludes_attended") or []:
        if slug in candidate.attended:
            reasons.append(f"曾參加「{class_names.get(slug, slug)}」，不符參加資格")
    roles = conditions.get("roles_any") or []
    if roles and not set(roles) & candidate.roles:
        reasons.append("須具備下列身分之一：" + "、".join(ROLE_LABELS.get(r, r) for r in roles))
    return reasons


def priority(groups: list[str], candidate: Candidate) -> tuple[int, str]:
    """(rank, label): rank 0 is the first priority group; no group ranks after all groups."""
    for rank, group in enumerate(groups):
        held = candidate.roles | {g for g, slug in GROUP_FROM_CLASS.items() if slug in candidate.attended}
        if group in held:
            return rank, ROLE_LABELS.get(group, group)
    return len(groups), ""


def reallocate(quotas: list[dict], max_extra: int) -> dict:
    """English camp: places governments leave unused go to those that asked for more.

    `quotas`: [{"id", "base", "used", "requested"}] in a fixed order (the order of the
    requests). Each government gets at most `max_extra` and at most what it asked for;
    places are handed out one at a time in turn, so the pool is shared fairly.
    Returns {id: extra granted}.
    """
    pool = sum(max(q["base"] - q["used"], 0) for q in quotas)
    wants = {q["id"]: min(q["requested"], max_extra) for q in quotas if q["requested"] > 0}
    granted = {q["id"]: 0 for q in quotas}
    while pool > 0 and any(granted[i] < w for i, w in wants.items()):
        for government, want in wants.items():
            if pool and granted[government] < want:
                granted[government] += 1
                pool -= 1
    return granted
