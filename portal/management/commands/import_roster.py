from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入人員名冊：機關（含上級機關）、單位與人員"
    kind = "roster"
