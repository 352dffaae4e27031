"""Taiwanese national ID numbers (身分證字號, 統一證號): checksum, masking, redaction."""
import logging
import re
import unicodedata

LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18,
    "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27,
    "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
SHAPE = re.compile(r"^[A-Z](?:[1289]\d{8}|[A-D]\d{8})$")
NATIONAL_ID_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z](?:[1289]\d{8}|[A-D]\d{8})(?![A-Za-z0-9])")


class NationalIdError(ValueError):
    pass


def normalize(value) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip().upper()


def _digits(nid: str) -> list[int]:
    first = LETTER_CODES[nid[0]]
    if nid[1].isalpha():  # old resident format: the second letter counts as its code's last digit
        second = LETTER_CODES[nid[1]] % 10
    else:
        second = int(nid[1])
    return [first // 10, first % 10, second, *map(int, nid[2:])]


def is_valid(nid: str) -> bool:
    nid = normalize(nid)
    if not SHAPE.match(nid):
        return False
    return sum(d * w for d, w in zip(_digits(nid), WEIGHTS)) % 10 == 0


def validate(value) -> str:
    """The normalised ID, or NationalIdError; messages never repeat the ID."""
    nid = normalize(value)
    if not SHAPE.match(nid):
        raise NationalIdError("身分證字號格式錯誤")
    if not is_valid(nid):
        raise NationalIdError("身分證字號檢查碼錯誤")
    return nid


def mask(nid) -> str:
    if not nid:
        return ""
    nid = str(nid)
    return f"{nid[:3]}****{nid[-3:]}" if len(nid) == 10 else "*" * len(nid)


def make(prefix: str, serial: int) -> str:
    """A valid ID from a prefix ("A1", "H8", "AC") and a serial, for demo data and tests."""
    body = f"{prefix}{serial % 10**(9 - len(prefix)):0{9 - len(prefix)}d}"
    partial = sum(d * w for d, w in zip(_digits(body + "0"), WEIGHTS[:-1]))
    return body + str((10 - partial % 10) % 10)


def redact(text: str) -> str:
    return NATIONAL_ID_RE.sub(lambda m: mask(m.group(0)), text)


class MaskNationalIdFilter(logging.Filter):
    """Masks national IDs in every log line (DOMAIN.md: never in logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
