"""Issue 20: the streamed evaluation — chunks of employees, JSON written as it goes, the same
queries for every chunk whatever the number of employees, Celery chunks joined in order."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incentives import evaluation
from tests.test_evaluate import RULES, plan, populate  # noqa: F401  (the fixture)

AS_OF = dt.date(2014, 12, 31)


def chunk_queries(subject, size: int) -> tuple[int, list[int]]:
    """Evaluate `subject` streamed in chunks of `size`: (queries before the first chunk, queries per chunk)."""
    per_chunk, original = [], evaluation.evaluate

    def counted(*args, **kwargs):
        with CaptureQueriesContext(connection) as chunk:
            found = original(*args, **kwargs)
        per_chunk.append(len(chunk.captured_queries))
        return found

    evaluation.evaluate = counted
    try:
        with CaptureQueriesContext(connection) as everything:
            people = list(evaluation.evaluate_stream(subject, AS_OF, size))
    finally:
        evaluation.evaluate = original
    chunks = len(per_chunk)
    # Each chunk also runs the one query that picks it (chunk_roster), read before the chunk
    # before it is evaluated; the last one, empty, ends the stream.
    return len(everything.captured_queries) - sum(per_chunk) - chunks - 1, per_chunk, len(people)


def test_streamed_evaluation_queries_are_constant_per_chunk_whatever_the_employees(plan):  # noqa: F811
    populate(plan, 6)
    setup_small, small, people = chunk_queries(plan, 3)
    assert (people, len(small)) == (6, 2)  # two full chunks; the empty roster after them ends the stream
    populate(plan, 12, start=6)
    setup_large, large, people = chunk_queries(plan, 3)
    assert (people, len(large)) == (18, 6)
    assert setup_large == setup_small
    assert set(large) == set(small) and len(set(large)) == 1


def test_streamed_json_is_byte_identical_to_the_whole_document(plan):  # noqa: F811
    populate(plan, 7)
    whole = evaluation.evaluate(plan, AS_OF)
    expected = json.dumps(
        {
            "plan": plan.slug,
            "as_of": AS_OF.isoformat(),
            "warnings": evaluation.warnings(plan, AS_OF),
            "people": [r.as_json() for r in whole],
        },
        ensure_ascii=False,
        indent=2,
    )
    for extra in ([], ["--chunk-size", "2"], ["--chunk-size", "7"], ["--workers", "--chunk-size", "3"]):
        out = io.StringIO()
        call_command("evaluate", plan.slug, "--as-of", AS_OF.isoformat(), "--json", *extra, stdout=out)
        assert out.getvalue() == expected + "\n", extra
    assert [p["leave_hours"] for p in json.loads(expected)["people"]] == [8.0] * 7


def test_streamed_json_for_a_plan_covering_nobody_is_an_empty_list(plan):  # noqa: F811
    out = io.StringIO()
    call_command("evaluate", plan.slug, "--as-of", AS_OF.isoformat(), "--json", "--chunk-size", "2", stdout=out)
    assert json.loads(out.getvalue())["people"] == []
    assert '"people": []\n}\n' in out.getvalue()


def test_a_streamed_evaluation_gives_what_the_whole_one_gives(plan):  # noqa: F811
    populate(plan, 5)
    whole = [(r.national_id, r.award_counts, r.leave_hours) for r in evaluation.evaluate(plan, AS_OF)]
    streamed = [(r.national_id, r.award_counts, r.leave_hours) for r in evaluation.evaluate_stream(plan, AS_OF, 2)]
    assert streamed == whole
    assert len(whole) == 5


def test_an_entry_from_the_template_is_what_the_general_writer_gives():
    """`_entry` fills the usual entry from a template; any other shape goes through `_dumps`.
    Both give what json.dumps gives at the depth of "people"."""
    from incentives.management.commands.evaluate import _entry

    usual = {
        "national_id": "E100000001",
        "name": '王"小\\明\n',
        "agency": "高雄市政府",
        "awards": {"commendation": 1, "merit": 0, "major_merit": 2},
        "leave_hours": 4.5,
        "reasons": [
            {"rule": "bundle", "award": "commendation", "count": 1, "text": "於 103/08/31 前完成"},
            {"rule": "leave", "award": "leave", "count": 0, "hours": 4.0, "text": "補休"},
        ],
    }
    odd = [
        {**usual, "leave_hours": float("nan")},
        {**usual, "awards": {"commendation": True, "merit": 0, "major_merit": 0}},
        {**usual, "awards": {"merit": 1}},
        {key: usual[key] for key in ("name", "national_id")},
        {**usual, "reasons": []},
    ]
    for entry in [usual, *odd]:
        expected = json.dumps({"people": [entry]}, ensure_ascii=False, indent=2)
        assert '{\n  "people": [\n    ' + _entry(entry) + "\n  ]\n}" == expected


def test_an_evaluation_is_written_as_its_dict_would_be():
    """The command writes each `Evaluation` without its dict (`_evaluation_entry`): the same
    bytes as the dict's entry, awards and grants in order; an unusual value (no agency, a
    count that is a bool) takes the dict's path."""
    from decimal import Decimal

    from incentives.evaluation import Evaluation
    from incentives.leave_rules import LeaveGrant
    from incentives.management.commands.evaluate import _entry
    from incentives.rules import Award

    awards = [Award("bundle", "commendation", 1, '於 103/08/31 前完成"主餐"\n'), Award("hours", "merit", 2, "時數")]
    grants = [
        LeaveGrant("leave", Decimal("4"), AS_OF, AS_OF, (1, 2), "補休 4 小時", "side"),
        LeaveGrant("leave", Decimal("2.5"), AS_OF, AS_OF, (3,), "補休 2.5 小時", "side"),
    ]
    people = [
        Evaluation(1, "E100000001", "王小明", "高雄市政府", "人事處", awards, grants=grants),
        Evaluation(2, "E100000002", "李大同", "高雄市政府", "", []),
        Evaluation(3, "E100000003", "陳一", None, "", awards),
        Evaluation(4, "E100000004", "林二", "高雄市政府", "", [Award("x", "merit", True, "t")]),
    ]
    for person in people:
        expected = json.dumps({"people": [person.as_json()]}, ensure_ascii=False, indent=2)
        assert '{\n  "people": [\n    ' + _entry(person) + "\n  ]\n}" == expected
        assert _entry(person) == _entry(person.as_json())
