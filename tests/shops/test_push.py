"""Shopee's pushes at /shopee/push/: verified, logged, applied once, refused cleanly and
cheaply (a rejected push keeps a few hundred bytes, whatever was sent)."""

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets

import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeePush
from audit.models.pushes import RejectedPush
from shops.models import Shop
from shops.services.shops import shop_tokens_set
from tests.conftest import PARTNER_ID, PARTNER_KEY
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

PUSH = reverse("shopee_push")
CALLBACK_URL = "http://testserver" + PUSH


@pytest.fixture(autouse=True)
def partner(settings):
    settings.SHOPEE_PARTNER_ID = str(PARTNER_ID)
    settings.SHOPEE_PARTNER_KEY = PARTNER_KEY
    settings.SHOPEE_PUSH_URL = ""


def signed(body: bytes, url: str = CALLBACK_URL, key: str = PARTNER_KEY) -> str:
    """Shopee's Authorization header, computed here independently of the app's code."""
    return hmac.new(key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def push(client, message, *, authorization=None, raw=None):
    body = raw if raw is not None else json.dumps(message).encode()
    headers = {}
    if authorization is not False:
        headers["HTTP_AUTHORIZATION"] = authorization or signed(body)
    return client.post(PUSH, body, content_type="application/json", **headers)


def cancelled(shop_ids, merchant_ids=(), when=None):
    when = when or timezone.now()
    return {
        "code": 2,
        "shop_id": shop_ids[0] if shop_ids else 0,
        "timestamp": int(when.timestamp()),
        "data": {
            "shop_id_list": list(shop_ids),
            "merchant_id_list": list(merchant_ids),
            "success": 1,
            "extra": "authorization cancelled",
        },
    }


@pytest.fixture
def shop():
    return ShopTokenFactory(
        shop__name="Acme SG", shop__authorized_at=timezone.now() - dt.timedelta(days=30)
    ).shop


def test_a_cancellation_flags_the_shop_and_is_answered_with_an_empty_2xx(client, shop):
    answer = push(client, cancelled([shop.shop_id]))

    assert answer.status_code == 200 and answer.content == b""
    shop.refresh_from_db()
    assert shop.needs_reauth
    assert "seller cancelled the authorization" in shop.needs_reauth_reason
    row = ShopeePush.objects.get()
    assert (row.outcome, row.code, row.shop_shopee_id) == ("applied", 2, shop.shop_id)
    assert row.signature_valid and row.http_status == 200
    assert row.body["data"]["shop_id_list"] == [shop.shop_id]


def test_merchants_listed_in_a_cancellation_flag_their_shops(client):
    shop = ShopTokenFactory(shop__merchant_id=9_900_001).shop
    other = ShopTokenFactory(shop__merchant_id=9_900_002).shop

    push(client, cancelled([], merchant_ids=[9_900_001]))

    assert Shop.objects.get(pk=shop.pk).needs_reauth
    assert not Shop.objects.get(pk=other.pk).needs_reauth


@pytest.mark.parametrize(
    "authorization, why",
    [(False, "no authorization header"), ("0" * 64, "wrong signature")],
)
def test_a_push_without_our_signature_is_refused_and_changes_nothing(
    client, shop, authorization, why
):
    answer = push(client, cancelled([shop.shop_id]), authorization=authorization)

    assert answer.status_code == 401
    assert not Shop.objects.get(pk=shop.pk).needs_reauth
    assert not ShopeePush.objects.exists()  # the push log holds only pushes we took
    row = RejectedPush.objects.get()
    assert (row.reason, row.http_status, row.remote_addr) == ("signature", 401, "127.0.0.1")
    assert why in row.detail.lower()
    assert "0" * 64 not in row.detail + row.body_prefix


def test_a_push_signed_with_another_key_is_refused(client, shop):
    body = json.dumps(cancelled([shop.shop_id])).encode()
    answer = push(client, None, raw=body, authorization=signed(body, key="someone-else"))
    assert answer.status_code == 401
    assert not Shop.objects.get(pk=shop.pk).needs_reauth


def test_the_registered_push_url_is_what_the_signature_covers(client, shop, settings):
    settings.SHOPEE_PUSH_URL = "https://admin.example.com/shopee/push/"
    body = json.dumps(cancelled([shop.shop_id])).encode()

    assert push(client, None, raw=body).status_code == 401  # signed over the URL we see
    answer = push(client, None, raw=body, authorization=signed(body, settings.SHOPEE_PUSH_URL))

    assert answer.status_code == 200
    assert Shop.objects.get(pk=shop.pk).needs_reauth


def test_a_replayed_push_is_not_applied_again(client, shop):
    message = cancelled([shop.shop_id])
    push(client, message)
    # The seller authorizes again; then an attacker (or Shopee's retry) sends the same push.
    shop_tokens_set(shop=shop, access_token="a" * 32, refresh_token="b" * 32)
    Shop.objects.filter(pk=shop.pk).update(authorized_at=timezone.now() - dt.timedelta(days=1))

    answer = push(client, message)

    assert answer.status_code == 200
    assert not Shop.objects.get(pk=shop.pk).needs_reauth
    assert list(ShopeePush.objects.order_by("id").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
    ]


def test_a_cancellation_older_than_the_latest_authorization_is_stale(client, shop):
    Shop.objects.filter(pk=shop.pk).update(authorized_at=timezone.now())
    answer = push(client, cancelled([shop.shop_id], when=timezone.now() - dt.timedelta(hours=1)))

    assert answer.status_code == 200
    assert not Shop.objects.get(pk=shop.pk).needs_reauth
    assert "older than their latest authorization" in ShopeePush.objects.get().detail


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"code": "two"}', "code must be a whole number"),
        (b'{"code": 2, "data": [1]}', "data must be a JSON object"),
        (b'{"code": 2, "shop_id": "\xc2\xb2"}', "shop_id must be a whole number"),
        (b"\xff\xfe\x00", "not JSON"),
    ],
)
def test_a_malformed_push_is_refused_with_a_clear_answer(client, shop, raw, problem):
    answer = push(client, None, raw=raw)

    assert answer.status_code == 400
    assert problem in answer.content.decode()
    assert not Shop.objects.get(pk=shop.pk).needs_reauth
    assert not ShopeePush.objects.exists()
    row = RejectedPush.objects.get()
    assert (row.reason, row.http_status, row.body_size) == ("malformed", 400, len(raw))
    assert problem in row.detail


