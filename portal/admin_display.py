"""What HR reads and types in the admin: ROC dates, Taipei times, Chinese labels (issue 17, item 1).

Installed once for the whole admin (`install()`, from PortalConfig.ready), not field by field:
- every model DateField is edited with `RocDateField`, which reads every date form the imports
  read (CONTRACTS.md, "Files": 103/07/20, 1030720, 103年7月20日, 2014-07-20, …) and shows
  103/07/20; what is stored is an ordinary date;
- every list column and read-only field of a date shows 103/07/20, of a date-time
  103/07/20 21:30 in Asia/Taipei (Django's own display would be 「2014年7月20日」);
- JSON fields are shown as lists of Chinese labels and values, not raw JSON.

Apps add the labels of their own audit actions and JSON keys with `register_labels`.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import rocdate

# Audit actions (AuditEntry.action) and JSON keys, code → label; apps add theirs.
ACTION_LABELS: dict[str, str] = {
    "admin_add": _("管理介面新增"),
    "admin_change": _("管理介面修改"),
    "admin_delete": _("管理介面刪除"),
    "admin_import_add": _("管理介面匯入新增"),
    "admin_import_change": _("管理介面匯入修改"),
    "admin_import_delete": _("管理介面匯入刪除"),
    "import_submitted": _("匯入已送出"),
    "import_applied": _("匯入完成"),
    "import_failed": _("匯入失敗"),
    "import_rejected": _("匯入檔案退回"),
    "import_validated": _("匯入驗證通過（試算）"),
    "import_running": _("匯入處理中"),
    "import_pending": _("匯入等待中"),
}
KEY_LABELS: dict[str, str] = {
    "as_of": _("計算基準日"),
    "status": _("狀態"),
    "note": _("說明"),
    "reason": _("理由"),
    "name": _("姓名"),
    "title": _("名稱"),
    "hours": _("時數"),
    "count": _("次數"),
    "award": _("獎勵"),
    "order_number": _("獎懲令文號"),
    "order_date": _("獎懲令日期"),
    "rating": _("評等"),
    "authors": _("作者"),
    "kind": _("種類"),
    "code": _("代碼"),
    "clause": _("條文"),
    "text": _("內容"),
    "deadline": _("期限"),
    "start": _("起"),
    "end": _("迄"),
    "leave_date": _("補休日期"),
    "starts_at": _("起"),
    "ends_at": _("迄"),
    "plan": _("年度計畫"),
    "employee": _("人員"),
    "agency": _("機關"),
    "unit": _("單位"),
    "file_name": _("檔名"),
    "rows": _("列數"),
    "rule_code": _("規則"),
    "override_reason": _("逕予核定理由"),
    "rejection_reason": _("不予核定理由"),
    "return_reason": _("退回理由"),
    "late_reason": _("逾期受理理由"),
    "usable_until": _("使用期限"),
    "usable_from": _("可使用起日"),
    "earned_on": _("取得日期"),
    "tiers": _("級距"),
    "side": _("副餐"),
    "main_by_rank": _("依官等選主餐"),
    "group": _("擇優方式"),
    "evidence": _("證明文件"),
    "form": _("申請表"),
    "grants": _("核給"),
    "cap_hours_per_year": _("每年上限時數"),
    "use_within_months": _("使用期限（月）"),
    "year_window": _("年度期間"),
    "metric": _("項目"),
    "min": _("下限"),
    "max": _("上限"),
    "requested_by": _("提報者"),
    "decided_by": _("核定者"),
    "quota": _("名額"),
    "granted_extra": _("增額"),
    "session": _("期別"),
    "national_id": _("身分證字號"),
    "decided_at": _("核定時間"),
    "requested_at": _("提報時間"),
    "submitted_at": _("申請時間"),
    "registered_at": _("登記時間"),
    "attended_on": _("參訓日期"),
    "withdrawn_at": _("撤回時間"),
}
STATUS_VALUE_LABELS: dict[str, str] = {}


def register_labels(*, actions: dict | None = None, keys: dict | None = None, values: dict | None = None) -> None:
    """An app's audit actions, JSON keys and coded values (statuses) with their Chinese labels."""
    ACTION_LABELS.update(actions or {})
    KEY_LABELS.update(keys or {})
    STATUS_VALUE_LABELS.update(values or {})


