"""Cron entry point: keep tokens alive and vouchers in step (`manage.py maintain_shops`)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ops.services.maintenance import shops_maintain
from shopee.errors import ShopeeConfigError


class Command(BaseCommand):
    help = (
        "Apply lost Shopee pushes, check which shops are still authorized, refresh shop tokens "
        "that expire soon and re-sync every connected shop's vouchers. "
        "Run it from cron, e.g. every 15 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh-within",
            type=int,
            default=60,
            help="refresh tokens expiring within this many minutes (default 60)",
        )
        parser.add_argument("--no-sync", action="store_true", help="only refresh tokens")

    def handle(self, *args, refresh_within, no_sync, **options):
        try:
            report = shops_maintain(
                refresh_within=dt.timedelta(minutes=refresh_within), sync=not no_sync
            )
        except ShopeeConfigError as error:
            raise CommandError(str(error)) from None
        if report.lost_pushes is not None:
            lost = report.lost_pushes
            self.stdout.write(
                f"Lost pushes: {lost.fetched} fetched, {lost.applied} applied, "
                f"{lost.duplicates} already received."
            )
        if report.authorizations is not None:
            check = report.authorizations
            self.stdout.write(
                f"Authorizations: Shopee lists {check.listed} shop(s); "
                f"{len(check.lost)} of ours no longer authorized, "
                f"{len(check.not_connected)} authorized but not connected here."
            )
        self.stdout.write(
            f"Refreshed {len(report.refreshed)} token(s), synced {len(report.synced)} shop(s)."
        )
        for shop, message in report.failed:
            self.stderr.write(f"{shop or 'shopadmin'}: {message}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} problem(s); see above.")
