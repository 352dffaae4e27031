from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入差勤系統的休假、加班、公假與出差紀錄"
    kind = "attendance"
