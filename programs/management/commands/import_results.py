from django.core.management.base import CommandError

from portal.management.importcommand import ImportCommand
from programs.models import Plan

KINDS = ["certificates", "team-ratings", "contest", "case-reports"]


class Command(ImportCommand):
    help = "匯入計畫以外決定的結果：certificates（證書）、team-ratings（熠星團隊評等）、contest（競賽）、case-reports（案例報告）"

    def add_target_arguments(self, parser):
        parser.add_argument("plan", metavar="PLAN", help="計畫代碼，例如 tainan-101")
        parser.add_argument("result_kind", metavar="KIND", choices=KINDS, help="、".join(KINDS))

    def options_for(self, options):
        if not Plan.objects.filter(slug=options["plan"]).exists():
            raise CommandError(f"找不到計畫：{options['plan']}（請先執行 load_plans）", returncode=2)
        self.kind = options["result_kind"]
        return {"plan": options["plan"]}
