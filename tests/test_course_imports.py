import datetime as dt
from decimal import Decimal

import pytest

from courses.models import AttendancePeriod, CalendarDay, Course, CourseList, ForumTally, LearningRecord
from portal.models import ImportBatch, Role
from tests.factories import AgencyFactory, EmployeeFactory, PlanFactory, UserFactory
from tests.importing import SHARED, csv_bytes, run_command

RECORD_HEADER = (
    "身分證字號,姓名,課程名稱,學習起日,學習迄日,完成時間,學習時數,數位時數,學習性質,課程類別,開課機關,與業務相關"
)


@pytest.fixture
def people(db):
    return [
        EmployeeFactory(national_id="A123456789", name="王小明"),
        EmployeeFactory(national_id="F234567898", name="林美玲"),
    ]


def test_records_import_keeps_hours_times_and_names(people, tmp_path):
    data = csv_bytes(
        RECORD_HEADER,
        "A123456789,王小明,【守護正義的防線】霸凌不要來,1030801,1030815,21:30,2,,數位,性別主流類,e學中心,Y",
        "A123456789,王小明,資安案例分享—e-mail社交工程,103/08/02,103/08/16 12:45,,1.5,,1,資訊安全類,e學中心,N",
        "F234567898,林美玲,公務倫理,,２０１４/９/１,,3,1,混成,公務倫理類,,",
    )
    code, out, err = run_command("import_records", tmp_path, data)
    assert (code, err) == (0, "")
    assert out.strip() == "匯入完成：共 3 列，新增 3、更新 0、未變動 0。"
    first = LearningRecord.objects.get(employee=people[0], completed_on=dt.date(2014, 8, 15))
    assert (first.hours, first.digital_hours, first.completed_at, first.job_related) == (
        Decimal("2.00"),
        Decimal("2.00"),
        dt.time(21, 30),
        True,
    )
    second = LearningRecord.objects.get(completed_on=dt.date(2014, 8, 16))
    assert (second.completed_at, second.mode, second.digital_hours) == (dt.time(12, 45), "數位", Decimal("1.50"))
    third = LearningRecord.objects.get(employee=people[1])
    assert (third.hours, third.digital_hours, third.provider, third.started_on) == (
        Decimal("3.00"),
        Decimal("1.00"),
        "",
        None,
    )


def test_records_import_twice_or_overlapping_months_never_double_counts(people, tmp_path):
    august = [
        "A123456789,王小明,[守護正義的防線]霸凌不要來,,1030815,,2,,數位,,e學中心,",
        "A123456789,王小明,環境教育概論,,1030820,,3,,數位,,e學中心,",
    ]
    # September's export repeats the late-August course, spelt with other brackets and widths.
    september = [
        "A123456789,王小明,【守護正義的防線】 霸凌不要來,,103/08/15,,2,,數位,,e學中心,",
        "A123456789,王小明,心理健康,,1030905,,1,,數位,,e學中心,",
    ]
    run_command("import_records", tmp_path, csv_bytes(RECORD_HEADER, *august))
    code, out, _ = run_command("import_records", tmp_path, csv_bytes(RECORD_HEADER, *august))
    assert "新增 0、更新 0、未變動 2" in out
    code, out, _ = run_command("import_records", tmp_path, csv_bytes(RECORD_HEADER, *september))
    assert code == 0
    assert "新增 1、更新 1、未變動 0" in out  # the repeated course only takes the newer spelling
    assert LearningRecord.objects.count() == 3
    assert sum(r.hours for r in LearningRecord.objects.all()) == Decimal("6.00")


