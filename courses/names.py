"""Course names as exports spell them, reduced to one matching key.

Names that a person reads as the same match (issue 14, item 3): each variant of a family maps
to one canonical character, and nothing but spaces is removed, so names that differ stay
different. The families:

- dashes and horizontal lines (every Unicode Pd, box-drawing horizontals, minus signs, and the
  katakana prolonged sound mark where it stands between non-kana as a dash) → ``-``;
- middle dots → ``·``; tildes and wave dashes → ``~``;
- square-like brackets → ``[ ]``, parentheses → ``( )``, single and double angle brackets →
  ``〈 〉`` and ``《 》``, double quotes (「」『』“”"") → ``"``, single quotes (‘’'') → ``'``;
- full- and half-width forms (NFKC), letter case, 台/臺;
- every kind of space, zero-width ones included, is removed.
"""

import re
import sys
import unicodedata
from functools import lru_cache

TILDES = "~\u02dc\u223c\u223d\u301c\u3030\uff5e\u2053"
# Every dash punctuation character (category Pd) but the wave dashes, which are tildes.
PD_DASHES = "".join(
    c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(c) == "Pd" and c not in TILDES
)
# Horizontal lines that exports use as dashes: box drawing, minus signs, the horizontal line extension.
LINES = (
    "\u2500\u2501\u2504\u2505\u2508\u2509\u254c\u254d\u2550\u2574\u2576\u2578\u257a\u257c\u257e"
    "\u2212\u2796\u23af\u23e4\ufe63\uff0d\u2043\u2014\u2015"
)
MIDDLE_DOTS = "\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\u16eb\u2e31"
PAIRS = {
    "[": "[【〔〖［〘〚⟦",
    "]": "]】〕〗］〙〛⟧",
    "(": "(（﹙⦅",
    ")": ")）﹚⦆",
    "〈": "〈<＜‹⟨〈",
    "〉": "〉>＞›⟩〉",
    "《": "《«",
    "》": "》»",
    '"': '"＂「」『』“”„‟〝〞〟﹁﹂﹃﹄',
    "'": "'＇‘’‚‛",
}
TABLE = str.maketrans(
    {
        **{c: "-" for c in PD_DASHES + LINES},
        **{c: "~" for c in TILDES},
        **{c: "·" for c in MIDDLE_DOTS},
        **{c: canonical for canonical, variants in PAIRS.items() for c in variants},
    }
)
# The prolonged sound mark lengthens the kana before it (データ); anywhere else it is a dash.
PROLONGED_AS_DASH = re.compile(r"(?<![\u3041-\u30fa\u30fc\u31f0-\u31ff])\u30fc")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@lru_cache(maxsize=65536)  # an export names a few hundred courses, each thousands of times
def normalize_course_name(name: str) -> str:
    # Before NFKC too: it spells some variants as a space and a combining mark (˜ → " ̃").
    text = unicodedata.normalize("NFKC", (name or "").translate(TABLE))
    text = "".join(INVISIBLE.sub("", text).split())
    text = PROLONGED_AS_DASH.sub("-", text)
    text = text.translate(TABLE).replace("台", "臺")
    return text.casefold()
