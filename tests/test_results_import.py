import pytest

from programs.models import CaseReport, Certificate, ContestEntry, Team
from tests.factories import AgencyFactory, EmployeeFactory, PlanFactory
from tests.importing import csv_bytes, run_command


@pytest.fixture
def tainan(db):
    plan = PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101)
    people = [
        EmployeeFactory(national_id=nid, name=name)
        for nid, name in [("A123456789", "王小明"), ("F234567898", "林美玲"), ("H800123457", "陳大文")]
    ]
    return plan, people


def results(tmp_path, kind, data, plan="tainan-101"):
    return run_command("import_results", tmp_path, data, f"{kind}.csv", plan, kind)


def test_certificates_accept_only_the_plan_names(tainan, tmp_path):
    code, _, err = results(
        tmp_path,
        "certificates",
        csv_bytes("身分證字號,證書,取得日期", "A123456789,英語初級,1010301", "A123456789,多益金色,1010301"),
    )
    assert code == 1
    assert err.splitlines()[0] == "row 3, 證書: 「多益金色」不是可接受的值（英語初級、英語中級）"
    code, out, _ = results(
        tmp_path,
        "certificates",
        csv_bytes("身分證字號,證書,取得日期", "A123456789,英語初級,1010301", "A123456789,英語中級,101/06/01"),
    )
    assert code == 0
    assert sorted(Certificate.objects.values_list("name", flat=True)) == ["英語中級", "英語初級"]


def test_contest_with_more_than_2_authors_rejects_the_file(tainan, tmp_path):
    header = "作品,審查,名次,身分證字號,角色"
    data = csv_bytes(
        header,
        "防詐微電影,通過,1,A123456789,作者",
        "防詐微電影,通過,1,F234567898,作者",
        "防詐微電影,通過,1,H800123457,作者",
    )
    code, _, err = results(tmp_path, "contest", data)
    assert code == 1
    assert err.splitlines()[0] == "row 4, 角色: 每件作品至多 2 位作者（「防詐微電影」有 3 位）"
    assert ContestEntry.objects.count() == 0


def test_contest_entries_with_authors_and_agency_head_import_once(tainan, tmp_path):
    header = "作品,審查,名次,身分證字號,角色"
    data = csv_bytes(
        header,
        "防詐微電影,通過,1,A123456789,作者",
        "防詐微電影,通過,1,F234567898,作者",
        "防詐微電影,通過,1,H800123457,機關首長",
        "節能懶人包,通過,,A123456789,作者",
    )
    assert results(tmp_path, "contest", data)[0] == 0
    entry = ContestEntry.objects.get(title="防詐微電影")
    assert (entry.review, entry.placing, entry.agency_head.name) == ("通過", "1", "陳大文")
    assert sorted(entry.authors.values_list("name", flat=True)) == ["林美玲", "王小明"]
    code, out, _ = results(tmp_path, "contest", data)
    assert "新增 0、更新 0、未變動 2" in out


def test_team_ratings_import(tainan, tmp_path):
    header = "團隊,評等,身分證字號,角色"
    data = csv_bytes(header, "花蓮好學團隊,特優,A123456789,主持人", "花蓮好學團隊,特優,F234567898,成員")
    assert results(tmp_path, "team-ratings", data)[0] == 0
    team = Team.objects.get()
    assert (team.rating, sorted(team.members.values_list("role", flat=True))) == ("特優", ["主持人", "成員"])
    bad = csv_bytes(header, "乙隊,優等,A123456789,主持人", "乙隊,良好,F234567898,主持人")
    code, _, err = results(tmp_path, "team-ratings", bad)
    assert code == 1
    assert err.splitlines()[:2] == ["row 3, 評等: 同一團隊的評等不一致", "row 3, 角色: 每個團隊只能有一位主持人"]


def test_case_reports_import(tainan, tmp_path):
    data = csv_bytes(
        "身分證字號,題目,繳交日期,審查", "A123456789,論壇經營心得,1010801,通過", "F234567898,案例,1010805,未通過"
    )
    assert results(tmp_path, "case-reports", data)[0] == 0
    assert list(CaseReport.objects.order_by("title").values_list("title", "accepted")) == [
        ("案例", False),
        ("論壇經營心得", True),
    ]


def test_results_for_an_unknown_plan_is_a_usage_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        results(tmp_path, "contest", b"x", plan="nowhere-999")
    assert error.value.returncode == 2
