"""Figures that the security tests report at the end of the run (README, "Security").

pytest hides what a passing test prints, so tests put their figures here and the
`pytest_terminal_summary` hook in conftest.py prints them after the results, where a
person reading `make test` or CI output sees them.
"""

FIGURES: dict[str, str] = {}


def report(key: str, line: str) -> None:
    FIGURES[key] = line
