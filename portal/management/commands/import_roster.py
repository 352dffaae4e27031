from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入人員名冊：機關（含上級機關）、單位、人員與其帳號"
    kind = "roster"

    def add_target_arguments(self, parser):
        """`--complete`: the file lists every current employee of the agencies it names."""
        parser.add_argument(
            "--complete",
            action="store_true",
            help="檔案列出所列機關的全部現職人員：未列入者視為離職（停用帳號，保留紀錄）",
        )

    def options_for(self, options) -> dict:
        """The importer's options: {"complete": True} with --complete."""
        return {"complete": True} if options["complete"] else {}
