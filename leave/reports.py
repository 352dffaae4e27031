"""The compensatory-leave application form as a PDF (Kaohsiung 附件2, Tainan 附件5).

Laid out as Kaohsiung's 附件2 (seeds/003): the applicant's unit, title and name; one block per
course completed off duty, with its name, hours, completion date and time and its own 核章欄
(申請人簽名, 單位主管核章, 人事單位核章) for offices that still file paper; 「須檢附時數證明」;
and the 填表注意事項. Tainan's 附件5 is not reproduced in its seed (seeds/002), so it takes
the same layout with Tainan's title and its rules (四、公餘時段參與數位學習補休措施) as notes.
The online record (issue 9) is printed too: who applied, approved and registered, and when.
"""

from decimal import Decimal

from django.db.models import Prefetch, Sum

from portal import clock

from .models import Application, Entry, RecordUse
from .services import balance, leave_rule

FORM_TITLES = {
    "kaohsiung-103": "公餘時間完成數位學習補休申請表",
    "tainan-101": "利用公餘時段數位學習補休申請表",
}
DEFAULT_TITLE = "公餘時間數位學習補休申請表"

# 填表注意事項, as the seeds word them (Kaohsiung: 附件2 itself; Tainan: the plan's 四、(一)–(八)).
FORM_NOTES = {
    "kaohsiung-103": [
        "本表申請對象為本市各機關學校編制內公務人員及約聘僱人員（不含教師、職工及臨時人員）。",
        "公餘時間係指非上班、在勤或輪值時間，其包括假日、中午休息時間…等，且上開時間內不得申請任何加班、公（差）假。",
        "每次申請補休得以小時計，並須於課程完成次日起6個月內補休完畢。補休額度：完成「職能主餐（簡或薦或委）」＋「副餐1-窈窕精緻餐」"
        "者每年以4小時為限；＋「副餐2-幸福嚴選餐」者每年以8小時為限；＋「副餐3-豪華主廚餐」者每年以12小時為限；"
        "若同時符合以上3項標準者，則申請補休之時數最多為12小時。",
        "完成課程日期、時間請補休人員詳實登載，不得杜撰。",
        "時數證明取得方式：請登入「公務人員終身學習入口網站」後，至「個人資料夾」項下點選「學習時數」，並列印相關認證時數。"
        "另倘有特殊情形於取得時數證明前欲申請補休者，經單位主管同意得先申請補休，惟事後仍需檢附相關時數證明。",
        "申請補休時請依規定填送假單，假別請填寫「補休假」，事由請註明利用公餘時間參與數位學習，並檢附本申請表及相關時數證明，"
        "簽名後送交人事單位及單位主管核章。",
        "本申請表由單位主管及人事單位核章、登錄後，倘仍未超過當年度12小時補休上限，請再送回申請人賡續使用，俾利控管。",
    ],
    "tainan-101": [
        "公餘時段數位學習係指利用例假日、國定假日、調整放假日及輪休日（輪班人員）、休假日、補休日進行數位學習並取得學習認證紀錄，"
        "其餘時段及其他假別均不適用。",
        "自101年1月1日至101年9月30日止，公務人員（含約聘僱人員）利用公餘時段進行數位學習，數位學習達5小時以上且終身學習時數"
        "（含數位學習）達40小時以上，並於公餘時段修習「臺南市政府101年度政策性數位學習課程計畫表」（附件4）中之數位課程者，始得申請補休。",
        "最高得補休1日（8小時）。每次申請補休得以小時計，惟須於課程完成之次日起6個月內補休完畢，限101年12月28日前補休完畢，"
        "逾期視同放棄，不得再申請補休。",
        "應檢附之證明文件：申請人應自公務人員終身學習入口網站「個人資料夾」點選「學習時數」下載本年度已通過之總學習時數及"
        "欲申請補休之數位學習認證紀錄。",
        "本府人員請於欲補休之日2週前提出申請，填寫本表並檢附證明文件，經單位主管核章後送人事處至電子差勤系統辦理補休登記"
        "（事由「利用公餘時段數位學習補休」），假別選擇「活動、值班補休」；所屬機關學校未使用電子差勤系統者，填寫請假單並附本表"
        "及證明文件，經單位主管核章後送人事單位辦理補休登記。",
        "已申請公餘時段學習補休者，不得重複申請加班補休或加班費。",
        "申請人應本誠信原則辦理，經查如有不實，應受懲處。",
    ],
}


def application_grants(application: Application) -> list[dict]:
    """The grants this application uses, each with its courses, the hours it granted and the
    hours this application takes from it. A combination's courses earn its hours together, so
    the hours are the grant's, once per grant: they add up to what was granted."""
    used = dict(
        Entry.objects.filter(application=application, kind=Entry.Kind.USE, grant__isnull=False)
        .values_list("grant_id")
        .annotate(total=Sum("hours"))
    )
    # Through RecordUse, not the default manager: a record a later export withdrew is still what the grant rests on.
    grants = (
        Entry.objects.filter(charges__application=application, kind=Entry.Kind.GRANT)
        .distinct()
        .prefetch_related(Prefetch("record_uses", queryset=RecordUse.objects.select_related("record")))
        .order_by("usable_until", "id")
    )
    found = []
    for grant in grants:
        records = sorted(
            (use.record for use in grant.record_uses.all()), key=lambda r: (r.completed_on, str(r.completed_at or ""))
        )
        found.append(
            {
                "hours": grant.hours,
                "earned_on": grant.earned_on,
                "usable_until": grant.usable_until,
                "used": -(used.get(grant.pk) or Decimal(0)),
                "courses": records,
            }
        )
    return found


def application_rows(application: Application) -> list[dict]:
    """Each course behind the grants this application uses; `grant_hours` on a grant's first course only."""
    rows = []
    for grant in application_grants(application):
        for index, record in enumerate(grant["courses"]):
            rows.append(
                {
                    "course_name": record.course_name,
                    "hours": record.hours,
                    "completed_on": record.completed_on,
                    "completed_at": record.completed_at,
                    "grant_hours": grant["hours"] if index == 0 else None,
                    "usable_until": grant["usable_until"],
                }
            )
    return rows


def render_application_pdf(application: Application) -> bytes:
    """The application form of one application, with its courses, notes and online record."""
    from portal.pdf import render_pdf

    plan = application.plan
    rule = leave_rule(plan)
    grants = application_grants(application)
    number = 0
    for grant in grants:
        grant["blocks"] = []
        for record in grant["courses"]:
            number += 1
            grant["blocks"].append({"number": number, "record": record})
    return render_pdf(
        "leave/application_form.html",
        {
            "title": rule.get("form_title") or FORM_TITLES.get(plan.slug, DEFAULT_TITLE),
            "attachment": rule.get("form", ""),
            "plan": plan,
            "employee": application.employee,
            "application": application,
            "grants": grants,
            "granted": sum((g["hours"] for g in grants), Decimal(0)),
            "balance": balance(application.employee, application.leave_date, plan),
            "notes": FORM_NOTES.get(plan.slug, []),
            "basis": rule.get("clause", ""),
            "today": clock.today(),
        },
        css=("form.css",),
    )
