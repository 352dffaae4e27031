from django.core.management.base import BaseCommand

from portal import pagecache


class Command(BaseCommand):
    help = "開始新的資料世代，使已快取的頁面全部失效（在 Django 以外寫入資料庫後執行，例如以 psql 手動修改）"

    def handle(self, *args, **options):
        """Bump the data generation (portal.pagecache): writes that bypassed Django's
        connections are then seen by every page."""
        pagecache.bump()
        self.stdout.write(self.style.SUCCESS("已使頁面快取失效（資料世代 %s）。") % pagecache.generation())
