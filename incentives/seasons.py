"""Reading a plan's seasonal draws (Kaohsiung 103 四季悅讀): its seasons and each season's chances, set-based."""


def lottery_rule(plan) -> dict | None:
    """The plan's promotion with seasons (Kaohsiung 103 四季悅讀), or None."""
    return next(
        (
            r
            for r in plan.parameters.get("rules", [])
            if isinstance(r, dict) and r.get("kind") == "lottery" and r.get("seasons")
        ),
        None,
    )


def season_of(rule: dict, slug: str) -> dict | None:
    return next((s for s in rule.get("seasons", []) if s.get("slug") == slug), None)


def season_chances(plan, rule: dict, season: dict):
    """The season's chances, set-based: (Chance list, employee id of each chance line).

    Who may enter follows DOMAIN.md's Decision: the employees the plan covers. Each designated
    course (the season's list) first completed within the season's dates gives the rule's
    `chances_per_course` chances. Three queries whatever the number of people.
    """
    import datetime as dt

    from django.db.models import Min

    from courses.models import CourseListEntry, LearningRecord
    from portal import nationalid

    from .draws import person_of
    from .draws import season_chances as make_chances
    from .facts import covered_employees

    if not (season.get("starts_on") and season.get("ends_on")):
        return [], {}
    start, end = dt.date.fromisoformat(season["starts_on"]), dt.date.fromisoformat(season["ends_on"])
    names = dict(
        CourseListEntry.objects.filter(course_list__plan=plan, course_list__slug=season["list"]).values_list(
            "course__name_key", "course__name"
        )
    )
    people = {
        pk: (agency or "", name, nationalid.mask(national_id))
        for pk, agency, name, national_id in covered_employees(plan).values_list(
            "pk", "agency__name", "name", "national_id"
        )
    }
    completions, owners = [], []
    for employee_id, key, first in (
        LearningRecord.objects.filter(
            employee__in=list(people), course_key__in=list(names), completed_on__range=(start, end)
        )
        .values_list("employee_id", "course_key")
        .annotate(first=Min("completed_on"))
        .order_by("employee_id", "course_key")
    ):
        agency, name, masked = people[employee_id]
        completions.append((agency, name, masked, names[key], first))
        owners.append(employee_id)
    chances = make_chances(completions, rule.get("chances_per_course", 1))
    per_completion = rule.get("chances_per_course", 1)
    # Whose each person key is (agency, name, masked ID as the lines spell them).
    employee_of = {person_of(chance.line): owners[index // per_completion] for index, chance in enumerate(chances)}
    return chances, employee_of