def test_records_import_rejects_every_problem_and_writes_nothing(people, tmp_path):
    data = csv_bytes(
        RECORD_HEADER,
        "A123456789,王小明,好課,,1030815,,2,,數位,,,",
        "B123456780,無此人,好課,,1030815,,2,,數位,,,",
        "A123456789,王小明,壞日期,,103/02/30,,2,,數位,,,",
        "A123456789,王小明,負時數,,1030815,,-1,,數位,,,",
        "A123456789,王小明,起迄顛倒,1030901,1030815,,1,,數位,,,",
        "A123456789,王小明,數位過多,,1030815,,1,2,數位,,,",
        "A123456789,王小明,壞時間,,1030815,25:61,1,,數位,,,",
    )
    code, _, err = run_command("import_records", tmp_path, data)
    assert code == 1
    assert err.strip().splitlines() == [
        "row 3, 身分證字號: 不在人員名冊中，請先匯入名冊",
        "row 4, 學習迄日: 日期不存在：「103/02/30」",
        "row 5, 學習時數: 不可小於 0",
        "row 6, 學習迄日: 學習迄日早於學習起日",
        "row 7, 數位時數: 數位時數大於學習時數",
        "row 8, 完成時間: 無法辨識的時間：「25:61」",
        "檔案有 6 個問題，未匯入任何資料。",
    ]
    assert LearningRecord.objects.count() == 0


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "records.csv", "檔案是空的。"),
        ("學員,課程\n王小明,好課\n".encode(), "records.csv", "row 1, 身分證字號: 缺少必要欄位"),
        (b"PK\x03\x04garbage", "records.xlsx", "檔案不是有效的 Excel 活頁簿（.xlsx）。"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "records.csv",
            "第 3 列含有空字元（NUL），檔案可能損毀或不是文字檔；請存成 UTF-8 CSV 或 Excel 活頁簿（.xlsx）後重新上傳。",
        ),
    ],
    ids=["empty", "wrong-header", "not-a-workbook", "binary"],
)
def test_records_import_rejects_unreadable_files(people, tmp_path, data, name, message):
    code, _, err = run_command("import_records", tmp_path, data, name)
    assert code == 1
    assert err.splitlines()[0] == message
    assert LearningRecord.objects.count() == 0
    assert ImportBatch.objects.get().status == "rejected"


FORUM_HEADER = "身分證字號,姓名,論壇名稱,統計起日,統計迄日,發表篇數,回應篇數,不計入篇數"


def test_forum_import_counts_posts_replies_and_exclusions(people, tmp_path):
    data = csv_bytes(
        FORUM_HEADER,
        "A123456789,王小明,臺南市公共論壇,1010101,1010831,120,98,5",
        "F234567898,林美玲,讀書會,101/01/01,101/08/31,3,4,",
    )
    code, out, _ = run_command("import_forum", tmp_path, data)
    assert code == 0
    tally = ForumTally.objects.get(employee=people[0])
    assert (tally.posts, tally.replies, tally.excluded, tally.counted) == (120, 98, 5, 213)
    assert ForumTally.objects.get(employee=people[1]).excluded == 0
    code, out, _ = run_command("import_forum", tmp_path, data)
    assert "未變動 2" in out


def test_forum_import_rejects_bad_rows(people, tmp_path):
    data = csv_bytes(
        FORUM_HEADER,
        "A123456789,王小明,論壇,1010101,1010831,3,2,6",
        "A123456789,王小明,論壇,1010901,1010831,3,2,0",
        "A123456789,王小明,論壇,1010101,1011231,三,2,0",
    )
    code, _, err = run_command("import_forum", tmp_path, data)
    assert code == 1
    assert err.strip().splitlines()[:-1] == [
        "row 2, 不計入篇數: 不計入篇數大於發表與回應篇數合計",
        "row 3, 統計迄日: 統計迄日早於統計起日",
        "row 4, 發表篇數: 「三」不是數字",
    ]
    assert ForumTally.objects.count() == 0


ATTENDANCE_HEADER = "身分證字號,假別,起始,迄止"


def test_attendance_import_reads_periods_and_whole_days(people, tmp_path):
    data = csv_bytes(
        ATTENDANCE_HEADER, "A123456789,休假,1030815,1030815", "A123456789,加班,103/08/16 09:00,103/08/16 12:00"
    )
    code, _, _ = run_command("import_attendance", tmp_path, data)
    assert code == 0
    vacation = AttendancePeriod.objects.get(kind="休假")
    assert (vacation.starts_at.isoformat(), vacation.ends_at.isoformat()) == (
        "2014-08-14T16:00:00+00:00",
        "2014-08-15T16:00:00+00:00",
    )  # the whole Taipei day
    overtime = AttendancePeriod.objects.get(kind="加班")
    assert overtime.ends_at - overtime.starts_at == dt.timedelta(hours=3)


def test_attendance_import_rejects_unknown_kind_and_reversed_periods(people, tmp_path):
    data = csv_bytes(
        ATTENDANCE_HEADER, "A123456789,放風假,1030815,1030815", "A123456789,出差,103/08/16 12:00,103/08/16 09:00"
    )
    code, _, err = run_command("import_attendance", tmp_path, data)
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("row 2, 假別: 「放風假」不是可接受的值（休假、補休、公假、加班、出差、病假、事假")
    assert lines[1] == "row 3, 迄止: 迄止時間不晚於起始時間"
    assert AttendancePeriod.objects.count() == 0


