"""Taiwanese national ID numbers (身分證字號, 統一證號): checksum, masking, redaction.

These numbers are personal data (DOMAIN.md): error messages never repeat them, and the
logging filter below masks them wherever they appear in a log line.
"""

import logging
import re
import unicodedata

LETTER_CODES = {
    "A": 10,
    "B": 11,
    "C": 12,
    "D": 13,
    "E": 14,
    "F": 15,
    "G": 16,
    "H": 17,
    "I": 34,
    "J": 18,
    "K": 19,
    "L": 20,
    "M": 21,
    "N": 22,
    "O": 35,
    "P": 23,
    "Q": 24,
    "R": 25,
    "S": 26,
    "T": 27,
    "U": 28,
    "V": 29,
    "W": 32,
    "X": 30,
    "Y": 31,
    "Z": 33,
}
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
# 身分證字號 (sex digit 1/2), new 統一證號 (8/9), old 統一證號 (second letter A-D).
_BODY = r"[A-Z](?:[1289]|[A-D])[0-9]{8}"
SHAPE = re.compile(_BODY)
# IDs inside free text. Lookarounds instead of \b because CJK characters count as word
# characters: "學員A123456789重複" must still match. Case-insensitive and width-blind
# (Ａ１２… is the same ID once normalised) because raw input reaching a log or an error
# message may not be normalised yet.
_LETTER = "A-ZＡ-Ｚ"
_DIGIT = "0-9０-９"
_LOOSE_BODY = rf"[{_LETTER}](?:[1289１２８９]|[A-DＡ-Ｄ])[{_DIGIT}]{{8}}"
_EDGE = rf"A-Za-zＡ-Ｚａ-ｚ{_DIGIT}"
NATIONAL_ID_RE = re.compile(rf"(?<![{_EDGE}]){_LOOSE_BODY}(?![{_EDGE}])", re.IGNORECASE)


class NationalIdError(ValueError):
    """A malformed ID; the message never contains the ID itself."""


def normalize(value) -> str:
    """Full-width to half-width (NFKC), trimmed, upper-case."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().upper()


def _weighted_sum(nid: str) -> int:
    first = LETTER_CODES[nid[0]]
    # Old resident format: the second letter counts as the last digit of its own code (C=12 → 2).
    second = LETTER_CODES[nid[1]] % 10 if nid[1].isalpha() else int(nid[1])
    digits = (first // 10, first % 10, second, *map(int, nid[2:]))
    return sum(d * w for d, w in zip(digits, WEIGHTS))


def is_valid(nid: str) -> bool:
    nid = normalize(nid)
    return bool(SHAPE.fullmatch(nid)) and _weighted_sum(nid) % 10 == 0


def validate(value) -> str:
    """The normalised ID, or NationalIdError."""
    nid = normalize(value)
    if not SHAPE.fullmatch(nid):
        raise NationalIdError("身分證字號格式錯誤")
    if _weighted_sum(nid) % 10:
        raise NationalIdError("身分證字號檢查碼錯誤")
    return nid


def mask(nid) -> str:
    """`A12****789`; anything not ten characters long is masked entirely."""
    if not nid:
        return ""
    nid = str(nid).strip()
    return f"{nid[:3]}****{nid[-3:]}" if len(nid) == 10 else "*" * len(nid)


def make(prefix: str, serial: int) -> str:
    """A valid ID from a prefix ("A1", "H8", "AC") and a serial, for demo data and tests.

    make("A1", 2345678) is "A1" + "2345678" + the check digit. A serial too big for the
    digits left is an error rather than wrapping round, which would repeat IDs.
    """
    prefix = normalize(prefix)
    width = 9 - len(prefix)
    if width < 0 or not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit after prefix {prefix!r}")
    body = f"{prefix}{serial:0{width}d}"
    if not SHAPE.fullmatch(body + "0"):
        raise ValueError(f"prefix {prefix!r} cannot start a national ID")
    return body + str(-_weighted_sum(body + "0") % 10)


def redact(text: str) -> str:
    """`text` with every ID-shaped word masked, valid checksum or not (typos are personal data too)."""
    return NATIONAL_ID_RE.sub(lambda m: mask(m.group(0)), text)


class MaskNationalIdFilter(logging.Filter):
    """Masks national IDs in log records (DOMAIN.md: never in logs).

    Attach it to handlers: a logger's own filters do not see records from its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - any error here would escape into the caller's logging call
            # A broken format string or args: leave it for the handler to report (logging never raises).
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so render the traceback here to mask it too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
