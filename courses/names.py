"""Course names as exports spell them, reduced to one matching key."""
import re
import unicodedata
from functools import lru_cache

DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
OPEN_BRACKETS = str.maketrans({"【": "[", "〔": "[", "〖": "[", "［": "[", "】": "]", "〕": "]", "〗": "]", "］": "]",
                               "（": "(", "）": ")"})


@lru_cache(maxsize=65536)  # an export names a few hundred courses, each thousands of times
def normalize_course_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    text = DASHES.sub("-", text).translate(OPEN_BRACKETS)
    text = "".join(text.split()).replace("台", "臺")
    return text.casefold()

