"""Warnings of an applied import: rows whose 姓名 is not the roster's name for their 身分證字號
(an ID typed against another person's name). The rows were imported; HR is asked to check them.
National IDs are shown masked, as everywhere outside HR's own screens."""

from django.utils.translation import gettext as _

from portal import nationalid
from portal.models import Employee, ImportBatch


def name_mismatches(batch: ImportBatch, shown=nationalid.mask) -> list[dict]:
    """The rows of an import whose 姓名 is not the roster's name for their 身分證字號 (warnings: the
    rows were imported), each with the row, the file's name, the roster's name and the national ID
    as `shown` gives it (masked by default). One query."""
    entries = (batch.report or {}).get("name_mismatches", [])
    people = {
        p.pk: p
        for p in Employee.objects.filter(pk__in={e["key"]["employee_id"] for e in entries}).only("name", "national_id")
    }
    return [
        {
            "row": e["row"],
            "name": e["name"],
            "roster_name": people[e["key"]["employee_id"]].name,
            "national_id": shown(people[e["key"]["employee_id"]].national_id),
        }
        for e in entries
        if e["key"]["employee_id"] in people
    ]


def name_mismatch_lines(batch: ImportBatch) -> list[str]:
    """`name_mismatches` as sentences for the import commands, national IDs masked."""
    return [
        _(
            "警告：第 %(row)d 列的姓名「%(name)s」與名冊中 %(id)s 的姓名「%(roster)s」不符，仍已依身分證字號匯入；請確認。"
        )
        % {"row": m["row"], "name": m["name"], "id": m["national_id"], "roster": m["roster_name"]}
        for m in name_mismatches(batch)
    ]
