"""Which shops we really hold: get_shops_by_partner compared with ours, by maintain_shops and by
the "Check authorizations at Shopee" action."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from shopee.client import get_client
from shopee.errors import ShopeeTransientError
from shops.models import Shop
from shops.services.authorizations import NOT_LISTED, shops_authorization_check
from tests.factories import ShopTokenFactory
from tests.jobs.follow import follow_job, job_outcome

pytestmark = pytest.mark.django_db

LIST = "/api/v2/public/get_shops_by_partner"
SHOPS = reverse("admin:shops_shop_changelist")


@pytest.fixture
def shops(sandbox):
    """Three connected shops of ours, all authorized at Shopee."""
    tokens = [ShopTokenFactory(shop__name=f"Ours {n}") for n in range(3)]
    sandbox.mirror()
    return [token.shop for token in tokens]


def test_a_shop_shopee_no_longer_lists_is_flagged(sandbox, shops):
    kept, cancelled, _ = shops
    sandbox.control.cancel_authorization(cancelled.shop_id)

    report = shops_authorization_check(client=get_client())

    assert report.listed == 2
    assert (
        [shop.pk for shop in report.lost] == [shop.pk for shop in report.flagged] == [cancelled.pk]
    )
    cancelled.refresh_from_db()
    assert cancelled.needs_reauth and cancelled.needs_reauth_reason == NOT_LISTED
    kept.refresh_from_db()
    at_shopee = sandbox.shop_state(kept.shop_id)
    assert int(kept.authorization_expires_at.timestamp()) == at_shopee["auth_expire_time"]
    assert int(kept.authorized_at.timestamp()) == at_shopee["auth_time"]
    assert kept.authorization_checked_at is not None and not kept.needs_reauth
    call = ShopeeCall.objects.get(endpoint=LIST)
    assert call.outcome == "success" and call.request["query"]["sign"] == "[redacted]"


def test_every_page_is_read_and_shops_not_connected_here_are_reported(sandbox, db):
    ours = [ShopTokenFactory(shop__shop_id=10_000 + n) for n in (0, 149)]
    sandbox.seed(shops=[{"shop_id": 10_000 + n} for n in range(150)])

    report = shops_authorization_check(client=get_client())

    assert report.listed == 150 and not report.lost
    assert len(report.not_connected) == 148 and 10_000 not in report.not_connected
    assert [call["query"]["page_no"] for call in sandbox.calls(LIST)] == ["1", "2"]
    checked = Shop.objects.filter(authorization_checked_at__isnull=False)
    assert set(checked.values_list("pk", flat=True)) == {token.shop.pk for token in ours}


def test_a_failed_call_changes_nothing(sandbox, shops):
    sandbox.control.cancel_authorization(shops[0].shop_id)
    sandbox.control.set_faults([{"path": LIST, "kind": "http_status", "status": 502}])

    with pytest.raises(ShopeeTransientError):
        shops_authorization_check(client=get_client())

    assert not Shop.objects.filter(needs_reauth_since__isnull=False).exists()


def test_an_authorization_that_has_ended_is_flagged(sandbox, shops):
    sandbox.control.update_shop(shops[0].shop_id, auth_expire_time=sandbox.control.now() - 1)
    shops_authorization_check(client=get_client())
    # Shopee no longer lists an expired authorization.
    assert Shop.objects.get(pk=shops[0].pk).needs_reauth


def test_the_action_checks_the_selected_shops(merch_client, sandbox, shops):
    sandbox.control.cancel_authorization(shops[1].shop_id)
    response = follow_job(
        merch_client,
        merch_client.post(
            SHOPS,
            {"action": "check_authorizations", ACTION_CHECKBOX_NAME: [shops[0].pk, shops[1].pk]},
        ),
    )

    said = job_outcome(response)
    assert said[0] == "Shopee lists 2 shops authorized for this app; 1 of the selected confirmed."
    assert said[1].startswith("Not authorized at Shopee any more (to be reconnected): Ours 1")
    assert Shop.objects.get(pk=shops[1].pk).needs_reauth
    # The shop to act on is listed first, with a Reconnect link in the banner above the list.
    listing = merch_client.get(SHOPS)
    assert "needs re-authorization by the seller" in listing.content.decode()
    assert [shop.pk for shop in listing.context["cl"].result_list][0] == shops[1].pk
    assert 'href="/admin/shops/shop/connect/">Reconnect</a>' in listing.content.decode()


def test_maintain_shops_applies_lost_pushes_then_checks_authorizations(sandbox, shops, capsys):
    # Shopee's push of the cancellation never reached us (no push URL): it is lost.
    sandbox.control.cancel_authorization(shops[2].shop_id)

    call_command("maintain_shops", "--no-sync")
    out = capsys.readouterr().out

    assert "Lost pushes: 1 fetched, 1 applied, 0 already received." in out
    assert "Authorizations: Shopee lists 2 shop(s); 1 of ours no longer authorized" in out
    flagged = Shop.objects.get(pk=shops[2].pk)
    assert "seller cancelled the authorization" in flagged.needs_reauth_reason
    recent = timezone.now() - dt.timedelta(minutes=1)
    assert Shop.objects.filter(authorization_checked_at__gte=recent).count() == 2