def test_a_push_about_a_shop_we_do_not_know_is_acknowledged_and_ignored(client, shop):
    answer = push(client, cancelled([123_456_789]))

    assert answer.status_code == 200
    assert not Shop.objects.get(pk=shop.pk).needs_reauth
    row = ShopeePush.objects.get()
    assert row.outcome == "ignored" and "123456789" in row.detail


def test_an_expiry_notice_warns_on_the_shop_list(client, merch_client, shop):
    ends = timezone.now() + dt.timedelta(days=6, hours=1)
    message = {
        "code": 12,
        "timestamp": int(timezone.now().timestamp()),
        "data": {
            "shop_expire_soon": [shop.shop_id],
            "merchant_expire_soon": [],
            "expire_before": int(ends.timestamp()),
            "page_no": 1,
            "total_page": 1,
        },
    }
    assert push(client, message).status_code == 200

    shop.refresh_from_db()
    assert shop.authorization_expiry_notice_at is not None
    assert abs((shop.authorization_expires_at - ends).total_seconds()) < 1
    page = text_of(merch_client.get(reverse("admin:shops_shop_changelist")))
    assert f"The seller's authorization of Acme SG ({shop.shop_id}) ends in 6 days" in page
    assert "(expires in 6 days)" in page


def test_the_verification_push_is_answered(client):
    answer = push(client, {"code": 0, "timestamp": 1, "data": {"verify_info": "hello"}})
    assert answer.status_code == 200 and answer.content == b""
    assert ShopeePush.objects.get().outcome == "verification"


def test_other_push_codes_are_logged_and_ignored(client, shop):
    answer = push(client, {"code": 3, "shop_id": shop.shop_id, "data": {"ordersn": "X"}})
    assert answer.status_code == 200
    assert ShopeePush.objects.get().outcome == "ignored"


def test_only_post_is_accepted(client):
    assert client.get(PUSH).status_code == 405
    assert not ShopeePush.objects.exists()


def test_without_partner_settings_a_push_is_logged_and_refused(client, settings, shop):
    settings.SHOPEE_PARTNER_KEY = ""
    answer = push(client, cancelled([shop.shop_id]))
    assert answer.status_code == 503
    assert not ShopeePush.objects.exists()
    assert RejectedPush.objects.get().reason == "unavailable"
    assert not Shop.objects.get(pk=shop.pk).needs_reauth


