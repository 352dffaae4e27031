"""The leave ledger follows the imports: every applied import may change an entitlement."""
from django.db import transaction

# Every kind the leave rules read: records, attendance (off duty), the calendar (days off),
# course lists (policy courses, bundles), results and the roster (coverage, rank).
GRANT_AFTER = {"records", "attendance", "calendar", "course-list", "certificates", "team-ratings", "contest",
               "case-reports", "roster"}


def grant_after_import(sender, batch, **kwargs):
    """Queue the grant run once the import has committed (in-process without a broker)."""
    if batch.kind in GRANT_AFTER:
        from . import tasks

        transaction.on_commit(tasks.grant_leave_everywhere.delay)
