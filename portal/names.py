import unicodedata


def name_key(name: str) -> str:
    """Matching key for agency and unit names: NFKC, no spaces, 台 read as 臺.

    CONTRACTS.md: agency names match with 台 and 臺 treated alike.
    """
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.split()).replace("台", "臺")
