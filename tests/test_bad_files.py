"""Every bad file gets a clear answer naming the row (issue 15, item 4): NUL and other
control bytes, empty files, files with a header and nothing else."""

import pytest

from portal.registry import IMPORTERS, importer_class

HEADER = "身分證字號,課程名稱,學習迄日,學習時數\n"


def errors(kind, data, name="file.csv"):
    result = importer_class(kind)({"plan": "tainan-101", "list": "policy-courses"}).run(data, name, dry_run=True)
    assert result.ok is False
    return [e.as_dict() for e in result.errors]


@pytest.mark.django_db
def test_csv_with_a_nul_byte_is_rejected_naming_its_row():
    data = (HEADER + "A123456789,課程,1030815,1\nF234567898,課\x00程,1030815,1\n").encode()
    assert errors("records", data) == [
        {
            "row": 0,
            "column": "",
            "message": "第 3 列含有空字元（NUL），檔案可能損毀或不是文字檔；請存成 UTF-8 CSV 或 Excel 活頁簿（.xlsx）後重新上傳。",
        }
    ]


@pytest.mark.django_db
def test_cell_with_a_control_character_is_rejected_naming_row_and_column():
    data = "西元日期,是否放假,備註\n2024-01-01,2,元旦\n2024-01-02,0,上班\x1b日\n".encode()
    assert errors("calendar", data) == [
        {"row": 3, "column": "備註", "message": "含有控制字元（如 NUL），請刪除後重新上傳"}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(IMPORTERS))
@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "檔案是空的。"),
        (b"\xef\xbb\xbf\r\n  \n", "檔案是空的。"),
    ],
    ids=["empty", "bom-and-blank-lines"],
)
def test_empty_file_is_rejected_in_chinese(kind, data, message):
    assert errors(kind, data) == [{"row": 0, "column": "", "message": message}]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_header_only_file_is_rejected_in_chinese(kind):
    header = ",".join(c.name for c in importer_class(kind)({"plan": "tainan-101"}).columns)
    # First: an importer may add its own file-level problem (course-list: the list is not found).
    assert errors(kind, f"{header}\n,,\n".encode())[0] == {"row": 0, "column": "", "message": "檔案沒有任何資料列。"}
