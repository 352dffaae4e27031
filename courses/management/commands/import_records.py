from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入終身學習入口網站的學習紀錄"
    kind = "records"
