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


# -- the whole family, drawn (issue 14, item 3) ----------------------------------------------
import sys  # noqa: E402
import unicodedata  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from courses.names import LINES, MIDDLE_DOTS, PAIRS, TILDES  # noqa: E402

ALL_PD = [c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(c) == "Pd" and c not in TILDES]
DASH_VARIANTS = sorted(set(ALL_PD) | set(LINES) | {"-", "－", "−", "‒", "─", "━", "╴", "ー"})
DOT_VARIANTS = sorted(set(MIDDLE_DOTS) | {"・", "·", "‧", "•"})
TILDE_VARIANTS = sorted(set(TILDES) | {"~", "～", "〜", "∼"})
SPACES = [" ", "\u3000", "\t", "\u00a0", "\u2002", "\u2003", "\u2009", "\u202f", "\u200b", "\ufeff", ""]
FAMILIES = [("dash", DASH_VARIANTS), ("dot", DOT_VARIANTS), ("tilde", TILDE_VARIANTS)] + [
    (canonical, sorted(set(variants))) for canonical, variants in PAIRS.items()
]
WORDS = st.text(
    alphabet=st.sampled_from("金融消費者保護法速讀公務倫理資安案例分享數位學習abcXYZ019"), min_size=1, max_size=6
)


@st.composite
def spelled(draw):
    """A name made of words and family characters, spelled twice with independently drawn variants."""
    parts = draw(st.lists(st.tuples(WORDS, st.sampled_from(range(len(FAMILIES)))), min_size=1, max_size=4))
    tail = draw(WORDS)

    def spell():
        text = ""
        for word, family in parts:
            text += (
                word
                + draw(st.sampled_from(SPACES))
                + draw(st.sampled_from(FAMILIES[family][1]))
                + draw(st.sampled_from(SPACES))
            )
        return text + tail

    return spell(), spell(), parts, tail


@given(spelled())
def test_every_variant_of_a_family_matches(names):
    first, second, _parts, _tail = names
    assert normalize_course_name(first) == normalize_course_name(second), (first, second)


@given(spelled(), st.data())
def test_a_different_family_stays_different(names, data):
    """Nothing is removed: putting a character of another family in one place changes the key."""
    first, _second, parts, tail = names
    index = data.draw(st.sampled_from(range(len(parts))))
    other = data.draw(st.sampled_from([f for f in range(len(FAMILIES)) if f != parts[index][1]]))
    changed = (
        "".join(
            w + (data.draw(st.sampled_from(FAMILIES[other][1])) if i == index else FAMILIES[f][1][0])
            for i, (w, f) in enumerate(parts)
        )
        + tail
    )
    same = "".join(w + FAMILIES[f][1][0] for w, f in parts) + tail
    assert normalize_course_name(changed) != normalize_course_name(same)


def test_the_seed_box_drawing_dash_matches_a_hyphen_and_an_em_dash():
    seed = normalize_course_name("守護你的財富─金融消費者保護法速讀")
    assert seed == normalize_course_name("守護你的財富-金融消費者保護法速讀")
    assert seed == normalize_course_name("守護你的財富—金融消費者保護法速讀")
    assert seed == normalize_course_name("守護你的財富 － 金融消費者保護法速讀")


def test_prolonged_sound_mark_as_a_dash_but_not_in_katakana():
    assert normalize_course_name("財富ー金融") == normalize_course_name("財富-金融")
    assert normalize_course_name("コーヒー") != normalize_course_name("コ-ヒ-")


@pytest.mark.parametrize(
    "a, b",
    [
        ("春‧悅讀", "春・悅讀"),
        ("春•悅讀", "春·悅讀"),
        ("8~10 月", "8～10月"),
        ("8〜10月", "8∼10月"),
        ("「數位」學習", "“數位”學習"),
        ("『數位』學習", '"數位"學習'),
        ("‘數位’學習", "'數位'學習"),
    ],
)
def test_dots_tildes_and_quotes(a, b):
    assert normalize_course_name(a) == normalize_course_name(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("春·悅讀", "春-悅讀"),
        ("8~10月", "8-10月"),
        ("8-10月", "810月"),
        ('"數位"學習', "數位學習"),
        ("(數位)學習", "[數位]學習"),
        ("《數位》學習", "〈數位〉學習"),
    ],
)
def test_different_punctuation_stays_different(a, b):
    assert normalize_course_name(a) != normalize_course_name(b)


# -- the stored keys follow the normalisation (courses 0006) -----------------------------------
import datetime as dt  # noqa: E402
import importlib  # noqa: E402

from django.apps import apps as django_apps  # noqa: E402

from tests.factories import CourseFactory, EmployeeFactory, LearningRecordFactory  # noqa: E402

recompute = importlib.import_module("courses.migrations.0006_recompute_course_keys")


@pytest.mark.django_db
def test_migration_recomputes_course_and_record_keys_and_merges_courses_that_now_match():
    from courses.models import Course, CourseList, CourseListEntry
    from programs.loader import load_plans, plan_files

    (plan,) = load_plans([p for p in plan_files() if p.stem == "tainan-101"])
    course_list = CourseList.objects.filter(plan=plan).first()
    box = CourseFactory(name="守護你的財富─金融消費者保護法速讀", hours=2)
    hyphen = CourseFactory(name="守護你的財富-金融消費者保護法速讀 ", hours=2)
    Course.objects.filter(pk=box.pk).update(
        name_key="守護你的財富─金融消費者保護法速讀"
    )  # as the old function stored it
    Course.objects.filter(pk=hyphen.pk).update(name_key="守護你的財富-金融消費者保護法速讀x")
    CourseListEntry.objects.create(course_list=course_list, course=box, hours=2)
    employee = EmployeeFactory()
    old = LearningRecordFactory(
        employee=employee,
        course_name="守護你的財富─金融消費者保護法速讀",
        course_key="守護你的財富─金融消費者保護法速讀",
        hours=2,
        digital_hours=2,
        completed_on=dt.date(2012, 3, 4),
    )
    twice = LearningRecordFactory(
        employee=employee,
        course_name="守護你的財富—金融消費者保護法速讀",
        course_key="守護你的財富—金融消費者保護法速讀",
        hours=2,
        digital_hours=2,
        completed_on=dt.date(2012, 3, 4),
    )
    recompute.recompute_courses(django_apps, None)
    recompute.recompute_records(django_apps, None)
    key = normalize_course_name("守護你的財富─金融消費者保護法速讀")
    (kept,) = Course.objects.filter(name_key=key)
    assert CourseListEntry.objects.get(course_list=course_list).course == kept
    old.refresh_from_db()
    twice.refresh_from_db()
    # One learning exported twice under two spellings: one holds the new key, the natural key stays unique.
    assert sorted([old.course_key, twice.course_key]).count(key) == 1
