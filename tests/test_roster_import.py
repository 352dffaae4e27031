import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from incentives.models import Decision, RuleVersion
from leave.models import Entry
from portal import nationalid
from portal.models import Agency, Employee, ImportBatch, Unit
from portal.services import run_import, submit_import
from tests.factories import DecisionFactory, EntryFactory, PlanFactory

HEADER = "身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別,輪班,推動角色,電子郵件"
ROWS = [
    "A123456789,王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,N,,ming@example.tw",
    "F234567898,林美玲,臺南市政府人事處,臺南市政府,考訓科,科長,薦任,編制內,否,單位主管,",
    "H800123457,陳大文,台南市政府教育局,台南市政府,資訊教育科,約僱人員,相當委任,約僱,Y,,",
]


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def run(tmp_path, data: bytes, name="roster.csv", *args):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_roster", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_roster_import_creates_agencies_units_and_employees(tmp_path):
    code, out, err = run(tmp_path, csv_bytes(*ROWS))
    assert (code, err) == (0, "")
    assert "新增 3、更新 0、未變動 0" in out
    government = Agency.objects.get(name="臺南市政府")
    assert government.parent is None and government.level == 0
    # 台 and 臺 name the same agency.
    assert Agency.objects.count() == 3
    education = Agency.objects.get(name="台南市政府教育局")
    assert (education.parent, education.government, education.level) == (government, government, 1)
    assert sorted(Unit.objects.values_list("name", flat=True)) == ["考訓科", "資訊教育科"]
    chen = Employee.objects.get(national_id="H800123457")
    assert (chen.name, chen.rank, chen.rank_equivalent, chen.employment_type, chen.works_shifts) == (
        "陳大文",
        "委任",
        True,
        "約僱",
        True,
    )
    assert chen.rank_display == "相當委任"
    lin = Employee.objects.get(national_id="F234567898")
    assert (lin.unit.name, lin.unit_role, lin.works_shifts) == ("考訓科", "單位主管", False)
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.total_rows, batch.created_count) == ("roster", "applied", 3, 3)


@pytest.mark.django_db
def test_roster_import_twice_changes_nothing(tmp_path):
    run(tmp_path, csv_bytes(*ROWS))
    before = list(Employee.objects.order_by("national_id").values())
    code, out, _ = run(tmp_path, csv_bytes(*ROWS))
    assert code == 0
    assert "新增 0、更新 0、未變動 3" in out
    assert list(Employee.objects.order_by("national_id").values()) == before
    assert (Agency.objects.count(), Unit.objects.count()) == (3, 2)


@pytest.mark.django_db
def test_roster_import_updates_changed_rows_only(tmp_path):
    run(tmp_path, csv_bytes(*ROWS))
    changed = ROWS[0].replace("科員", "專員")
    code, out, _ = run(tmp_path, csv_bytes(changed, *ROWS[1:]))
    assert code == 0
    assert "新增 0、更新 1、未變動 2" in out
    assert Employee.objects.get(national_id="A123456789").title == "專員"


@pytest.mark.django_db
def test_roster_import_bad_file_lists_every_problem_and_writes_nothing(tmp_path):
    rows = [
        ROWS[0],
        "A123456788,錯誤碼,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,N,,",
        "B123456780,類別錯,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,正式人員,N,,",
        "C123456781,輪班錯,臺南市政府人事處,臺南市政府,考訓科,科員,特任,編制內,有時,,",
        ROWS[0].replace("王小明", "重複者"),
    ]
    code, out, err = run(tmp_path, csv_bytes(*rows))
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[:-1] == [
        "row 3, 身分證字號: 身分證字號檢查碼錯誤",
        "row 4, 人員類別: 「正式人員」不是可接受的值（編制內、聘用、約僱、考試錄取、教師、職工、臨時人員）",
        "row 5, 官等: 「特任」不是可接受的值（簡任、薦任、委任、相當簡任、相當薦任、相當委任）",
        "row 5, 輪班: 「有時」不是 是/否（Y/N、1/0）",
        "row 6, 身分證字號: 與第 2 列重複",
    ]
    assert "A123456788" not in err  # the bad ID itself never appears in a message
    assert lines[-1] == "檔案有 5 個問題，未匯入任何資料。"
    assert (Agency.objects.count(), Unit.objects.count(), Employee.objects.count()) == (0, 0, 0)
    assert ImportBatch.objects.get().status == "rejected"


