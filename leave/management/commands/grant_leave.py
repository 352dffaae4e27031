from django.core.management.base import BaseCommand, CommandError

from incentives.kinds import RuleParameterError
from incentives.rules import number
from portal.models import Employee
from portal.rocdate import to_roc_short

from ... import services
from ._options import as_of, plan


class Command(BaseCommand):
    help = "將計畫規則給予、尚未核給的公餘學習補休寫入補休帳（可重複執行；--dry-run 只列出不寫入）"

    def add_arguments(self, parser):
        parser.add_argument("plan", metavar="PLAN")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="計算至此日（預設今天）")
        parser.add_argument("--dry-run", action="store_true", help="只列出將核給的補休，不寫入")

    def handle(self, *args, **options):
        the_plan = plan(options["plan"])
        if not services.leave_rule(the_plan):
            raise CommandError(f"計畫 {the_plan.slug} 沒有補休規則。", returncode=2)
        try:
            run = services.grant_leave(the_plan, as_of(options["as_of"]), dry_run=options["dry_run"])
        except RuleParameterError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                f"計畫 {the_plan.slug} 的規則參數有 {len(error.messages)} 處錯誤，未核給補休。"
            ) from error
        people = {e.pk: e for e in Employee.objects.filter(pk__in={e for e, _g in run.granted})}
        verb = "將核給" if run.dry_run else "已核給"
        self.stdout.write(
            f"{the_plan.slug}（計算至 {to_roc_short(run.as_of)}）{verb}補休 {len(run.granted)} 筆、"
            f"共 {number(run.hours)} 小時；送人事複核 {len(run.reviews)} 筆。"
        )
        for employee_id, grant in run.granted:
            person = people[employee_id]
            self.stdout.write(
                f"  {person.masked_national_id} {person.name}：{number(grant.hours)} 小時，"
                f"{to_roc_short(grant.usable_until)} 前使用 — {grant.text}"
            )
        for _entry, reason in run.reviews:
            self.stdout.write(f"  送複核：{reason}")
