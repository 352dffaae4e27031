"""Course names as exports spell them, reduced to one matching key."""
import re
import unicodedata

DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
OPEN_BRACKETS = str.maketrans({"【": "[", "〔": "[", "〖": "[", "［": "[", "】": "]", "〕": "]", "〗": "]", "］": "]",
                               "（": "(", "）": ")"})


def normalize_course_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    text = DASHES.sub("-", text).translate(OPEN_BRACKETS)
    text = "".join(text.split()).replace("台", "臺")
    return text.casefold()

