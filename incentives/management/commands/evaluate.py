import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from incentives.evaluation import default_as_of, evaluate, warnings
from incentives.kinds import RuleParameterError
from incentives.rules import AWARD_LABEL
from portal.rocdate import to_roc_short
from programs.models import Plan


class Command(BaseCommand):
    help = "計算計畫涵蓋之每位人員的獎勵與補休（--json 輸出 CONTRACTS.md 格式）"

    def add_arguments(self, parser):
        parser.add_argument("plan", metavar="PLAN")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        plan = Plan.objects.filter(slug=options["plan"]).first()
        if plan is None:
            raise CommandError(f"找不到計畫：{options['plan']}（請先執行 load_plans）", returncode=2)
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of(plan)
        except ValueError:
            raise CommandError("--as-of 須為 YYYY-MM-DD", returncode=2) from None
        try:
            results = evaluate(plan, as_of)
        except RuleParameterError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(f"計畫 {plan.slug} 的規則參數有 {len(error.messages)} 處錯誤，無法計算。") from error
        if options["json"]:
            payload = {
                "plan": plan.slug,
                "as_of": as_of.isoformat(),
                "warnings": warnings(plan, as_of),
                "people": [r.as_json() for r in results],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{plan.title}（計算至 {to_roc_short(as_of)}，{len(results)} 人）")
        for warning in warnings(plan, as_of):
            self.stdout.write(f"注意：{warning}")
        header = f"{'身分證字號':<10} {'姓名':<6} {'機關':<16} {'嘉獎':>4} {'記功':>4} {'記大功':>4} {'補休(時)':>8}"
        self.stdout.write(header)
        for r in results:
            counts = r.award_counts
            if not any(counts.values()) and not r.leave_hours:
                continue
            self.stdout.write(
                f"{r.national_id:<10} {r.name:<6} {r.agency:<16} {counts['commendation']:>4} "
                f"{counts['merit']:>4} {counts['major_merit']:>4} {float(r.leave_hours):>8g}"
            )
            for award in r.awards:
                self.stdout.write(f"    {AWARD_LABEL[award.award]}：{award.text}")
            for grant in r.grants:
                self.stdout.write(f"    補休：{grant.text}")
