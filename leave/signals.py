"""The leave ledger follows the imports: every applied import may change an entitlement."""

from incentives.refresh import REFRESH_AFTER

# Every kind the leave rules read: the rules' inputs (records, attendance for off duty, the
# calendar, course lists, results, the roster), less forum tallies, which no leave rule counts.
GRANT_AFTER = REFRESH_AFTER - {"forum"}


def grant_after_import(sender, batch, **kwargs):
    """Queue the grant run (in-process without a broker).

    The signal comes after the import's own transaction has committed (`portal.services.run_import`
    runs in autocommit), so a worker sees the new rows.
    """
    if batch.kind in GRANT_AFTER:
        from . import tasks

        tasks.grant_leave_everywhere.delay()