@pytest.mark.django_db
def test_roster_import_missing_column_is_reported_on_the_header_row(tmp_path):
    header = "身分證字號,姓名,機關名稱,單位"
    code, _, err = run(tmp_path, csv_bytes("A123456789,王小明,人事處,考訓科", header=header))
    assert code == 1
    assert err.splitlines()[0] == "row 1, 人員類別: 缺少必要欄位"
    assert Employee.objects.count() == 0


@pytest.mark.django_db
def test_roster_import_reads_big5_csv(tmp_path):
    data = csv_bytes(*ROWS, encoding="cp950")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    code, out, _ = run(tmp_path, data, "roster-big5.csv")
    assert code == 0
    assert sorted(Employee.objects.values_list("name", flat=True)) == ["林美玲", "王小明", "陳大文"]


@pytest.mark.django_db
def test_roster_import_reads_utf8_with_bom(tmp_path):
    code, _, _ = run(tmp_path, b"\xef\xbb\xbf" + csv_bytes(*ROWS))
    assert code == 0
    assert Employee.objects.count() == 3


@pytest.mark.django_db
def test_roster_import_reads_xlsx(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in [HEADER, *ROWS]:
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    code, out, _ = run(tmp_path, buffer.getvalue(), "roster.xlsx")
    assert code == 0
    assert "新增 3" in out
    assert Employee.objects.get(national_id="A123456789").email == "ming@example.tw"


@pytest.mark.django_db
def test_roster_import_rejects_a_file_that_is_not_a_workbook(tmp_path):
    code, _, err = run(tmp_path, b"PK\x03\x04 this is not really a zip", "roster.xlsx")
    assert code == 1
    assert err.splitlines()[0] == "檔案不是有效的 Excel 活頁簿（.xlsx）。"


@pytest.mark.django_db
def test_roster_import_rejects_an_empty_file(tmp_path):
    code, _, err = run(tmp_path, b"", "roster.csv")
    assert code == 1
    assert err.splitlines()[0] == "檔案是空的。"


@pytest.mark.django_db
def test_roster_import_dry_run_reports_and_writes_nothing(tmp_path):
    code, out, _ = run(tmp_path, csv_bytes(*ROWS), "roster.csv", "--dry-run")
    assert code == 0
    # Two of the rows have neither 帳號 nor 電子郵件: a warning, not an error.
    assert out.strip() == (
        "試算結果：共 3 列，新增 3、更新 0、未變動 0。 "
        "第 3、4 列（共 2 列）沒有帳號與電子郵件，或帳號已由他人使用，未建立登入帳號。"
    )
    assert (Agency.objects.count(), Employee.objects.count()) == (0, 0)
    assert ImportBatch.objects.get().status == "validated"


@pytest.mark.parametrize(
    "args", [["missing.csv"], [], ["a.csv", "b.csv"]], ids=["no-such-file", "no-file", "two-files"]
)
def test_import_command_wrong_usage_exits_2(tmp_path, args):
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, str(manage), "import_roster", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""


@pytest.mark.django_db
def test_roster_import_attaches_to_an_existing_government_by_name(tmp_path):
    government = Agency.objects.create(name="臺南市政府")
    run(tmp_path, csv_bytes(*ROWS))
    assert set(Agency.objects.filter(parent=government).values_list("name", flat=True)) == {
        "臺南市政府人事處",
        "台南市政府教育局",
    }


@pytest.mark.django_db
def test_roster_import_of_50000_rows_runs_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    rows = [HEADER]
    for n in range(50_000):
        agency = f"機關{n % 40}"
        rows.append(
            f"{nationalid.make('B1', 1000000 + n)},人員{n},{agency},示範市政府,第{n % 7}科,科員,薦任,編制內,N,,"
        )
    data = ("\n".join(rows) + "\n").encode()
    batch = submit_import("roster", "big.csv", data)
    # submit (1 insert) + run: reads, 40 agencies in 2 levels, units, 10 chunks of lookups,
    # 25 batches of upserts, status updates. None of it grows per row.
    with django_assert_max_num_queries(60):
        batch = run_import(batch.pk) if batch.status != "applied" else batch
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("applied", 50_000)
    assert Employee.objects.count() == 50_000


ACCOUNT_HEADER = HEADER + ",帳號,在職"


def signs_in(client, username: str, password: str) -> bool:
    """Sign in through the log-in page (axes needs a request); the client is signed out after."""
    client.post("/accounts/login/", {"username": username, "password": password})
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


@pytest.mark.django_db
def test_roster_import_creates_accounts_and_invites_by_mail(tmp_path, mailoutbox, django_capture_on_commit_callbacks):
    from portal.models import User

    rows = [
        "A123456789,王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,N,,ming@example.tw,,",
        "F234567898,林美玲,臺南市政府人事處,臺南市政府,考訓科,科長,薦任,編制內,否,單位主管,mei@example.tw,meiling,",
        "H800123457,陳大文,台南市政府教育局,台南市政府,資訊教育科,約僱人員,相當委任,約僱,Y,,,,",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = run(tmp_path, csv_bytes(*rows, header=ACCOUNT_HEADER))
    assert (code, err) == (0, "")
    # A warning beside the summary, naming the row, never the person's ID.
    assert "第 4 列（共 1 列）沒有帳號與電子郵件，或帳號已由他人使用，未建立登入帳號。" in out
    assert "H800123457" not in out
    users = {u.username: u for u in User.objects.select_related("employee")}
    # 陳大文 has neither 帳號 nor 電子郵件: no account (a warning, not an error).
    assert sorted(users) == ["meiling", "ming@example.tw"]
    lin = users["meiling"]
    assert (lin.employee.name, lin.role, lin.is_active, lin.has_usable_password()) == (
        "林美玲",
        "supervisor",
        True,
        False,
    )
    assert list(lin.headed_units.values_list("name", flat=True)) == ["考訓科"]
    assert users["ming@example.tw"].role == "employee"
    assert sorted(m.to[0] for m in mailoutbox) == ["mei@example.tw", "ming@example.tw"]
    mail = next(m for m in mailoutbox if m.to == ["mei@example.tw"])
    assert mail.subject == "【終身學習入口網站】帳號開通：請設定密碼"
    assert "林美玲 您好" in mail.body and "「meiling」" in mail.body
    assert "F234567898" not in mail.body
    link = next(line for line in mail.body.splitlines() if line.startswith("http"))
    assert link.startswith("http://localhost:8000/accounts/reset/")


@pytest.mark.django_db
def test_invitation_link_sets_the_password_and_signs_in(
    client, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    row = "A123456789,王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,N,,ming@example.tw,,"
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, csv_bytes(row, header=ACCOUNT_HEADER))
    link = next(line for line in mailoutbox[0].body.splitlines() if line.startswith("http"))
    page = client.get(link.removeprefix("http://localhost:8000"), follow=True)
    assert "設定密碼" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Tainan-learns-2026", "new_password2": "Tainan-learns-2026"},
        follow=True,
    )
    assert "密碼已設定" in done.content.decode()
    assert signs_in(client, "ming@example.tw", "Tainan-learns-2026")


@pytest.mark.django_db
def test_password_reset_by_mail_in_chinese(client, django_user_model, mailoutbox):
    user = django_user_model.objects.create_user("ming", email="ming@example.tw", password="Old-password-2026")
    response = client.post("/accounts/reset/", {"email": "ming@example.tw"}, follow=True)
    assert "已寄出重設連結" in response.content.decode()
    assert [m.subject for m in mailoutbox] == ["【終身學習入口網站】重設密碼"]
    assert f"{user.username} 您好" in mailoutbox[0].body and "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_roster_accounts_second_import_changes_nothing(tmp_path, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    rows = [
        f"{nationalid.make('C1', 2000000 + n)},人員{n},機關{n % 5},示範市政府,第{n % 7}科,科員,薦任,編制內,N,"
        f"{'單位主管' if n % 50 == 0 else ''},p{n}@example.tw,,"
        for n in range(5_000)
    ]
    data = csv_bytes(*rows, header=ACCOUNT_HEADER)
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as first:
        batch = submit_import("roster", "big.csv", data)
        batch = run_import(batch.pk) if batch.status != "applied" else batch
    assert User.objects.filter(is_active=True).count() == 5_000
    assert User.objects.filter(role="supervisor").count() == 100
    assert len(mailoutbox) == 5_000
    # A fixed number of queries, whatever the roster's size: 40 for 5,000 people, accounts and
    # invitations included (5,000 invitations read in one); 26 for the second import.
    assert len(first.captured_queries) <= 45, "\n".join(q["sql"][:90] for q in first.captured_queries)
    before = list(User.objects.order_by("id").values_list("id", "username", "email", "is_active", "role", "password"))
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as second:
        again = submit_import("roster", "again.csv", data)
        again = run_import(again.pk) if again.status != "applied" else again
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5_000)
    assert (
        list(User.objects.order_by("id").values_list("id", "username", "email", "is_active", "role", "password"))
        == before
    )
    assert len(second.captured_queries) <= 30
    assert not [
        q for q in second.captured_queries if q["sql"].startswith(('UPDATE "portal_user"', 'INSERT INTO "portal_user"'))
    ]
    assert len(mailoutbox) == 5_000


