"""Sync voucher records from Shopee, for cron or by hand: `manage.py sync_vouchers [SHOP_ID]`."""

from django.core.management.base import BaseCommand, CommandError

from shopee.errors import ShopeeConfigError
from shops.models import Shop
from vouchers.services.sync import shops_vouchers_sync


class Command(BaseCommand):
    help = (
        "Fetch every voucher of the given shops (default: all shops) from Shopee, "
        "shops side by side (END_RUN_CONCURRENCY requests in flight, paced per shop)."
    )

    def add_arguments(self, parser):
        parser.add_argument("shop_ids", nargs="*", type=int, help="Shopee shop ids")

    def handle(self, *args, shop_ids, **options):
        shops = Shop.objects.all()
        if shop_ids:
            shops = shops.filter(shop_id__in=shop_ids)
            missing = set(shop_ids) - set(shops.values_list("shop_id", flat=True))
            if missing:
                raise CommandError(f"Unknown shop ids: {', '.join(map(str, sorted(missing)))}")
        try:
            results = shops_vouchers_sync(shops=shops, actor_label="command:sync_vouchers")
        except ShopeeConfigError as error:
            raise CommandError(str(error)) from None
        failures = 0
        for result in results:
            if not result.ok:
                failures += 1
                self.stderr.write(f"{result.shop}: {result.error}")
                continue
            self.stdout.write(
                f"{result.shop}: {result.created} new, {result.updated} updated, "
                f"{result.pages} pages"
            )
        if failures:
            raise CommandError(f"{failures} shop(s) could not be synced.")
