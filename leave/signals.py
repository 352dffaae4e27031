"""The leave ledger follows the imports: every applied import may change an entitlement."""

# Every kind the leave rules read: records, attendance (off duty), the calendar (days off),
# course lists (policy courses, bundles), results and the roster (coverage, rank).
GRANT_AFTER = {
    "records",
    "attendance",
    "calendar",
    "course-list",
    "certificates",
    "team-ratings",
    "contest",
    "case-reports",
    "roster",
}


def grant_after_import(sender, batch, **kwargs):
    """Queue the grant run (in-process without a broker).

    The signal comes after the import's own transaction has committed (`portal.services.run_import`
    runs in autocommit), so a worker sees the new rows.
    """
    if batch.kind in GRANT_AFTER:
        from . import tasks

        tasks.grant_leave_everywhere.delay()
