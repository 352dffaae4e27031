"""Signals the base sends for the apps built on it to act on (the base never names their code)."""

from django.dispatch import Signal

# Sent after an import batch has applied its rows and committed (not for dry runs).
# Arguments: batch (portal.models.ImportBatch).
import_applied = Signal()
