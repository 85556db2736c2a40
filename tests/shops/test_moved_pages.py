"""Pages of models that moved to their subject's app answer at their old addresses too."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_shopee_sending_a_seller_to_the_old_callback_reaches_the_new_one(client):
    response = client.get("/admin/vouchers/shop/connect/callback/?code=abc&shop_id=501")

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("admin:shops_shop_connect_callback") + "?code=abc&shop_id=501"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/vouchers/shop/", "admin:shops_shop_changelist"),
        ("/admin/vouchers/shopeecall/", "admin:audit_shopeecall_changelist"),
        ("/admin/vouchers/endrun/", "admin:runs_endrun_changelist"),
        ("/admin/vouchers/shopjob/", "admin:jobs_shopjob_changelist"),
    ],
)
def test_an_old_bookmark_reaches_the_moved_list(admin_client, old, new):
    response = admin_client.get(old, follow=True)

    assert response.redirect_chain == [(reverse(new), 302)]
    assert response.status_code == 200


def test_the_vouchers_list_stays_where_it_was(admin_client):
    assert reverse("admin:vouchers_voucher_changelist") == "/admin/vouchers/voucher/"
    assert admin_client.get("/admin/vouchers/voucher/").status_code == 200
