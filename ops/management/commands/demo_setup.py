"""Load the sandbox's demo shops and a staff login (bin/demo runs this)."""

import requests
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ops.services.demo import demo_history_seed, demo_shops_load, demo_user_reset
from promotions.services.kinds import PROMOTION_KINDS
from promotions.services.sync import shops_promotions_sync
from shopee.client import get_client
from shopee.errors import ShopeeError
from shops.services.connect import shop_info_update
from vouchers.services.sync import shops_vouchers_sync


class Command(BaseCommand):
    help = (
        "Mirror the local Shopee sandbox's shops and tokens, sync vouchers and the other "
        "promotions, make a staff login."
    )

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
        try:
            for shop in shops:  # name, region and the seller's authorization end, from Shopee
                shop_info_update(shop=shop, client=get_client(), actor_label="command:demo_setup")
            results = shops_vouchers_sync(shops=shops, actor_label="command:demo_setup")
            promotions = shops_promotions_sync(
                shops=shops, kinds=PROMOTION_KINDS, actor_label="command:demo_setup"
            )
        except ShopeeError as error:
            raise CommandError(f"Syncing failed: {error}") from None
        for result in results:
            if not result.ok:
                raise CommandError(f"Syncing {result.shop} failed: {result.error}")
            self.stdout.write(f"Synced {result.shop}: {result.total} vouchers")
        for result in promotions:
            if not result.ok:
                raise CommandError(
                    f"Reading {result.shop}'s {result.kind.name} failed: {result.error}"
                )
        self.stdout.write(f"Read {sum(result.total for result in promotions)} other promotions")
        password = demo_user_reset(username=username)
        team_password = demo_user_reset(username=f"{username}-th", team_only=True)
        actor = get_user_model().objects.get(username=username)
        if demo_history_seed(shops=shops, actor=actor):
            self.stdout.write("A past run with a refusal and a failure is on the runs list.")
        self.stdout.write(
            self.style.SUCCESS(
                f"\nshopadmin is ready at {app_url}/admin/\n"
                f"  username: {username}\n  password: {password}\n"
                f"  (every shop; a Thailand-team member: {username}-th / {team_password})\n"
            )
        )
