"""Recompute the stored course keys after the normalisation learned the whole family of
dashes, dots, tildes, brackets and quotes (issue 14, item 3).

`Course.name_key` and `LearningRecord.course_key` are derived from the names; both are
recomputed in chunks. Two courses whose names now read as the same on one platform become one
(their list and bundle entries move to the one kept), since a course key is unique per platform.
A record whose new key would repeat another record of the same person, day and provider is the
same learning exported twice under two spellings: it keeps its old key rather than break the
natural key, and the one already matching counts.
"""
from collections import defaultdict

from django.db import migrations

from courses.names import normalize_course_name

CHUNK = 2000


def recompute_courses(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    CourseListEntry = apps.get_model("courses", "CourseListEntry")
    BundleCourse = apps.get_model("courses", "BundleCourse")
    groups = defaultdict(list)
    for pk, name, key, platform in Course.objects.values_list("pk", "name", "name_key", "platform_id").iterator(chunk_size=CHUNK):
        groups[(normalize_course_name(name), platform)].append((pk, key))
    changed = []
    for (new_key, _platform), members in groups.items():
        # Keep the course already carrying the key, else the oldest.
        members.sort(key=lambda m: (m[1] != new_key, m[0]))
        kept, *others = members
        for model, owner in ((CourseListEntry, "course_list_id"), (BundleCourse, "bundle_id")):
            if not others:
                break
            taken = set(model.objects.filter(course_id=kept[0]).values_list(owner, flat=True))
            for entry in model.objects.filter(course_id__in=[o[0] for o in others]).order_by("pk"):
                if getattr(entry, owner) in taken:
                    entry.delete()
                else:
                    taken.add(getattr(entry, owner))
                    entry.course_id = kept[0]
                    entry.save(update_fields=["course"])
        if others:
            Course.objects.filter(pk__in=[o[0] for o in others]).delete()
        if kept[1] != new_key:
            changed.append(Course(pk=kept[0], name_key=new_key))
    Course.objects.bulk_update(changed, ["name_key"], batch_size=CHUNK)


def recompute_records(apps, schema_editor):
    LearningRecord = apps.get_model("courses", "LearningRecord")
    records = LearningRecord._base_manager  # withdrawn records too: their keys are read when they come back
    changed, claimed = [], set()
    rows = records.order_by("pk").values_list("pk", "employee_id", "course_name", "course_key", "completed_on", "provider")
    for pk, employee_id, name, key, completed_on, provider in rows.iterator(chunk_size=CHUNK):
        new_key = normalize_course_name(name)
        if new_key != key:
            changed.append((pk, (employee_id, new_key, completed_on, provider)))
    if not changed:
        return
    for start in range(0, len(changed), CHUNK):
        chunk = changed[start:start + CHUNK]
        employees = {natural[0] for _pk, natural in chunk}
        keys = {natural[1] for _pk, natural in chunk}
        existing = set(records.filter(employee_id__in=employees, course_key__in=keys)
                       .values_list("employee_id", "course_key", "completed_on", "provider"))
        updates = []
        for pk, natural in chunk:
            if natural in existing or natural in claimed:
                continue  # the same learning under another spelling already holds this key
            claimed.add(natural)
            updates.append(LearningRecord(pk=pk, course_key=natural[1]))
        records.bulk_update(updates, ["course_key"], batch_size=CHUNK)


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0005_withdrawn_records"),
    ]

    operations = [
        migrations.RunPython(recompute_courses, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(recompute_records, migrations.RunPython.noop, elidable=True),
    ]