@pytest.mark.django_db
def test_a_person_missing_from_a_complete_roster_can_no_longer_sign_in(tmp_path, client):
    from portal.models import User

    rows = [
        "A123456789,王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,N,,ming@example.tw,,",
        "F234567898,林美玲,臺南市政府人事處,臺南市政府,考訓科,科長,薦任,編制內,否,單位主管,mei@example.tw,meiling,Y",
    ]
    run(tmp_path, csv_bytes(*rows, header=ACCOUNT_HEADER))
    for user in User.objects.all():
        user.set_password("Tainan-learns-2026")
        user.save()
    assert signs_in(client, "meiling", "Tainan-learns-2026")
    lin = Employee.objects.get(name="林美玲")
    plan = PlanFactory(
        slug="tainan-103",
        issuer=Agency.objects.get(name="臺南市政府"),
        roc_year=103,
        parameters={"rules": [{"code": "bundle-reward", "kind": "bundle_completion"}]},
    )
    version = RuleVersion.objects.create(plan=plan, number=1, rules=plan.parameters["rules"])
    DecisionFactory(
        plan=plan,
        employee=lin,
        rule_code="bundle-reward",
        rule_version=version,
        award="commendation",
        count=1,
        reason="完成套餐",
        status="issued",
    )
    EntryFactory(employee=lin, plan=plan, kind="grant", hours=Decimal("8.00"))
    history = (list(Decision.objects.values()), list(Entry.objects.values()))
    code, out, err = run(tmp_path, csv_bytes(rows[0], header=ACCOUNT_HEADER), "roster.csv", "--complete")
    assert (code, err) == (0, "")
    lin.refresh_from_db()
    assert not lin.active and not lin.user.is_active
    assert (list(Decision.objects.values()), list(Entry.objects.values())) == history
    assert not signs_in(client, "meiling", "Tainan-learns-2026")
    assert signs_in(client, "ming@example.tw", "Tainan-learns-2026")


@pytest.mark.django_db
def test_a_person_marked_as_left_can_no_longer_sign_in(tmp_path, client):
    from portal.models import User

    row = "A123456789,王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,N,,ming@example.tw,,{}"
    run(tmp_path, csv_bytes(row.format("Y"), header=ACCOUNT_HEADER))
    user = User.objects.get()
    user.set_password("Tainan-learns-2026")
    user.save()
    run(tmp_path, csv_bytes(row.format("否"), header=ACCOUNT_HEADER))
    user.refresh_from_db()
    assert not user.is_active and user.employee.active is False
    assert not signs_in(client, "ming@example.tw", "Tainan-learns-2026")
