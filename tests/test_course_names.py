"""Course and agency names as the various exports spell them, reduced to one matching key."""
import pytest

from courses.names import normalize_course_name

SAME_COURSE = [
    ("square vs lenticular brackets", "[守護正義的防線]霸凌不要來", "【守護正義的防線】霸凌不要來"),
    ("tortoise-shell brackets", "〔守護正義的防線〕霸凌不要來", "[守護正義的防線]霸凌不要來"),
    ("white lenticular brackets", "〖守護正義的防線〗霸凌不要來", "[守護正義的防線]霸凌不要來"),
    ("full-width square brackets", "［守護正義的防線］霸凌不要來", "[守護正義的防線]霸凌不要來"),
    ("hyphen vs em dash", "資安案例分享-e-mail社交工程", "資安案例分享—e-mail社交工程"),
    ("full-width hyphen, spaces, capitals", "資安案例分享-e-mail社交工程", "資安案例分享 － E-mail 社交工程"),
    ("en dash", "資安案例分享–e-mail社交工程", "資安案例分享-e-mail社交工程"),
    ("figure dash", "資安案例分享‒e-mail社交工程", "資安案例分享-e-mail社交工程"),
    ("horizontal bar", "資安案例分享―e-mail社交工程", "資安案例分享-e-mail社交工程"),
    ("unicode hyphen", "資安案例分享‐e-mail社交工程", "資安案例分享-e-mail社交工程"),
    ("non-breaking hyphen", "資安案例分享‑e‑mail社交工程", "資安案例分享-e-mail社交工程"),
    ("minus sign", "資安案例分享−e−mail社交工程", "資安案例分享-e-mail社交工程"),
    ("small hyphen-minus", "資安案例分享﹣e-mail社交工程", "資安案例分享-e-mail社交工程"),
    ("full-width parentheses", "性別主流化（進階）", "性別主流化(進階)"),
    ("ideographic space", "公務倫理　與　廉政", "公務倫理與廉政"),
    ("tabs and newlines", "公務倫理\t與\n廉政 ", "公務倫理與廉政"),
    ("full-width Latin letters and digits", "ＡＩ入門１０１", "ai入門101"),
    ("台 and 臺", "台灣史概論", "臺灣史概論"),
    ("ellipsis as NFKC spells it", "從零開始…", "從零開始..."),
]


@pytest.mark.parametrize("a, b", [(a, b) for _id, a, b in SAME_COURSE], ids=[c[0] for c in SAME_COURSE])
def test_spellings_of_one_course_match(a, b):
    assert normalize_course_name(a) == normalize_course_name(b)


def test_key_of_the_examples():
    assert normalize_course_name("【守護正義的防線】霸凌不要來") == "[守護正義的防線]霸凌不要來"
    assert normalize_course_name("資安案例分享 － E-mail 社交工程") == "資安案例分享-e-mail社交工程"


DIFFERENT_COURSES = [
    ("katakana long vowel is not a dash", "データ分析", "デ-タ分析"),
    ("corner brackets are not square brackets", "「守護正義的防線」霸凌不要來", "[守護正義的防線]霸凌不要來"),
    ("parentheses are not brackets", "(進階)性別主流化", "[進階]性別主流化"),
    ("different words", "公務倫理", "行政倫理"),
]


@pytest.mark.parametrize("a, b", [(a, b) for _id, a, b in DIFFERENT_COURSES], ids=[c[0] for c in DIFFERENT_COURSES])
def test_different_names_stay_different(a, b):
    assert normalize_course_name(a) != normalize_course_name(b)


def test_katakana_long_vowel_is_kept():
    assert normalize_course_name("データ") == "データ"
    assert normalize_course_name("ﾃﾞｰﾀ") == "データ"  # half-width katakana: NFKC only


def test_empty_name():
    assert normalize_course_name("") == ""
    assert normalize_course_name("　 ") == ""
