from django.core.management.base import CommandError

from courses.models import CourseList
from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入計畫的課程清單（例如臺南市政策性課程），清單內容將與檔案一致"
    kind = "course-list"

    def add_target_arguments(self, parser):
        parser.add_argument("plan", metavar="PLAN", help="計畫代碼，例如 tainan-101")
        parser.add_argument("list", metavar="LIST", help="清單代碼，例如 policy-courses")

    def options_for(self, options):
        if not CourseList.objects.filter(plan__slug=options["plan"], slug=options["list"]).exists():
            raise CommandError(f"找不到計畫 {options['plan']} 的課程清單 {options['list']}。", returncode=2)
        return {"plan": options["plan"], "list": options["list"]}
