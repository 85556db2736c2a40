""" "Select all" over a filter that matches nothing: a message, and no empty run."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from runs.models import EndRun
from tests.factories import ShopTokenFactory, VoucherFactory
from tests.pages import CHANGELIST, END_URL, messages_of

pytestmark = pytest.mark.django_db

NOTHING = "No voucher matches this selection: nothing was ended and no run was created."


@pytest.fixture
def voucher(sandbox):
    voucher = VoucherFactory(shop=ShopTokenFactory().shop, voucher_code="SALE1")
    sandbox.mirror()
    return voucher


def test_select_all_over_an_empty_filter_says_so(merch_client, voucher):
    # The page's box ticked, then "select all" over a filter that (by now) matches nothing.
    response = merch_client.post(
        f"{CHANGELIST}?q=NOSUCHCODE",
        {
            "action": "end_selected_vouchers",
            ACTION_CHECKBOX_NAME: [voucher.pk],
            "select_across": "1",
            "index": 0,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert NOTHING in messages_of(response)
    assert b'id="confirm-end"' not in response.content
    assert not EndRun.objects.exists()


def test_confirming_an_empty_filter_creates_no_run(merch_client, voucher):
    response = merch_client.post(
        END_URL, {"select_across": "1", "filters": "q=NOSUCHCODE"}, follow=True
    )
    assert response.status_code == 200
    assert NOTHING in messages_of(response)
    assert not EndRun.objects.exists()


def test_a_filter_that_matches_still_creates_its_run(merch_client, voucher):
    merch_client.post(END_URL, {"select_across": "1", "filters": "q=SALE1"}, follow=True)
    assert EndRun.objects.get().items.count() == 1
