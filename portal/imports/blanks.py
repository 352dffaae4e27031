"""Blank files to fill for every import (CONTRACTS.md "Files"): the header row the importer reads,
as CSV or as XLSX with a second sheet that explains each column, and the same explanations for the
page that lists them. Built from the importers' own columns, so a template never drifts from what
the import accepts."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..registry import IMPORTERS, importer_class, kind_label
from .columns import BooleanColumn, ChoiceColumn, DateColumn, DateTimeColumn, DecimalColumn, IntegerColumn, TimeColumn

# What each column holds, in CONTRACTS.md's words; columns not named here are explained by their kind.
MEANINGS = {
    "身分證字號": "身分證字號或統一證號（檢查碼須正確）",
    "姓名": "人員姓名；與名冊中該身分證字號的姓名不同時，匯入後列出警告",
    "機關名稱": "服務機關的全名",
    "上級機關": "上級機關名稱；沒有上級機關者即為一個政府（如 高雄市政府）",
    "單位": "機關內的單位（科、室）",
    "職稱": "職稱",
    "官等": "簡任、薦任、委任；約聘僱人員可填 相當簡任 等",
    "人員類別": "編制內、聘用、約僱、考試錄取、教師、職工、臨時人員",
    "輪班": "是否輪班（Y/N）",
    "推動角色": "單位主管、主辦主管或承辦人（單位獎勵的受獎人）",
    "電子郵件": "電子郵件；沒有帳號欄時作為登入帳號",
    "帳號": "登入帳號；空白時以電子郵件為帳號，兩者皆無則不開帳號（列出警告）",
    "在職": "是否在職（Y/N，預設 Y）；N 表示已離職，不再能登入，紀錄保留",
    "課程名稱": "課程或班期名稱（全形、半形、破折號與空白的差異不影響比對）",
    "學習起日": "學習開始日期",
    "學習迄日": "完成日期，可附時間（如 103/08/15 21:30）",
    "完成時間": "完成時間 HH:MM 或 HH:MM:SS",
    "學習時數": "認證時數，可有小數（如 0.5）",
    "數位時數": "其中的數位學習時數；空白時依學習性質判斷",
    "學習性質": "數位、實體、混成（或 1、2、3）",
    "課程類別": "如 性別主流類、公務倫理類、資訊安全類",
    "開課機關": "開課機關或學習平臺（如 e學中心）",
    "與業務相關": "是否與業務相關（Y/N）",
    "論壇名稱": "論壇或社群名稱",
    "統計起日": "統計期間的第一天",
    "統計迄日": "統計期間的最後一天",
    "發表篇數": "發表篇數",
    "回應篇數": "回應篇數",
    "不計入篇數": "不當、離題及灌水而不計入的篇數（預設 0）",
    "假別": "休假、補休、公假、加班、出差、病假、事假等",
    "起始": "開始的日期與時間",
    "迄止": "結束的日期與時間",
    "西元日期": "西元日期（人事行政總處辦公日曆表原檔）",
    "星期": "星期幾",
    "是否放假": "2 為放假日，0 為上班日",
    "備註": "備註（如 補行上班）",
    "認證時數": "認證時數，可有小數",
    "平臺": "學習平臺",
    "證書": "證書名稱（計畫接受的名稱，如 英語初級、英語中級）",
    "取得日期": "取得證書的日期",
    "團隊": "熠星團隊名稱",
    "評等": "特優、優等或良好",
    "角色": "主持人、成員（團隊評等）；作者、機關首長（競賽）",
    "作品": "作品名稱（每件作品至多 2 位作者）",
    "審查": "通過或未通過",
    "名次": "1、2、3、佳作，或空白",
    "題目": "案例或研究報告題目",
    "繳交日期": "繳交日期",
}
DATE_FORMATS = "民國 1030815、103/08/15、103.08.15、103年8月15日，或西元 2014-08-15"


@dataclass(frozen=True)
class ColumnHelp:
    """One column of a template: its header, whether it must be there, other accepted headers, meaning."""

    name: str
    required: bool
    aliases: tuple[str, ...]
    meaning: str


def _by_kind(column) -> str:
    if isinstance(column, (DateTimeColumn,)):
        return _("日期與時間：%(formats)s，後接時間（如 21:30）") % {"formats": DATE_FORMATS}
    if isinstance(column, DateColumn):
        return _("日期：%(formats)s") % {"formats": DATE_FORMATS}
    if isinstance(column, TimeColumn):
        return _("時間 HH:MM")
    if isinstance(column, BooleanColumn):
        return _("是或否：Y/N、是/否、1/0")
    if isinstance(column, ChoiceColumn):
        return _("以下其中之一：%(choices)s") % {"choices": "、".join(c for c in column.choices if c)}
    if isinstance(column, IntegerColumn):
        return _("整數")
    if isinstance(column, DecimalColumn):
        return _("數字，可有小數")
    return _("文字")


def columns_of(kind: str) -> list[ColumnHelp]:
    """The columns an import of `kind` reads, in the importer's order, each explained."""
    return [
        ColumnHelp(c.name, c.required, tuple(c.aliases[1:]), MEANINGS.get(c.name) or _by_kind(c))
        for c in importer_class(kind)().columns
    ]


def kinds() -> list[tuple[str, str, list[ColumnHelp]]]:
    """Every import kind with its label and its columns."""
    return [(kind, kind_label(kind), columns_of(kind)) for kind in IMPORTERS]


def template_csv(kind: str) -> bytes:
    """The header row as UTF-8 CSV with a BOM (so that Excel opens it as UTF-8)."""
    out = io.StringIO()
    csv.writer(out).writerow([c.name for c in columns_of(kind)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """A workbook: the sheet 「資料」 with the header row to fill, and 「欄位說明」 explaining each column."""
    columns = columns_of(kind)
    book = Workbook()
    data = book.active
    data.title = _("資料")
    data.append([c.name for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        data.column_dimensions[data.cell(row=1, column=index).column_letter].width = max(12, 3 * len(column.name))
    help_sheet = book.create_sheet(_("欄位說明"))
    help_sheet.append([_("欄位"), _("必填"), _("也接受的欄名"), _("說明")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        help_sheet.append(
            [column.name, _("必填") if column.required else _("選填"), "、".join(column.aliases), column.meaning]
        )
    help_sheet.append([])
    help_sheet.append([_("第一列為欄名，欄位順序不拘，未列出的欄位不讀取；日期可用民國或西元，數字可為全形或半形。")])
    for letter, width in zip("ABCD", (14, 8, 24, 70)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
