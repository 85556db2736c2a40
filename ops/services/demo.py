"""Demo data for the Quick start only: the sandbox's seeded shops, staff logins, and a past run
with a refusal and a failure (and a shop whose authorization ends soon) to look at."""

import datetime as dt
import secrets
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from audit.models import ShopeeCall
from audit.models.calls import CallOutcome
from core.parsing import parse_unix_time
from promotions.models import PromotionKindName
from runs.models import EndRun, EndRunItem, ItemState, RunStatus
from shopee.errors import BUSINESS, TRANSIENT
from shopee.redaction import REDACTED
from shopee.wording import NO_ANSWER
from shops.models import Shop
from shops.services.shops import shop_tokens_set
from vouchers.models import Voucher
from vouchers.services.kinds.voucher import SKIP_UPCOMING

TEAM_PERMISSIONS = [
    "view_shop",
    "add_shop",
    "change_shop",
    "view_voucher",
    "end_voucher",
    "delete_voucher",
    "view_shopeecall",
    "view_endrun",
    "view_promotion",
    *(f"{action}_{kind}" for kind in PromotionKindName.values for action in ("end", "delete")),
]
DEMO_PERMISSIONS = [*TEAM_PERMISSIONS, "view_all_shops", "view_shopeepush"]
# The apps whose models the permissions above are about (codenames are unique across them).
DEMO_PERMISSION_APPS = ["shops", "vouchers", "promotions", "audit", "runs"]
DEMO_TEAM = "Thailand team"
DEMO_TEAM_REGION = "TH"


