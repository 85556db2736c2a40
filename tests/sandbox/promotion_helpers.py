"""Shared pieces of the promotion kinds' tests: a world with every kind in every state, and
calls that check Shopee's envelope exactly."""

from __future__ import annotations

from typing import Any

from tests.sandbox.helpers import SHOP2_ID, SHOP_ID, assert_request_id, world_document

HOUR, DAY = 3600, 86400
# Ids of every kind, by what they are (shop SHOP_ID unless said).
ONGOING, UPCOMING, EXPIRED = 11, 12, 13
SHOPEE_ONGOING, SHOPEE_UPCOMING = 14, 15  # Shopee-created (as each kind says it)
FRESH = 16  # ongoing, started 30 minutes ago
SHOP2 = 17  # SHOP2_ID's, ongoing
BIG = 2**40 + 7  # ongoing, an id beyond 32 bits

ID_FIELDS = {
    "discount": "discount_id",
    "bundle_deal": "bundle_deal_id",
    "add_on_deal": "add_on_deal_id",
    "follow_prize": "campaign_id",
    "shop_flash_sale": "flash_sale_id",
}
SHOPEE_CREATED = {  # how each kind's Shopee-created record is made
    "discount": {"source": 1},
    "bundle_deal": {"shopee_created": True},
    "add_on_deal": {"source": 0},
    "shop_flash_sale": {"status": 3},
}


def promotion_records(kind: str, now: int) -> list[dict[str, Any]]:
    """One kind's records of the world, times relative to ``now``."""
    id_field = ID_FIELDS[kind]
    flash = kind == "shop_flash_sale"
    length = HOUR if flash else 2 * DAY  # flash sales are one-hour slots

    def record(promotion_id, start, shop_id=SHOP_ID, **extra):
        return {
            "shop_id": shop_id,
            id_field: promotion_id,
            "start_time": now + start,
            "end_time": now + start + length,
        } | extra

    ongoing_start = -HOUR // 2 - 60 if flash else -HOUR - 60
    records = [
        record(ONGOING, ongoing_start),
        record(UPCOMING, 3 * DAY if kind == "follow_prize" else 2 * HOUR),
        record(EXPIRED, -3 * DAY),
        record(BIG, ongoing_start),
        record(SHOP2, ongoing_start, shop_id=SHOP2_ID),
    ]
    if kind in SHOPEE_CREATED:
        records += [
            record(SHOPEE_ONGOING, ongoing_start, **SHOPEE_CREATED[kind]),
            record(SHOPEE_UPCOMING, 2 * HOUR, **SHOPEE_CREATED[kind]),
        ]
    if kind == "discount":
        records.append(record(FRESH, -HOUR // 2))
    if kind == "follow_prize":  # follow prizes of one shop never overlap
        records[0]["end_time"] = now + 2 * DAY
        records[3]["start_time"], records[3]["end_time"] = now - 10 * DAY, now - 9 * DAY
        records[3]["campaign_id"] = BIG
    return records


def promotion_document(now: int) -> dict[str, Any]:
    """`world` plus every kind's records."""
    return world_document(now) | {
        "promotions": {kind: promotion_records(kind, now) for kind in ID_FIELDS}
    }


def get(shopee, kind: str, api: str, **params: Any):
    return shopee.shop("GET", f"/api/v2/{kind}/{api}", params=params)


def post(shopee, kind: str, api: str, **body: Any):
    return shopee.shop("POST", f"/api/v2/{kind}/{api}", body=body)


def success(response) -> Any:
    """A success envelope, exactly: request_id, error "", message "", response."""
    payload = response.json()
    assert response.status_code == 200, payload
    assert set(payload) == {"request_id", "error", "message", "response"}, payload
    assert (payload["error"], payload["message"]) == ("", ""), payload
    assert_request_id(payload)
    return payload["response"]


def refused(response, error: str, message: str, body: Any) -> dict[str, Any]:
    """A refusal envelope, exactly, whose ``response`` is ``body`` ({} or "")."""
    payload = response.json()
    assert response.status_code == 200, payload
    assert set(payload) == {"request_id", "error", "message", "response"}, payload
    assert (payload["error"], payload["message"], payload["response"]) == (error, message, body)
    assert_request_id(payload)
    return payload


def stored(control, kind: str, promotion_id: int) -> dict[str, Any] | None:
    """The record as the sandbox holds it (GET /_sandbox/state), None when gone."""
    id_field = ID_FIELDS[kind]
    found = [r for r in control.promotions(kind) if r[id_field] == promotion_id]
    return found[0] if found else None
