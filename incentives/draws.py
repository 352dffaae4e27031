"""The seasonal reading draws (四季悅讀, Kaohsiung 103 陸、七、（二）、1): chances and a reproducible draw.

Pure Python (standard library only), so anyone holding the published seed and the list of
chances can recompute the winners with the procedure the README prints, without the portal:

1. Each chance is one line of text: ``agency <TAB> name <TAB> masked national ID <TAB> course
   <TAB> completion date (YYYY-MM-DD) <TAB> chance number``. The first three fields name the
   person. The lines are sorted by Unicode code point.
2. The list's hash is SHA-256 of the sorted lines joined by ``\\n`` (UTF-8), in hex.
3. Each line's draw key is SHA-256 of ``seed + "\\n" + line`` (UTF-8), in hex. Lines are taken
   in ascending key order; a person already drawn is skipped when one win per person holds
   (`settings.DRAW_ONE_WIN_PER_PERSON`, on by default: 50 prizes for 50 people), until the
   prizes are given.

The seed is a value HR publishes before the season ends (a lottery result, a sentence): it is
fixed before anyone can see the chances it will meet, and the hash fixes the chances.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Chance:
    """One chance: a designated course a covered person completed in the season."""

    agency: str
    name: str
    masked_id: str
    course: str
    completed_on: dt.date
    number: int = 1  # the n-th chance of this course (a plan may give more than one a course)

    @property
    def line(self) -> str:
        return "\t".join(
            _clean(v)
            for v in (
                self.agency,
                self.name,
                self.masked_id,
                self.course,
                self.completed_on.isoformat(),
                str(self.number),
            )
        )


def _clean(value: str) -> str:
    """A field never holds the separators, so every line splits back into six fields."""
    return " ".join(str(value).replace("\t", " ").split())


def person_of(line: str) -> str:
    """The person a chance line belongs to: its first three fields."""
    return "\t".join(line.split("\t")[:3])


def chance_lines(chances: list[Chance]) -> list[str]:
    """The published list: one line per chance, sorted by code point."""
    return sorted(chance.line for chance in chances)


def chances_hash(lines: list[str]) -> str:
    """SHA-256 (hex) of the sorted lines joined by newlines, UTF-8."""
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def draw_key(seed: str, line: str) -> str:
    return hashlib.sha256(f"{seed}\n{line}".encode()).hexdigest()


def draw_winners(seed: str, lines: list[str], prizes: int, one_win_per_person: bool = True) -> list[str]:
    """The winning lines, in draw order: at most `prizes`, one per person when `one_win_per_person`.

    Raises ValueError for an empty seed: without a published seed the draw is not auditable.
    """
    if not seed:
        raise ValueError("a draw needs a published seed")
    winners, seen = [], set()
    for line in sorted(lines, key=lambda line: (draw_key(seed, line), line)):
        if len(winners) >= prizes:
            break
        person = person_of(line)
        if one_win_per_person and person in seen:
            continue
        winners.append(line)
        seen.add(person)
    return winners


def season_chances(completions: list[tuple[str, str, str, str, dt.date]], chances_per_course: int) -> list[Chance]:
    """Chances from each person's first completion of each designated course in the season.

    `completions`: (agency, name, masked ID, course name, first completion date) tuples; each
    gives `chances_per_course` chances (Kaohsiung: 完成1門獲得1次抽獎機會).
    """
    return [
        Chance(agency, name, masked, course, day, number)
        for agency, name, masked, course, day in completions
        for number in range(1, chances_per_course + 1)
    ]
