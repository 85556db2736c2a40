"""Seeding of bench/campaign.py: connected shops, and a campaign of every kind at Shopee.

Only the shops (and their tokens) are written to the database: the campaign's promotions exist
at Shopee (the sandbox's reset document), and "Stop a campaign" reads them into our records as
staff would (its read job, then the run's own fresh read).

Each kind's promotions of a shop are a mix: mostly ongoing (ended, or a shop flash sale switched
off), about a quarter upcoming (deleted), and for the kinds Shopee can manage itself a few
created by Shopee (skipped before any call). Every promotion's name holds CAMPAIGN_NAME.
"""

from common import PARTNER_ID, PARTNER_KEY

CAMPAIGN_NAME = "Bench campaign"
HOUR, DAY = 3600, 86400

# Shopee's id field of each kind, and where its ids start (ids are global per kind).
ID_FIELDS = {
    "voucher": ("voucher_id", 7_500_000_000),
    "discount": ("discount_id", 661_460_180_000_000),
    "bundle_deal": ("bundle_deal_id", 213_000),
    "add_on_deal": ("add_on_deal_id", 52_000),
    "follow_prize": ("campaign_id", 41_500),
    "shop_flash_sale": ("flash_sale_id", 669_260_830_000_000),
}
# What makes one Shopee-managed at Shopee (follow prizes and, by its own status, flash sales
# have none here: a flash sale Shopee rejected is status 3, never live).
MANAGED = {
    "voucher": {"is_admin": True},
    "discount": {"source": 1},
    "bundle_deal": {"shopee_created": True},
    "add_on_deal": {"source": 0},
}
NAME_FIELDS = {
    "voucher": "voucher_name",
    "discount": "discount_name",
    "bundle_deal": "name",
    "add_on_deal": "add_on_deal_name",
    "follow_prize": "follow_prize_name",
}


def kind_states(kind: str, count: int) -> list[str]:
    """`count` states for one shop's promotions of `kind`: "managed", "upcoming", "ongoing"."""
    managed = max(1, count // 20) if kind in MANAGED and count >= 5 else 0
    upcoming = max(1, count // 4) if count >= 2 else 0
    return (
        ["managed"] * managed + ["upcoming"] * upcoming + ["ongoing"] * (count - managed - upcoming)
    )


def promotion(kind: str, state: str, *, shop_id: int, promotion_id: int, now: int, n: int):
    """One record of the reset document."""
    id_field, _ = ID_FIELDS[kind]
    if kind == "shop_flash_sale":  # one-hour slots: the ongoing one started 30 minutes ago
        start = now - HOUR // 2 if state != "upcoming" else now + 2 * HOUR + n * HOUR
        record = {"start_time": start, "end_time": start + HOUR, "item_count": 3}
        record["enabled_item_count"] = 3
    else:
        # Ongoing ones started a day ago (a discount ends only after an hour); upcoming ones
        # start tomorrow (follow prizes of a shop never overlap: a week apart).
        start = now - DAY if state != "upcoming" else now + DAY + n * 7 * DAY
        record = {"start_time": start, "end_time": start + 5 * DAY}
        record[NAME_FIELDS[kind]] = f"{CAMPAIGN_NAME} {promotion_id}"
    if kind == "voucher":
        record["voucher_code"] = f"BC{promotion_id}"
    if state == "managed":
        record |= MANAGED[kind]
    return {"shop_id": shop_id, id_field: promotion_id, **record}


def campaign_document(shop_documents: list[dict], counts: dict[str, int], now: int) -> dict:
    """The sandbox's reset document: the shops and, per shop, `counts[kind]` promotions of each
    kind in the mix of `kind_states`."""
    vouchers, promotions = [], {kind: [] for kind in counts if kind != "voucher"}
    for shop_no, shop in enumerate(shop_documents):
        for kind, count in counts.items():
            _, first_id = ID_FIELDS[kind]
            states = kind_states(kind, count)
            upcoming = 0
            for index, state in enumerate(states):
                record = promotion(
                    kind,
                    state,
                    shop_id=shop["shop_id"],
                    promotion_id=first_id + shop_no * 1000 + index,
                    now=now,
                    n=upcoming,
                )
                upcoming += state == "upcoming"
                (vouchers if kind == "voucher" else promotions[kind]).append(record)
    return {
        "partners": [{"partner_id": PARTNER_ID, "partner_key": PARTNER_KEY}],
        "shops": shop_documents,
        "vouchers": vouchers,
        "promotions": promotions,
    }


def shops_seed(count: int, *, first_shop_id: int) -> list[dict]:
    """`count` connected shops in the database (region SG, tokens set); returns their sandbox
    documents (same ids, names and tokens)."""
    from shops.models import Shop
    from shops.services.shops import shop_tokens_set

    documents = []
    for n in range(count):
        shop = Shop.objects.create(shop_id=first_shop_id + n, name=f"Bench shop {n}", region="SG")
        token, refresh = f"{n:032x}", f"{n + 1000:032x}"
        shop_tokens_set(shop=shop, access_token=token, refresh_token=refresh)
        documents.append(
            {
                "shop_id": shop.shop_id,
                "partner_id": PARTNER_ID,
                "name": shop.name,
                "region": "SG",
                "access_token": token,
                "refresh_token": refresh,
            }
        )
    return documents


# Shopee-managed, but the kind's lists do not say so: planned, sent, and refused by Shopee.
MANAGED_UNLISTED = {"bundle_deal": "bundle.bundle_deal_no_auth_update"}


def expected_actions(counts: dict[str, int], shops: int) -> dict[str, int]:
    """What the run should send over `shops` shops: {"end"/"disable"/"delete": count}, the
    Shopee-managed bundle deals' ends (refused) included."""
    expected = {"end": 0, "disable": 0, "delete": 0}
    for kind, count in counts.items():
        states = kind_states(kind, count)
        stop = "disable" if kind == "shop_flash_sale" else "end"
        expected[stop] += states.count("ongoing") * shops
        expected["delete"] += states.count("upcoming") * shops
        if kind in MANAGED_UNLISTED:
            expected[stop] += states.count("managed") * shops
    return expected


def expected_refusals(counts: dict[str, int], shops: int) -> int:
    """The writes Shopee refuses: the managed ones its lists do not show."""
    return sum(
        kind_states(kind, counts[kind]).count("managed") * shops for kind in MANAGED_UNLISTED
    )