@transaction.atomic
def demo_user_reset(*, username: str, team_only: bool = False) -> str:
    """Create or update a staff user who may end vouchers; return its new random password.

    With `team_only`, the user is a member of the demo's Thailand team (its shops only);
    otherwise it sees every shop."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = True
    user.save()
    codenames = TEAM_PERMISSIONS if team_only else DEMO_PERMISSIONS
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=DEMO_PERMISSION_APPS, codename__in=codenames
        )
    )
    if team_only:
        team, _ = Group.objects.get_or_create(name=DEMO_TEAM)
        team.shops.set(Shop.objects.filter(region=DEMO_TEAM_REGION))
        user.groups.add(team)
    return password


@transaction.atomic
def demo_shops_load(*, sandbox_state: dict) -> list[Shop]:
    """Mirror the sandbox's shops and their current tokens, as if staff had pasted them.

    The sandbox is seeded anew on every demo start, so the demo shops' old voucher records are
    dropped first (their audit rows stay, with their snapshots).
    """
    shops = []
    for record in sandbox_state["shops"]:
        shop, _ = Shop.objects.update_or_create(
            shop_id=record["shop_id"],
            defaults={"name": record["name"], "region": record.get("region", "")},
        )
        Voucher.objects.filter(shop=shop).delete()
        shop_tokens_set(
            shop=shop,
            access_token=record["access_token"],
            refresh_token=record["refresh_token"],
            access_token_expires_at=_from_unix(record.get("access_token_expires_at")),
            refresh_token_expires_at=_from_unix(record.get("refresh_token_expires_at")),
        )
        shops.append(shop)
    return shops


def _from_unix(value):
    return parse_unix_time(value, label="The sandbox's token expiry") if value else None


# A past run, as if staff had run it yesterday: what a refusal and a failure look like ------------
DEMO_RUN_ID = uuid.UUID("d3a10000-0000-4000-8000-000000000021")
DEMO_RUN_AGO = dt.timedelta(days=1)
DEMO_EXPIRING_IN = dt.timedelta(days=3)
END_PATH = "/api/v2/voucher/end_voucher"
GET_PATH = "/api/v2/voucher/get_voucher"
LIST_PATH = "/api/v2/voucher/get_voucher_list"
# The sandbox's refusal of a voucher it will not let a seller's app end (sandbox/wire.py).
REFUSAL_ERROR = "voucher.operate_voucher_permission_error"
REFUSAL_MESSAGE = (
    "The Voucher created in Shopee admin/Shop Game/Follow Prize/Member ship/Voucher campaign "
    "can't be updated"
)
BAD_GATEWAY = "Shopee answered HTTP 502 with a body that is not JSON."
FAILED_ATTEMPTS = 8  # END_RUN_MAX_ATTEMPTS' default: end, check with get_voucher, end, ...


@transaction.atomic
def demo_history_seed(*, shops: list[Shop], actor, now: dt.datetime | None = None) -> EndRun:
    """Give the demo a past: a run of yesterday over the first two `shops` with vouchers ended,
    one skipped, one refused by Shopee and one failed after retries on 502 answers (its items and
    their call-log rows, as the engine writes them), and the last shop's authorization ending in
    3 days, so the dashboard's "needs attention" shows it.

    Idempotent: the run has a fixed public id and is made once (later starts keep it and its
    call-log rows, which are append-only); the authorization end moves with `now` each time."""
    now = now or timezone.now()
    if shops:
        Shop.objects.filter(pk=shops[-1].pk).update(authorization_expires_at=now + DEMO_EXPIRING_IN)
    existing = EndRun.objects.filter(public_id=DEMO_RUN_ID).first()
    if existing is not None or len(shops) < 2:
        return existing
    first, second = shops[0], shops[1]
    started = now - DEMO_RUN_AGO
    plan = [
        *((first, voucher, ItemState.ENDED) for voucher in _pick(first, "expired", 2)),
        *((second, voucher, ItemState.ENDED) for voucher in _pick(second, "expired", 1)),
        *((first, voucher, ItemState.SKIPPED) for voucher in _pick(first, "upcoming", 1)),
        *((first, voucher, ItemState.REFUSED) for voucher in _pick(first, "ongoing", 1)),
        *((second, voucher, ItemState.FAILED) for voucher in _pick(second, "ongoing", 1)),
    ]
    run = EndRun.objects.create(
        public_id=DEMO_RUN_ID,
        created_by=actor,
        created_by_username=actor.get_username(),
        selection=f"{len(plan)} selected vouchers (demo: a run of yesterday)",
        status=RunStatus.FINISHED,
        started_at=started,
        finished_at=started + dt.timedelta(seconds=40),
        read_at=started + dt.timedelta(seconds=2),
        read_report=[{"shop": str(shop), "ok": True, "listed": 0} for shop in (first, second)],
    )
    EndRun.objects.filter(pk=run.pk).update(created_at=started)
    calls = _Calls(run=run, actor=actor, at=started)
    for shop in (first, second):
        for status in ("ongoing", "upcoming"):
            calls.add(shop, None, LIST_PATH, query={"voucher_status": status})
    items = [_item(run, calls, shop, voucher, state) for shop, voucher, state in plan]
    EndRunItem.objects.bulk_create(items)
    ShopeeCall.objects.bulk_create(calls.rows)
    return run


def _pick(shop: Shop, status: str, count: int) -> list[Voucher]:
    mine = Voucher.objects.filter(shop=shop, is_admin=False, voucher_purpose=0)
    return list(mine.with_status(status).order_by("voucher_id")[:count])


def _item(run, calls, shop, voucher, state) -> EndRunItem:
    item = EndRunItem(
        run=run,
        voucher=voucher,
        shop=shop,
        voucher_shopee_id=voucher.voucher_id,
        voucher_code=voucher.voucher_code,
        original_end_time=voucher.end_time,
        state=state,
        read_at=run.read_at,
        finished_at=calls.at,
    )
    if state == ItemState.SKIPPED:
        item.reason = SKIP_UPCOMING
    elif state == ItemState.ENDED:
        item.attempts = 1
        item.request_id = calls.add(shop, voucher, END_PATH).request_id
    elif state == ItemState.REFUSED:
        item.attempts = 1
        row = calls.add(shop, voucher, END_PATH, error=REFUSAL_ERROR, message=REFUSAL_MESSAGE)
        item.reason, item.error, item.request_id = REFUSAL_MESSAGE, REFUSAL_ERROR, row.request_id
    else:  # every end answered 502, every check said it was not applied: given up
        for attempt in range(1, FAILED_ATTEMPTS + 1):
            if attempt % 2:
                calls.add(shop, voucher, END_PATH, attempt=attempt, http_status=502)
            else:
                calls.add(shop, voucher, GET_PATH, attempt=attempt)
        item.attempts, item.error = FAILED_ATTEMPTS, NO_ANSWER
        item.reason = (
            f"Gave up after {FAILED_ATTEMPTS} attempts: {BAD_GATEWAY} "
            "Shopee had not applied it (checked with get_voucher)."
        )
    return item


class _Calls:
    """The run's call-log rows, a few seconds apart, as the engine would have written them."""

    def __init__(self, *, run, actor, at):
        self.run, self.actor, self.at, self.rows = run, actor, at, []

    def add(
        self, shop, voucher, path, *, attempt=1, error="", message="", http_status=200, query=None
    ):
        self.at += dt.timedelta(seconds=1)
        failed = http_status >= 500
        refused = bool(error)
        row = ShopeeCall(
            started_at=self.at,
            finished_at=self.at + dt.timedelta(milliseconds=180),
            duration_ms=180,
            actor=self.actor,
            actor_username=self.actor.get_username(),
            shop=shop,
            shop_shopee_id=shop.shop_id,
            shop_name=shop.name,
            voucher=voucher,
            voucher_shopee_id=voucher.voucher_id if voucher else None,
            voucher_code=voucher.voucher_code if voucher else "",
            batch_id=self.run.public_id,
            endpoint=path,
            method="GET" if path != END_PATH else "POST",
            attempt=attempt,
            outcome=CallOutcome.FAILED
            if failed
            else (CallOutcome.REFUSED if refused else CallOutcome.SUCCESS),
            error_kind=TRANSIENT if failed else (BUSINESS if refused else ""),
            http_status=http_status,
            request_id="" if failed else secrets.token_hex(16),
            error=error,
            message=BAD_GATEWAY if failed else message,
            request={
                "method": "GET" if path != END_PATH else "POST",
                "path": path,
                "query": {
                    "shop_id": shop.shop_id,
                    "access_token": REDACTED,
                    "sign": REDACTED,
                    **(query or {}),
                },
                "body": {"voucher_id": voucher.voucher_id} if voucher and path == END_PATH else {},
            },
            response={"non_json_body": "<html>502 Bad Gateway</html>"}
            if failed
            else {"error": error, "message": message, "response": ""},
        )
        self.rows.append(row)
        return row
