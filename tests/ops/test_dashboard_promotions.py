"""The dashboard's live promotions per shop count every kind of promotion, not only vouchers:
live = ongoing or upcoming by their times, and not ended or deleted through shopadmin; seen only
by staff who may view promotions, restricted to their teams, in a constant number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from promotions.models import Promotion, PromotionKindName
from tests.ops.test_dashboard import HOME, board_of, two_teams  # noqa: F401 (a fixture)

DAY = dt.timedelta(days=1)


def promotion(shop, kind, *, starts, ends, **fields):
    now = timezone.now()
    return Promotion.objects.create(
        shop=shop,
        kind=kind,
        promotion_id=Promotion.objects.count() + 1,
        start_time=now + starts,
        end_time=now + ends,
        **fields,
    )


@pytest.fixture
def promotions(two_teams):  # noqa: F811 (the imported fixture)
    """North: an ongoing discount, an ongoing flash sale, an upcoming bundle deal, and three
    that are not live (expired, ended and deleted through shopadmin). South: an add-on deal."""
    north, south = two_teams["north"], two_teams["south"]
    promotion(north, PromotionKindName.DISCOUNT, starts=-DAY, ends=DAY)
    promotion(north, PromotionKindName.SHOP_FLASH_SALE, starts=-DAY, ends=DAY)
    promotion(north, PromotionKindName.BUNDLE_DEAL, starts=DAY, ends=2 * DAY)
    promotion(north, PromotionKindName.DISCOUNT, starts=-2 * DAY, ends=-DAY)
    promotion(north, PromotionKindName.FOLLOW_PRIZE, starts=-DAY, ends=DAY, ended_at=timezone.now())
    promotion(
        north, PromotionKindName.DISCOUNT, starts=DAY, ends=2 * DAY, deleted_at=timezone.now()
    )
    promotion(south, PromotionKindName.ADD_ON_DEAL, starts=-DAY, ends=DAY)
    return two_teams


def test_every_kind_of_live_promotion_is_counted_per_shop(admin_client, promotions):
    board = board_of(admin_client.get(HOME))
    assert [kind for kind, _label in board.live_kinds] == ["voucher", "promotion"]
    counts = {shop.name: shop.counts for shop in board.live_shops}
    assert counts["North Store"] == {"voucher": (2, 1), "promotion": (2, 1)}
    assert counts["South Store"] == {"voucher": (1, 0), "promotion": (1, 0)}
    assert board.live_totals == {"voucher": (3, 1), "promotion": (3, 1)}
    assert [shop.name for shop in board.live_shops] == ["North Store", "South Store"]
    assert "Promotions" in admin_client.get(HOME).text


def test_a_team_member_who_may_view_promotions_sees_their_shops_only(client, promotions):
    user = promotions["south_user"]
    client.force_login(user)
    assert [kind for kind, _ in board_of(client.get(HOME)).live_kinds] == ["voucher"]
    team = user.groups.get()
    team.permissions.add(Permission.objects.get(codename="view_promotion"))
    board = board_of(client.get(HOME))
    assert [(shop.name, shop.counts) for shop in board.live_shops] == [
        ("South Store", {"voucher": (1, 0), "promotion": (1, 0)})
    ]


def test_counting_promotions_takes_as_many_queries_whatever_their_number(admin_client, promotions):
    admin_client.get(HOME)  # warm up (session, content types)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(HOME).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for kind in PromotionKindName.values:
        for n in range(5):
            promotion(promotions["south"], kind, starts=-DAY, ends=(n + 1) * DAY)
    assert queries() == before
    board = board_of(admin_client.get(HOME))
    assert board.live_totals["promotion"] == (3 + 5 * 5, 1)
