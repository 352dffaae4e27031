from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入政府行政機關辦公日曆表（人事行政總處 CSV，可一次多個檔案）"
    kind = "calendar"
    many_files = True
