"""Benchmark the 5,000-decision roster PDF (issue 20, "Large documents").

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_documents.py [--decisions 5000] [--repeat 3]

Builds a plan with --decisions filed decisions (once, bulk inserts) and renders its roster
(敘獎名冊) in a process of its own, as the background job does (`request_document`, rendered in
parts of portal.pdf.PART_ROWS rows and joined), and, side by side, as one WeasyPrint document
(the way before issue 20). Prints each one's median time, peak RSS (max of the runs) and pages.
Target: the job under 300 MB.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench-roster"
RULE = {"code": "hours", "kind": "threshold_tiers", "clause": "陸、六、（三）", "tiers": []}
UNITS = [
    "人事室",
    "秘書室",
    "會計室",
    "政風室",
    "資訊中心",
    "第一科",
    "第二科",
    "第三科",
    "綜合規劃科",
    "研究發展考核科",
]
SURNAMES = "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董潘袁蔡蔣余"
GIVEN = "志明美玲家豪淑芬俊傑雅婷建宏怡君文雄麗華冠宇佳蓉承翰欣怡宗翰思妤柏翰宜蓁"


def build(count: int):
    import random

    from django.db import transaction

    from incentives.models import Decision, RuleVersion
    from portal import nationalid
    from portal.models import Agency, Employee, EmploymentType, Rank, Role, Unit, User
    from programs.models import Plan

    government, _ = Agency.objects.get_or_create(name="文件市政府", parent=None)
    agency, _ = Agency.objects.get_or_create(
        name="文件市政府教育局", parent=government, defaults={"government": government}
    )
    plan, _ = Plan.objects.update_or_create(
        slug=SLUG,
        defaults={
            "issuer": government,
            "roc_year": 103,
            "title": "文件市103年度數位學習計畫",
            "parameters": {"rules": [RULE]},
        },
    )
    user, _ = User.objects.get_or_create(username="bench-docs-hr", defaults={"role": Role.HR, "is_staff": True})
    if Decision.objects.filter(plan=plan).count() >= count:
        return plan, user
    rng = random.Random(5)
    with transaction.atomic():
        units = [Unit.objects.get_or_create(agency=agency, name=name)[0] for name in UNITS]
        have = list(Employee.objects.filter(agency=agency).order_by("pk"))
        staff = have + Employee.objects.bulk_create(
            [
                Employee(
                    national_id=nationalid.make("F1", 6000000 + len(have) + n),
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    agency=agency,
                    unit=units[n % len(units)],
                    title=rng.choice(["科員", "專員", "科長", "約僱人員", "辦事員"]),
                    rank=Rank.JUNIOR,
                    employment_type=EmploymentType.ESTABLISHED,
                )
                for n in range(max(count - len(have), 0))
            ],
            batch_size=5000,
        )
        version, _ = RuleVersion.objects.get_or_create(plan=plan, number=1, defaults={"rules": [RULE]})
        Decision.objects.filter(plan=plan).delete()
        Decision.objects.bulk_create(
            [
                Decision(
                    plan=plan,
                    employee=person,
                    rule_code="hours",
                    rule_version=version,
                    award="commendation",
                    count=rng.choice([1, 2]),
                    reason="完成主餐及幸福嚴選餐，數位學習時數 32 小時（103/08/31 前），依計畫陸、六、（三）核予嘉獎",
                    status=Decision.Status.REQUESTED,
                )
                for person in staff[:count]
            ],
            batch_size=5000,
        )
    return plan, user


def child(step: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from pypdf import PdfReader

    from incentives.reports import render_roster_pdf
    from portal.models import GeneratedDocument
    from portal.services import request_document
    from programs.models import Plan

    plan = Plan.objects.get(slug=SLUG)
    from portal.models import User

    user = User.objects.get(username="bench-docs-hr")
    start = time.perf_counter()
    if step == "job":
        document = request_document(user, "roster", {"plan": SLUG}, title="bench")
        assert document.status == GeneratedDocument.Status.READY, document.message
        with document.file.open("rb") as handle:
            data = handle.read()
        document.file.delete()
        document.delete()
    else:  # one WeasyPrint document, as before issue 20
        settings.ROSTER_BACKGROUND_THRESHOLD = 10**9
        data = render_roster_pdf(plan, None, "全部", progress=lambda percent: None)
    seconds = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(data)).pages)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss, "pages": pages}))


def in_child(step: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step], env=os.environ, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-whole", action="store_true", help="time only the job (parts)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if args.child:
        child(args.child)
        return
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    build(args.decisions)
    print(f"database: {connection.vendor}; roster of {args.decisions:,} decisions, each way in a process of its own")
    connection.close()
    from portal.pdf import PART_ROWS

    steps = [("job", f"in parts of {PART_ROWS} rows, joined (the job)")]
    if not args.skip_whole:
        steps.append(("whole", "one WeasyPrint document (before)"))
    for step, label in steps:
        runs = [in_child(step) for _ in range(args.repeat)]
        print(
            f"{label:>40}: {statistics.median(r['seconds'] for r in runs):6.1f} s, "
            f"peak RSS {max(r['rss_mb'] for r in runs):5,.0f} MB, {runs[0]['pages']} pages"
        )


if __name__ == "__main__":
    main()
