"""Fixtures shared by the app's tests: the local Shopee sandbox over HTTP, users and clients."""

import secrets
from pathlib import Path

import pytest

from sandbox.testing import SandboxControl, start_sandbox
from shops.models import Shop, ShopToken
from tests.factories import MERCHANDISER_PERMISSIONS, UserFactory
from vouchers.models import Voucher

# The SQLite test database is a file under var/ (see settings), shared by threads and processes.
(Path(__file__).resolve().parent.parent / "var").mkdir(exist_ok=True)

PARTNER_ID = 2001887
PARTNER_KEY = "test-partner-key-5f0c9e2a"


@pytest.fixture(scope="session")
def sandbox_server():
    running = start_sandbox()
    yield running
    running.stop()


class Sandbox:
    """The sandbox of one test: its control API, plus mirroring the app's database into it."""

    def __init__(self, control: SandboxControl, base_url: str):
        self.control = control
        self.base_url = base_url

    def mirror(self, *, missing=(), changes=None):
        """Make Shopee's state match our database: same shops, tokens and vouchers.

        `missing`: vouchers Shopee does not know; `changes`: {voucher: {field: value}} where
        Shopee's record differs from ours (a stale local copy).
        """
        changes = changes or {}
        missing_ids = {voucher.pk for voucher in missing}
        shops = []
        for token in ShopToken.objects.select_related("shop"):
            shops.append(
                {
                    "shop_id": token.shop.shop_id,
                    "partner_id": PARTNER_ID,
                    "name": token.shop.name,
                    "region": token.shop.region or "SG",
                    "access_token": token.access_token,
                    "refresh_token": token.refresh_token or "0" * 32,
                }
            )
        known = {shop["shop_id"] for shop in shops}
        for shop in Shop.objects.exclude(shop_id__in=known):
            shops.append(
                {
                    "shop_id": shop.shop_id,
                    "partner_id": PARTNER_ID,
                    "name": shop.name,
                    "region": shop.region or "SG",
                    "access_token": "f" * 32,
                    "refresh_token": "e" * 32,
                }
            )
        changed = {voucher.pk: fields for voucher, fields in changes.items()}
        vouchers = []
        for voucher in Voucher.objects.select_related("shop"):
            if voucher.pk in missing_ids:
                continue
            record = {
                "shop_id": voucher.shop.shop_id,
                "voucher_id": voucher.voucher_id,
                "voucher_code": voucher.voucher_code,
                "voucher_name": voucher.voucher_name,
                "start_time": int(voucher.start_time.timestamp()),
                "end_time": int(voucher.end_time.timestamp()),
                "voucher_purpose": voucher.voucher_purpose,
                "is_admin": voucher.is_admin,
            }
            record.update(changed.get(voucher.pk, {}))
            vouchers.append(record)
        document = {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": shops,
            "vouchers": vouchers,
        }
        self.control.reset(document)
        return document

    def seed(self, *, shops, vouchers=(), main_accounts=()):
        """Reset Shopee's side to `shops` (dicts with shop_id, name, region; tokens are made up),
        `vouchers` and `main_accounts` (dicts with main_account_id, shop_ids, merchant_ids),
        under our partner: shops that exist at Shopee but not in our database."""
        self.control.reset(
            {
                "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
                "shops": [
                    {
                        "partner_id": PARTNER_ID,
                        "access_token": secrets.token_hex(16),
                        "refresh_token": secrets.token_hex(16),
                        **shop,
                    }
                    for shop in shops
                ],
                "vouchers": list(vouchers),
                "main_accounts": [
                    {"partner_id": PARTNER_ID, "merchant_ids": [], **account}
                    for account in main_accounts
                ],
            }
        )

    def shop_state(self, shop_id):
        """Shopee's record of one shop (current tokens, authorization, flags)."""
        return next(s for s in self.control.state()["shops"] if s["shop_id"] == shop_id)

    def calls(self, path=None):
        calls = self.control.calls()
        return [call for call in calls if path is None or call["path"] == path]

    def voucher(self, voucher_id):
        for record in self.control.state()["vouchers"]:
            if record["voucher_id"] == voucher_id:
                return record
        return None


@pytest.fixture
def sandbox(sandbox_server, settings):
    """A sandbox emptied for this test, and the app's settings pointing at it."""
    settings.SHOPEE_PARTNER_ID = str(PARTNER_ID)
    settings.SHOPEE_PARTNER_KEY = PARTNER_KEY
    settings.SHOPEE_API_BASE_URL = sandbox_server.base_url
    settings.SHOPEE_TIMEOUT_SECONDS = "1"
    control = SandboxControl(sandbox_server.base_url)
    control.reset(
        {
            "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
            "shops": [],
            "vouchers": [],
        }
    )
    control.clear_faults()
    control.clear_calls()
    control.set_rate_limit(None)
    return Sandbox(control, sandbox_server.base_url)


@pytest.fixture
def merchandiser(db):
    return UserFactory(username="merch", permissions=MERCHANDISER_PERMISSIONS)


@pytest.fixture
def viewer(db):
    """Staff who may look at vouchers and the call log but not end anything."""
    return UserFactory(
        username="viewer",
        permissions=[
            "vouchers.view_voucher",
            "audit.view_shopeecall",
            "shops.view_all_shops",
        ],
    )


@pytest.fixture
def merch_client(client, merchandiser):
    client.force_login(merchandiser)
    return client


@pytest.fixture(autouse=True)
def quick_runs(settings):
    """Runs retry and time out quickly in tests; pacing stays at its defaults."""
    settings.END_RUN_RETRY_BASE_SECONDS = 0.05
    settings.END_RUN_RETRY_MAX_SECONDS = 0.2
    settings.END_RUN_LEASE_SECONDS = 5
    settings.END_RUN_SLICE_SECONDS = 20
