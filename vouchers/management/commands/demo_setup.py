"""Load the sandbox's demo shops and a staff login (bin/demo runs this)."""

import requests
from django.core.management.base import BaseCommand, CommandError

from vouchers.services.demo import demo_shops_load, demo_user_reset
from vouchers.services.sync import shop_vouchers_sync
from vouchers.shopee.errors import ShopeeError


class Command(BaseCommand):
    help = "Mirror the local Shopee sandbox's shops and tokens, sync vouchers, make a staff login."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8765")
        parser.add_argument("--username", default="merch")
        parser.add_argument("--app-url", default="http://127.0.0.1:8000")

    def handle(self, *args, sandbox_url, username, app_url, **options):
        try:
            answer = requests.get(f"{sandbox_url.rstrip('/')}/_sandbox/state", timeout=10)
            answer.raise_for_status()
            state = answer.json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"The sandbox at {sandbox_url} did not answer: {error}") from None
        shops = demo_shops_load(sandbox_state=state)
        for shop in shops:
            try:
                result = shop_vouchers_sync(shop=shop, actor_label="command:demo_setup")
            except ShopeeError as error:
                raise CommandError(f"Syncing {shop} failed: {error}") from None
            self.stdout.write(f"Synced {shop}: {result.total} vouchers")
        password = demo_user_reset(username=username)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nshopadmin is ready at {app_url}/admin/\n"
                f"  username: {username}\n  password: {password}\n"
            )
        )
