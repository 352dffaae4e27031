"""The staff page's default order (issue 20): an agency's people by name in Chinese stroke order.

On PostgreSQL with the ICU collation, an index on (agency, name in that collation), so the first
page of a 50,000-person agency is an index scan with LIMIT instead of a sort of everyone
(`incentives.queries.standing_queryset` orders by `Collate("name", STROKE_COLLATION)`, which is
the expression indexed). SQLite, and a PostgreSQL without ICU, order by the plain name and get no
index here: a Django `Index` would have to name a collation those databases do not have.
"""

from django.db import migrations

INDEX = "portal_employee_agency_stroke_name"
COLLATION = "zh-Hant-TW-x-icu"  # incentives.summaries.STROKE_COLLATION, as of this migration


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [COLLATION])
        if cursor.fetchone() is None:
            return
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON portal_employee (agency_id, (name COLLATE "{COLLATION}"))'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0006_standing_counts"),
        ("portal", "0005_notices"),
    ]

    operations = [migrations.RunPython(create, drop)]