def test_calendar_import_rejects_values_other_than_0_and_2(db, tmp_path):
    data = "\ufeff西元日期,星期,是否放假,備註\n20300101,二,2,開國紀念日\n20300102,三,1,\n".encode()
    code, _, err = run_command("import_calendar", tmp_path, data)
    assert code == 1
    assert err.splitlines()[0] == "row 3, 是否放假: 「1」不是可接受的值（0、2）"
    assert CalendarDay.objects.filter(date__year=2030).count() == 0


def test_calendar_import_reads_the_real_dgpa_files(db, tmp_path):
    folder = SHARED / "data" / "tw-calendar" / "dgpa-csv"
    code, out, _ = run_command(
        "import_calendar", tmp_path, (folder / "2025_roc114_update-1141020_big5.csv").read_bytes()
    )
    assert code == 0
    assert "共 365 列" in out
    assert CalendarDay.objects.get(date=dt.date(2025, 9, 29)).is_day_off is True
    assert CalendarDay.objects.get(date=dt.date(2025, 5, 1)).is_day_off is False


def test_course_list_import_fills_the_list_and_follows_the_file(db, tmp_path):
    plan = PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101, title="數位學習")
    CourseList.objects.create(plan=plan, slug="policy-courses", name="政策性課程")
    header = "課程名稱,認證時數,平臺,課程類別"
    code, out, _ = run_command(
        "import_course_list",
        tmp_path,
        csv_bytes(header, "國土計畫概論,2,e學中心,", "性別主流化,1.5,,性別主流類"),
        "list.csv",
        "tainan-101",
        "policy-courses",
    )
    assert (code, out.strip()) == (0, "匯入完成：共 2 列，新增 2、更新 0、未變動 0。")
    code, out, _ = run_command(
        "import_course_list",
        tmp_path,
        csv_bytes(header, "國土計畫概論,2,e學中心,"),
        "list.csv",
        "tainan-101",
        "policy-courses",
    )
    entries = CourseList.objects.get(slug="policy-courses").entries.select_related("course")
    assert [(e.course.name, e.hours) for e in entries] == [("國土計畫概論", Decimal("2.00"))]
    assert Course.objects.count() == 2  # courses stay in the catalogue; only the list shrank


def test_shipped_calendars_are_loaded_on_migrate(db):
    years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")})
    assert years == list(range(2013, 2027))
    assert CalendarDay.objects.get(date=dt.date(2014, 12, 27)).is_day_off is False  # make-up Saturday
    assert CalendarDay.objects.get(date=dt.date(2014, 5, 1)).is_day_off is False  # Labour Day before 2026
    assert CalendarDay.objects.get(date=dt.date(2026, 5, 1)).is_day_off is True
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 24)).is_day_off is True  # the revised 2025 file


def test_records_import_warns_of_every_id_paired_with_another_name_and_still_applies(people, tmp_path, client):
    data = csv_bytes(
        RECORD_HEADER,
        "A123456789,王小明,公務倫理,,1030815,,2,,數位,,,",
        "A123456789,林美玲,性別主流化概論,,1030816,,1,,數位,,,",  # A12…'s ID with another person's name
        "F234567898,林 美玲,公務倫理,,1030815,,2,,數位,,,",  # a space is not another name
        "F234567898,王大明,資安概論,,1030817,,1,,數位,,,",
    )
    code, out, err = run_command("import_records", tmp_path, data)
    assert code == 0
    assert out.strip() == "匯入完成：共 4 列，新增 4、更新 0、未變動 0。"
    assert err.splitlines() == [
        "警告：第 3 列的姓名「林美玲」與名冊中 A12****789 的姓名「王小明」不符，仍已依身分證字號匯入；請確認。",
        "警告：第 5 列的姓名「王大明」與名冊中 F23****898 的姓名「林美玲」不符，仍已依身分證字號匯入；請確認。",
    ]
    assert "A123456789" not in err and "F234567898" not in err
    assert LearningRecord.objects.count() == 4
    batch = ImportBatch.objects.get()
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    html = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "姓名與名冊不符：2 列" in html
    assert '<tr><td class="num">3</td><td>林美玲</td><td>王小明</td><td class="mono">A12****789</td></tr>' in html
    assert "A123456789" not in html