def action_label(code: str) -> str:
    """`decision_approved` → 「獎勵案核定」; an unknown code is shown as it is."""
    return str(ACTION_LABELS.get(code, code))


class RocDateInput(forms.DateInput):
    """The admin's date box showing and taking 103/07/20. Django's calendar pop-up is left out:
    it reads and writes Gregorian dates only (it would open 103/07/20 in the year 103)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"size": "12", "placeholder": "103/07/20", "inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return rocdate.to_roc_short(value)
        return super().format_value(value)


class RocDateField(forms.DateField):
    """A date typed as 103/07/20 (or any form CONTRACTS.md lists); a time after it is dropped."""

    widget = RocDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return rocdate.parse_date(value)
        if isinstance(value, dt.date):
            return value
        try:
            return rocdate.parse_date(value)
        except rocdate.RocDateError as error:
            raise ValidationError(str(error), code="invalid") from None


def roc_datetime(value: dt.datetime | None) -> str:
    """`103/07/20 21:30` in Asia/Taipei; "" for None."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = value.astimezone(rocdate.TAIPEI)
    return f"{rocdate.to_roc_short(value)} {value:%H:%M}"


def _value(value):
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
        try:  # a date-time the JSON encoder wrote in UTC (2014-09-01T01:05:00Z): shown in Taipei
            return roc_datetime(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if isinstance(value, str):
        try:
            return (
                rocdate.to_roc_short(dt.date.fromisoformat(value))
                if len(value) == 10
                else str(STATUS_VALUE_LABELS.get(value, value))
            )
        except ValueError:
            return str(STATUS_VALUE_LABELS.get(value, value))
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None:
        return "—"
    return str(value)


def readable_json(value):
    """A JSON value as nested lists: Chinese labels for known keys, ROC dates, 是/否."""
    if isinstance(value, dict):
        if not value:
            return "—"
        return format_html(
            '<dl class="json">{}</dl>',
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((KEY_LABELS.get(k, k), readable_json(v)) for k, v in value.items())
            ),
        )
    if isinstance(value, list):
        if not value:
            return "—"
        if all(not isinstance(item, (dict, list)) for item in value):
            return "、".join(_value(item) for item in value)
        return format_html(
            '<ol class="json">{}</ol>', format_html_join("", "<li>{}</li>", ((readable_json(v),) for v in value))
        )
    return _value(value)


def display_for_field(original):
    """Wraps Django's `display_for_field`: dates in ROC, times in Taipei, JSON readable."""

    def display(value, field, empty_value_display, *args, **kwargs):
        if value is not None and value != "" and not getattr(field, "flatchoices", None):
            if isinstance(field, models.DateTimeField):
                return roc_datetime(value)
            if isinstance(field, models.DateField):
                return rocdate.to_roc_short(value)
            if isinstance(field, models.JSONField):
                return readable_json(value)
        return original(value, field, empty_value_display, *args, **kwargs)

    display.wrapped = original
    return display


DATE_OVERRIDE = {"form_class": RocDateField, "widget": RocDateInput}


def install() -> None:
    """Site-wide: ROC date inputs for every DateField, ROC/Taipei display, readable JSON."""
    from django.contrib import admin
    from django.contrib.admin import helpers, options, utils
    from django.contrib.admin.templatetags import admin_list

    if not hasattr(utils.display_for_field, "wrapped"):
        wrapped = display_for_field(utils.display_for_field)
        for module in (utils, helpers, admin_list):
            module.display_for_field = wrapped
    # Inline admins are built per request from the defaults; registered ModelAdmins were built at
    # autodiscover (before this app's ready()), so their copies are updated too.
    options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateField] = DATE_OVERRIDE
    for model_admin in admin.site._registry.values():
        model_admin.formfield_overrides[models.DateField] = DATE_OVERRIDE
