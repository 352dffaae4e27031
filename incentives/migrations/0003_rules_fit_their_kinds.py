"""Stored plans' rules in the shapes the rule registry's schemas read (incentives.kinds).

- A condition listed straight under a tier's `any_of` is wrapped in its own `all_of`
  (Taoyuan 98's unit rule was written both ways).
- `course_list_completion` (Hualien 106's buffet list) becomes a `threshold_tiers` rule on the
  number of listed courses completed (`list_courses`); its tiers' `min_courses` become that
  metric's `min`.
- A `lottery` rule's `draws` (season names) become `seasons`, each with its own course list
  (`seasonal-reading-spring` … `-winter`, CONTRACTS.md) and prizes; dates are HR's to set.
Idempotent; plans already in shape are left as they are.
"""
from django.db import migrations


def _tiers(tiers):
    shaped = []
    for tier in tiers or []:
        if not isinstance(tier, dict):
            continue
        tier = dict(tier)
        if "any_of" in tier:
            tier["any_of"] = [p if isinstance(p, dict) and "all_of" in p else {"all_of": [p]} for p in tier["any_of"]]
        elif "all_of" in tier:
            tier["any_of"] = [{"all_of": tier.pop("all_of")}]
        shaped.append(tier)
    return shaped


def _rule(rule):
    if not isinstance(rule, dict):
        return rule
    rule = dict(rule)
    if rule.get("kind") == "course_list_completion":
        rule["kind"] = "threshold_tiers"
        rule["tiers"] = [{"award": t["award"], "count": t["count"],
                          "any_of": [{"all_of": [{"metric": "list_courses", "min": t["min_courses"]}]}]}
                         for t in rule.get("tiers") or [] if isinstance(t, dict) and "min_courses" in t]
    elif rule.get("kind") in ("threshold_tiers", "unit_average"):
        rule["tiers"] = _tiers(rule.get("tiers"))
    elif rule.get("kind") == "lottery" and "draws" in rule:
        slugs = ["spring", "summer", "autumn", "winter"]
        rule["seasons"] = [{"slug": slugs[i] if i < 4 else f"season-{i + 1}", "name": name,
                            "list": f"seasonal-reading-{slugs[i]}" if i < 4 else rule.get("list", ""),
                            "prizes": rule.get("prizes", 50)} for i, name in enumerate(rule.pop("draws"))]
    return rule


SEASON_LISTS = [("seasonal-reading-spring", "春‧悅讀指定課程"), ("seasonal-reading-summer", "夏‧悅讀指定課程"),
                ("seasonal-reading-autumn", "秋‧悅讀指定課程"), ("seasonal-reading-winter", "冬‧悅讀指定課程")]


def forwards(apps, schema_editor):
    Plan = apps.get_model("programs", "Plan")
    for plan in Plan.objects.all():
        rules = (plan.parameters or {}).get("rules")
        if not isinstance(rules, list):
            continue
        shaped = [_rule(r) for r in rules]
        if any(isinstance(r, dict) and r.get("kind") == "lottery" for r in shaped):
            CourseList = apps.get_model("courses", "CourseList")
            for slug, name in SEASON_LISTS:
                CourseList.objects.get_or_create(plan=plan, slug=slug, defaults={"name": name})
        if shaped != rules:
            plan.parameters = {**plan.parameters, "rules": shaped}
            plan.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0002_decision_late_reason_decision_return_reason"),
        ("programs", "0003_class_history_per_issuer"),
        ("courses", "0006_recompute_course_keys"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
