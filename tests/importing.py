"""Helpers for tests that run the import commands."""

import io
import os
from pathlib import Path

from django.core.management import call_command

SHARED = Path(os.environ.get("SHARED_DIR") or Path(__file__).resolve().parent / "data")


def run_command(command: str, tmp_path, data: bytes, name: str = "file.csv", *args):
    """Run an import command on `data`; returns (exit code, stdout, stderr)."""
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(command, *args, str(path), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def csv_bytes(header: str, *rows: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)