def test_an_oversized_push_is_logged_and_refused(client, settings, shop):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = b'{"code": 2, "pad": "' + b"x" * 2000 + b'"}'
    answer = push(client, None, raw=raw)
    assert answer.status_code == 413
    assert not ShopeePush.objects.exists()
    row = RejectedPush.objects.get()
    assert (row.reason, row.http_status, row.body_size, row.body_sha256) == (
        "too_large",
        413,
        len(raw),  # as announced: the body was not read
        "",
    )


def test_auditors_browse_the_push_log_read_only(client, merch_client, shop, viewer):
    push(client, cancelled([shop.shop_id]))
    push(client, cancelled([shop.shop_id]), authorization="f" * 64)
    viewer.user_permissions.add(Permission.objects.get(codename="view_shopeepush"))
    client.force_login(viewer)

    listing = client.get(reverse("admin:audit_shopeepush_changelist"), {"q": shop.shop_id})
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Applied" in text
    assert PARTNER_KEY not in text and "f" * 64 not in text
    assert client.get(reverse("admin:audit_rejectedpush_changelist")).status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="view_rejectedpush"))
    rejected = client.get(reverse("admin:audit_rejectedpush_changelist"))
    assert "Bad or missing signature" in text_of(rejected)
    assert "f" * 64 not in rejected.content.decode()
    row = ShopeePush.objects.filter(outcome="applied").get()
    detail = client.get(reverse("admin:audit_shopeepush_change", args=[row.pk]))
    assert detail.status_code == 200 and "shop_id_list" in detail.content.decode()
    assert client.post(reverse("admin:audit_shopeepush_delete", args=[row.pk])).status_code == 403
    assert (ShopeePush.objects.count(), RejectedPush.objects.count()) == (1, 1)


def test_a_known_shop_listed_in_code_1_clears_an_expiry_warning(client):
    shop = ShopFactory(authorization_expiry_notice_at=timezone.now())
    message = {
        "code": 1,
        "shop_id": shop.shop_id,
        "timestamp": int(timezone.now().timestamp()),
        "data": {"shop_id_list": [shop.shop_id], "success": 1},
    }
    assert push(client, message).status_code == 200
    assert Shop.objects.get(pk=shop.pk).authorization_expiry_notice_at is None


