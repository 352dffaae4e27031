"""Checks an app above `programs` adds to a plan before it is saved (loading, copying, the admin).

The rules module (`incentives`) registers its rule check in `AppConfig.ready()`, so `programs`
checks every rule against its kind's schema without importing the app that defines the kinds.
"""

from collections.abc import Callable

# Each check: (plan name, rules, course-list slugs, side-bundle slugs) -> list of Chinese messages.
RULE_CHECKS: list[Callable] = []


def register_rule_check(check: Callable) -> None:
    """Add a check run on a plan's rules before they are saved."""
    if check not in RULE_CHECKS:
        RULE_CHECKS.append(check)


def rule_problems(plan_name: str, rules, lists: set, sides: set) -> list[str]:
    """Every registered check's messages for the plan's rules (empty when they may be saved).

    `plan_name` names the plan in the messages (「hualien-106「花蓮縣政府…」」); `lists` and
    `sides` are the slugs of the plan's course lists and side bundles the rules may name.
    """
    return [message for check in RULE_CHECKS for message in check(plan_name, rules, lists, sides)]


# Rule kind code -> its Chinese name, filled by the app that defines the kinds.
KIND_TITLES: dict = {}


def kind_title(rule: dict) -> str:
    """A rule's kind as a person reads it (「門檻級距」), or its code when no app named it."""
    return str(KIND_TITLES.get(rule.get("kind"), rule.get("kind", "")))
