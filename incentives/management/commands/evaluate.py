import datetime as dt
import json
import math

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incentives.evaluation import (
    Evaluation,
    check_plan_rules,
    chunk_starts,
    default_as_of,
    evaluate_stream,
    shared_json,
    stream_context,
    warnings,
)
from incentives.facts import covered_employees
from incentives.kinds import RuleParameterError
from incentives.rules import AWARD_LABEL, award_counts
from portal.rocdate import to_roc_short
from programs.models import Plan


def _float(value: float) -> str:
    return float.__repr__(value) if math.isfinite(value) else json.dumps(value)


_STRING = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
# How json.dumps writes a scalar, by exact type (a subclass takes the general path below).
_SCALARS = {
    str: _STRING,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def _dumps(value, indent: str = "") -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` for dicts, lists and scalars, nested at
    `indent`: the same bytes, several times faster (the standard encoder leaves its C
    accelerator aside whenever it indents). Scalars inside a dict or list are written
    in place, without a call of their own: an entry is mostly scalars."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        return scalar(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = []
        for k, v in value.items():
            scalar = _SCALARS.get(type(v))
            items.append(f"{inner}{_STRING(str(k))}: {scalar(v) if scalar is not None else _dumps(v, inner)}")
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _dumps(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, str):
        return _STRING(value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


# An entry as `Evaluation.as_json` shapes it (CONTRACTS.md), laid out as `_dumps` would at the
# depth of "people": filled with one format per person instead of a call per key.
_ENTRY_KEYS = ("national_id", "name", "agency", "awards", "leave_hours", "reasons")
_AWARD_KEYS = ("commendation", "merit", "major_merit")
_ENTRY = (
    '{\n      "national_id": %s,\n      "name": %s,\n      "agency": %s,\n      "awards": {\n'
    '        "commendation": %s,\n        "merit": %s,\n        "major_merit": %s\n      },\n'
    '      "leave_hours": %s,\n      "reasons": %s\n    }'
)


_AWARD_REASON = (
    '        {\n          "rule": %s,\n          "award": %s,\n          "count": %s,\n          "text": %s\n        }'
)
_LEAVE_REASON = (
    '        {\n          "rule": %s,\n          "award": "leave",\n          "count": 0,\n'
    '          "hours": %s,\n          "text": %s\n        }'
)


def _evaluation_entry(person: Evaluation) -> str:
    """`_entry(person.as_json())` written straight from the evaluation, without building its
    dict (a fifth of the time a whole plan's JSON took): the same bytes, the dict's path
    taken for any value of an unusual type."""
    counts = award_counts(person.awards)
    hours = float(person.leave_hours)
    texts = (person.national_id, person.name, person.agency)
    reasons = [(a.rule, a.award, a.count, a.text) for a in person.awards]
    leave = [(g.rule, float(g.hours), g.text) for g in person.grants]
    if not (
        all(type(t) is str for t in texts)
        and math.isfinite(hours)
        and all(type(r) is str and type(a) is str and type(n) is int and type(t) is str for r, a, n, t in reasons)
        and all(type(r) is str and math.isfinite(h) and type(t) is str for r, h, t in leave)
    ):
        return _entry(person.as_json())
    items = [_AWARD_REASON % (_STRING(r), _STRING(a), int.__repr__(n), _STRING(t)) for r, a, n, t in reasons]
    items += [_LEAVE_REASON % (_STRING(r), float.__repr__(h), _STRING(t)) for r, h, t in leave]
    return _ENTRY % (
        *(_STRING(t) for t in texts),
        counts["commendation"],
        counts["merit"],
        counts["major_merit"],
        float.__repr__(hours),
        "[\n" + ",\n".join(items) + "\n      ]" if items else "[]",
    )


def _entry(person) -> str:
    """`_dumps(person, "    ")` for one person's entry: the template when the entry has the
    contract's keys in order and the usual types (every entry `evaluate` makes), else `_dumps`.
    An `Evaluation` is written without its dict (`_evaluation_entry`)."""
    if type(person) is Evaluation:
        return _evaluation_entry(person)
    if type(person) is not dict or tuple(person) != _ENTRY_KEYS:
        return _dumps(person, "    ")
    awards, hours = person["awards"], person["leave_hours"]
    if type(awards) is not dict or tuple(awards) != _AWARD_KEYS:
        return _dumps(person, "    ")
    counts = (awards["commendation"], awards["merit"], awards["major_merit"])
    texts = (person["national_id"], person["name"], person["agency"])
    if not (
        all(type(t) is str for t in texts)
        and type(hours) is float
        and math.isfinite(hours)
        and all(type(n) is int for n in counts)
    ):
        return _dumps(person, "    ")
    reasons = person["reasons"]
    return _ENTRY % (
        *(_STRING(t) for t in texts),
        *counts,
        float.__repr__(hours),
        _dumps(reasons, "      ") if reasons else "[]",
    )


# Entries written at a time: one write per few hundred people, still a bounded buffer.
WRITE_BATCH = 500


def write_json(write, head: dict, people) -> None:
    """Write `evaluate --json` (CONTRACTS.md) as it goes: `head` (plan, as_of, warnings), then
    each person's entry from the iterable `people` as it comes.

    Byte for byte what `json.dumps({**head, "people": [...]}, ensure_ascii=False, indent=2)`
    gives, without holding the list: each entry is dumped alone (`_dumps`) at its depth.
    """
    skeleton = json.dumps({**head, "people": []}, ensure_ascii=False, indent=2)
    tail = "[]\n}"
    write(skeleton[: -len(tail)])
    first, batch = True, []
    for person in people:
        batch.append(("[\n    " if first else ",\n    ") + _entry(person))
        first = False
        if len(batch) == WRITE_BATCH:
            write("".join(batch))
            batch.clear()
    write("".join(batch) + (tail if first else "\n  ]\n}"))


class Command(BaseCommand):
    help = "計算計畫涵蓋之每位人員的獎勵與補休（--json 輸出 CONTRACTS.md 格式）"

    def add_arguments(self, parser):
        parser.add_argument("plan", metavar="PLAN")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--workers",
            action="store_true",
            help="每批人員交由 Celery 工作程序計算（可分散於多部機器），結果依序合併",
        )
        parser.add_argument("--chunk-size", type=int, metavar="N", help="每批人數（預設 EVALUATION_CHUNK_SIZE）")

    def handle(self, *args, **options):
        plan = Plan.objects.filter(slug=options["plan"]).first()
        if plan is None:
            raise CommandError(f"找不到計畫：{options['plan']}（請先執行 load_plans）", returncode=2)
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of(plan)
        except ValueError:
            raise CommandError("--as-of 須為 YYYY-MM-DD", returncode=2) from None
        size = options["chunk_size"] or settings.EVALUATION_CHUNK_SIZE
        if size < 1:
            raise CommandError("--chunk-size 須為正整數", returncode=2)
        try:
            check_plan_rules(plan)
        except RuleParameterError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(f"計畫 {plan.slug} 的規則參數有 {len(error.messages)} 處錯誤，無法計算。") from error
        if options["json"]:
            people = (
                self._through_workers(plan, as_of, size) if options["workers"] else evaluate_stream(plan, as_of, size)
            )
            head = {"plan": plan.slug, "as_of": as_of.isoformat(), "warnings": warnings(plan, as_of)}
            write_json(lambda text: self.stdout.write(text, ending=""), head, people)
            self.stdout.write("")
            return
        self.stdout.write(f"{plan.title}（計算至 {to_roc_short(as_of)}，{covered_employees(plan).count()} 人）")
        for warning in warnings(plan, as_of):
            self.stdout.write(f"注意：{warning}")
        header = f"{'身分證字號':<10} {'姓名':<6} {'機關':<16} {'嘉獎':>4} {'記功':>4} {'記大功':>4} {'補休(時)':>8}"
        self.stdout.write(header)
        for r in evaluate_stream(plan, as_of, size):
            counts = r.award_counts
            if not any(counts.values()) and not r.leave_hours:
                continue
            self.stdout.write(
                f"{r.national_id:<10} {r.name:<6} {r.agency:<16} {counts['commendation']:>4} "
                f"{counts['merit']:>4} {counts['major_merit']:>4} {float(r.leave_hours):>8g}"
            )
            for award in r.awards:
                self.stdout.write(f"    {AWARD_LABEL[award.award]}：{award.text}")
            for grant in r.grants:
                self.stdout.write(f"    補休：{grant.text}")

    def _through_workers(self, plan, as_of, size):
        """Each chunk a Celery task (a group: the workers take them as they free up); the
        results are read back in chunk order, so the JSON is the same as in one process."""
        from celery import group

        from incentives.tasks import evaluate_chunk

        shared = shared_json(stream_context(plan, as_of))
        jobs = group(
            evaluate_chunk.s(plan.pk, as_of.isoformat(), after, size, shared) for after in chunk_starts(plan, size)
        ).apply_async()
        for result in jobs.results:
            yield from result.get(disable_sync_subtasks=False)
            result.forget()