def test_nul_characters_are_kept_out_of_the_log(client, shop):
    # PostgreSQL's text and jsonb refuse NUL: the log keeps a replacement character instead.
    valid = {"code": 3, "shop_id": shop.shop_id, "data": {"extra": "a\x00b"}}
    assert push(client, valid).status_code == 200
    assert (
        push(client, None, raw=b'{"code": 2, "x": "\\u0000"}', authorization="0" * 64).status_code
        == 401
    )
    assert push(client, None, raw=b"\x00\x00 not json").status_code == 400
    assert ShopeePush.objects.get().body["data"]["extra"] == "a\ufffdb"
    refused, malformed = RejectedPush.objects.order_by("id")
    assert refused.body_prefix == '{"code": 2, "x": "\\u0000"}'  # JSON's escape, kept as sent
    assert malformed.body_prefix.startswith("\ufffd\ufffd")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_a_push_row(client, shop):
    push(client, cancelled([shop.shop_id]))
    row = ShopeePush.objects.get()
    for sql in (
        "UPDATE vouchers_shopeepush SET detail = 'edited' WHERE id = %s",
        "DELETE FROM vouchers_shopeepush WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [row.pk])
    row.refresh_from_db()
    assert row.detail.startswith("Authorization cancelled")


def test_a_rejected_push_keeps_its_size_hash_and_prefix_not_its_body(client, shop):
    body = json.dumps(cancelled([shop.shop_id]) | {"pad": "é" * 5000}).encode()

    assert push(client, None, raw=body, authorization="0" * 64).status_code == 401

    row = RejectedPush.objects.get()
    assert row.body_size == len(body)
    assert row.body_sha256 == hashlib.sha256(body).hexdigest()
    assert row.body_prefix == body[:64].decode()
    assert row.received_at is not None and row.detail == "Wrong signature."


def test_a_prefix_cut_inside_a_character_is_stored(client):
    body = b"a" * 63 + "é".encode()  # the 64th byte is half of "é"
    assert push(client, None, raw=body, authorization=False).status_code == 401
    assert RejectedPush.objects.get().body_prefix == "a" * 63 + "\ufffd"


def database_bytes() -> int:
    """What the push tables occupy (PostgreSQL: pages with their indexes and TOAST), or what
    the whole database occupies (SQLite: pages in use)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('vouchers_shopeepush')"
                " + pg_total_relation_size('vouchers_rejectedpush')"
            )
            return cursor.fetchone()[0]
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA freelist_count")
        pages -= cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0]


FLOOD = int(os.environ.get("PUSH_FLOOD_COUNT", "200"))


def test_a_flood_of_unsigned_64_kb_pushes_is_cheap(client, shop):
    """10,000 unsigned 64 KB pushes must add under 5 MB to the database: measured on N of them
    (PUSH_FLOOD_COUNT, default 200), bodies of random hex that do not compress."""
    before = database_bytes()
    for _ in range(FLOOD):
        pad = secrets.token_hex(32_700)
        body = json.dumps({"code": 2, "shop_id": shop.shop_id, "pad": pad}).encode()
        assert len(body) <= 65_536
        answer = push(client, None, raw=body, authorization=False)
        assert answer.status_code == 401
    grown = database_bytes() - before

    per_push = grown / FLOOD
    print(f"push_flood: {FLOOD} pushes, {grown} bytes, {per_push:.0f} bytes a push")
    assert per_push * 10_000 < 5 * 1024 * 1024, f"{per_push:.0f} bytes a rejected push"
    assert RejectedPush.objects.count() == FLOOD and not ShopeePush.objects.exists()
    assert not Shop.objects.get(pk=shop.pk).needs_reauth


def rejected_pushes_migration(executor):
    [key] = [key for key in executor.loader.disk_migrations if key[1].endswith("_rejected_pushes")]
    return key, executor.loader.get_migration(*key).dependencies


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_moves_rejected_pushes_out_of_the_push_log():
    executor = MigrationExecutor(connection)
    migration, before = rejected_pushes_migration(executor)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldPush = old_apps.get_model("vouchers", "ShopeePush")
    common = {"source": "push", "remote_addr": "203.0.113.7"}
    OldPush.objects.create(**common, outcome="applied", signature_valid=True, http_status=200)
    OldPush.objects.create(
        **common, outcome="refused", http_status=401, detail="Refused", body={"pad": "x" * 9000}
    )
    OldPush.objects.create(
        **common, outcome="malformed", http_status=413, detail="Too large", body_excerpt=""
    )
    OldPush.objects.create(
        **common, outcome="malformed", http_status=400, detail="Bad", body_excerpt="{oops" * 99
    )
    OldPush.objects.create(**common, outcome="unavailable", http_status=503, detail="Off")
    OldPush.objects.create(source="lost_push", outcome="malformed", signature_valid=True)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    kept = ShopeePush.objects.order_by("id")
    assert [(p.source, p.outcome) for p in kept] == [
        ("push", "applied"),
        ("lost_push", "malformed"),  # fetched from Shopee: it stays
    ]
    moved = RejectedPush.objects.order_by("id")
    assert [(r.reason, r.http_status, r.detail) for r in moved] == [
        ("signature", 401, "Refused"),
        ("too_large", 413, "Too large"),
        ("malformed", 400, "Bad"),
        ("unavailable", 503, "Off"),
    ]
    assert moved[0].body_prefix == '{"pad": "' + "x" * 55
    assert moved[2].body_prefix == ("{oops" * 13)[:64]
    assert all(r.remote_addr == "203.0.113.7" and r.body_size is None for r in moved)
    if connection.vendor == "postgresql":  # the push log's trigger is back on
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM vouchers_shopeepush")


def test_team_members_see_no_rejected_push(client, shop):
    push(client, cancelled([shop.shop_id]), authorization=False)
    member = UserFactory(username="member", permissions=["audit.view_rejectedpush"])
    client.force_login(member)

    listing = client.get(reverse("admin:audit_rejectedpush_changelist"))

    assert listing.status_code == 200
    assert "0 rejected Shopee pushes" in text_of(listing)
    row = RejectedPush.objects.get()
    detail = client.get(reverse("admin:audit_rejectedpush_change", args=[row.pk]))
    assert detail.status_code == 302  # Django's answer for an object out of reach


def test_the_source_address_is_the_senders_behind_our_proxy(client, settings, shop):
    settings.TRUSTED_PROXY_COUNT = 1
    body = json.dumps(cancelled([shop.shop_id])).encode()
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.50", "REMOTE_ADDR": "10.0.0.2"}

    client.post(PUSH, body, content_type="application/json", **forwarded)  # unsigned
    client.post(
        PUSH, body, content_type="application/json", HTTP_AUTHORIZATION=signed(body), **forwarded
    )

    assert RejectedPush.objects.get().remote_addr == "203.0.113.50"  # what our proxy saw
    assert ShopeePush.objects.get().remote_addr == "203.0.113.50"
