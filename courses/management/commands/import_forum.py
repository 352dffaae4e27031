from portal.management.importcommand import ImportCommand


class Command(ImportCommand):
    help = "匯入論壇發表及回應篇數統計"
    kind = "forum"
