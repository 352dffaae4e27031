import json

from django.core.management.base import BaseCommand

from incentives.rules import number
from portal import clock
from portal.nationalid import mask
from portal.rocdate import to_roc_short

from ... import queries
from ._options import as_of, plan


class Command(BaseCommand):
    help = "每人的補休帳：核給、使用、失效與餘額（--json 輸出 CONTRACTS.md 格式）"

    def add_arguments(self, parser):
        parser.add_argument("--plan", metavar="PLAN")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="計算至此日（預設今天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        the_plan = plan(options["plan"]) if options["plan"] else None
        day = as_of(options["as_of"]) or clock.today()
        ledger = queries.ledger_json(day, the_plan)
        if options["json"]:
            self.stdout.write(json.dumps(ledger, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"補休帳（至 {to_roc_short(day)}，{len(ledger['people'])} 人）")
        for person in ledger["people"]:
            self.stdout.write(
                f"{mask(person['national_id'])} {person['plan']}：核給 {number(person['granted'])}、使用 {number(person['used'])}、"
                f"失效 {number(person['lapsed'])}、餘 {number(person['balance'])} 小時"
            )
