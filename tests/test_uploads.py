"""Uploads: a size limit, a guard against zip bombs, and files deleted once their import ends."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.models import ImportBatch, Role
from tests.factories import UserFactory

ROSTER = "身分證字號,姓名,機關名稱,人員類別\nA123456789,王小明,甲機關,編制內\n".encode()


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


@pytest.fixture
def media_root(settings, tmp_path):
    """This test's own media directory, so that files other tests keep cannot blur the count."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def hr(db, client, media_root):
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    return client


def upload(client, name, data, dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("import-new"),
        {"kind": "roster", "dry_run": dry_run, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.mark.parametrize(
    "data, status", [(ROSTER, "applied"), (ROSTER.replace("編制內".encode(), "亂填".encode()), "rejected")]
)
def test_an_uploaded_file_is_deleted_once_its_import_has_ended(hr, media_root, data, status):
    response = upload(hr, "roster.csv", data)
    batch = ImportBatch.objects.get()
    assert (response.status_code, response.url) == (302, reverse("import-batch", args=[batch.pk]))
    assert (batch.status, batch.file.name, stored_files(media_root)) == (status, "", [])


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(hr, media_root, settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    too_big = ROSTER + b"\n" * (1024 * 1024)
    page = upload(hr, "roster.csv", too_big)
    assert page.status_code == 200
    assert page.context["form"].errors == {"file": ["檔案過大（上限 1 MB）。"]}
    path = tmp_path / "roster.csv"
    path.write_bytes(too_big)
    with pytest.raises(CommandError) as refused:
        call_command("import_roster", str(path))
    assert (str(refused.value), refused.value.returncode) == ("檔案過大（上限 1 MB）。", 1)
    assert (ImportBatch.objects.count(), stored_files(media_root)) == (0, [])


def zip_bomb() -> bytes:
    """A workbook-shaped zip whose sheet unpacks to 64 MB from about 64 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (64 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(hr, media_root):
    bomb = zip_bomb()
    assert len(bomb) < 200 * 1024
    upload(hr, "roster.xlsx", bomb)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.errors, stored_files(media_root)) == (
        "rejected",
        [{"row": 0, "column": "", "message": "Excel 活頁簿解壓縮後過大，疑似異常檔案，已拒絕。"}],
        [],
    )


def test_every_import_has_a_blank_template_with_its_columns_explained(db, client):
    """CSV and XLSX with the CONTRACTS.md header row; the XLSX's second sheet explains each column; both linked
    from the import page through the page that explains them."""
    import io as _io

    import openpyxl

    from portal.models import Role
    from portal.registry import IMPORTERS, importer_class
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    assert 'href="/imports/templates/"' in client.get("/imports/new/").content.decode()
    page = client.get("/imports/templates/").content.decode()
    for kind in IMPORTERS:
        header = [c.name for c in importer_class(kind)().columns]
        assert f'href="/imports/templates/{kind}.xlsx"' in page and f'href="/imports/templates/{kind}.csv"' in page
        csv_file = client.get(f"/imports/templates/{kind}.csv")
        assert csv_file.content.decode("utf-8-sig").strip() == ",".join(header)
        book = openpyxl.load_workbook(_io.BytesIO(client.get(f"/imports/templates/{kind}.xlsx").content))
        assert book.sheetnames == ["資料", "欄位說明"]
        assert [c.value for c in book["資料"][1]] == header
        explained = [row for row in book["欄位說明"].iter_rows(min_row=2, values_only=True) if row[0] in header]
        assert [row[0] for row in explained] == header
        assert all(row[1] in ("必填", "選填") and row[3] for row in explained)
    roster = openpyxl.load_workbook(_io.BytesIO(client.get("/imports/templates/roster.xlsx").content))["欄位說明"]
    assert ("身分證字號", "必填", "身分證號、統一證號", "身分證字號或統一證號（檢查碼須正確）") in roster.iter_rows(
        values_only=True
    )
    assert client.get("/imports/templates/nothing.csv").status_code == 404
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.get("/imports/templates/roster.csv").status_code == 403
