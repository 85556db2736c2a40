"""Shop-local times: lists and pages say when in each shop's own time; End at in a region's."""

import datetime as dt

import pytest
from django.urls import reverse

from core.regions import region_time, region_zone
from runs.models import EndRun
from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
from tests.pages import ask_to_end, messages_of, text_of
from tests.vouchers.test_end_on_shopee_word import confirm_with

pytestmark = pytest.mark.django_db

# A midnight always ahead of today, so an "end at" there is in the future whenever the suite runs.
Y = dt.datetime.now(dt.UTC).year + 1
MIDNIGHT_UTC = dt.datetime(Y, 1, 10, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def shops(sandbox):
    thailand = ShopTokenFactory(shop=ShopFactory(name="Acme TH", shop_id=7301, region="TH")).shop
    singapore = ShopTokenFactory(shop=ShopFactory(name="Acme SG", shop_id=7302, region="SG")).shop
    brazil = ShopTokenFactory(shop=ShopFactory(name="Acme BR", shop_id=7303, region="BR")).shop
    return {"TH": thailand, "SG": singapore, "BR": brazil}


def test_each_region_has_its_time_zone():
    assert str(region_zone("TH")) == "Asia/Bangkok"
    assert str(region_zone("id")) == "Asia/Jakarta"
    assert str(region_zone("BR")) == "America/Sao_Paulo"
    assert region_time(MIDNIGHT_UTC, "TH") == f"{Y}-01-10 07:00 +07"
    assert region_time(MIDNIGHT_UTC, "SG") == f"{Y}-01-10 08:00 +08"
    assert region_time(MIDNIGHT_UTC, "BR") == f"{Y}-01-09 21:00 -03"


def test_the_voucher_list_shows_the_shops_time_beside_the_sites(merch_client, shops):
    VoucherFactory(
        shop=shops["TH"],
        voucher_code="THAI1",
        start_time=MIDNIGHT_UTC - dt.timedelta(days=30),
        end_time=MIDNIGHT_UTC,
    )
    page = text_of(merch_client.get(reverse("admin:vouchers_voucher_changelist")))
    assert f"{Y - 1}-12-11 07:00 +07 → {Y}-01-10 07:00 +07" in page


def test_end_at_is_entered_in_a_shop_regions_time(merch_client, shops, sandbox):
    vouchers = [
        VoucherFactory(shop=shops["TH"], end_time=MIDNIGHT_UTC + dt.timedelta(days=30)),
        VoucherFactory(shop=shops["SG"], end_time=MIDNIGHT_UTC + dt.timedelta(days=30)),
    ]
    confirmation = ask_to_end(merch_client, vouchers)
    page = text_of(confirmation)
    assert "TH time (Asia/Bangkok)" in page and "SG time (Asia/Singapore)" in page
    assert "BR time" not in page  # only the regions involved

    # "End at midnight in Bangkok"
    response = confirm_with(
        merch_client, confirmation, end_at=f"{Y}-01-10T00:00", end_at_zone="Asia/Bangkok"
    )

    run = EndRun.objects.get()
    assert run.end_at == dt.datetime(Y, 1, 9, 17, 0, tzinfo=dt.UTC)
    said = " ".join(messages_of(response))
    assert f"that is SG {Y}-01-10 01:00 +08; TH {Y}-01-10 00:00 +07" in said
    run_page = text_of(merch_client.get(reverse("admin:runs_endrun_change", args=[run.pk])))
    assert f"That is SG {Y}-01-10 01:00 +08; TH {Y}-01-10 00:00 +07." in run_page


def test_a_zone_not_offered_is_refused(merch_client, shops):
    voucher = VoucherFactory(shop=shops["TH"], end_time=MIDNIGHT_UTC + dt.timedelta(days=30))
    response = confirm_with(
        merch_client,
        ask_to_end(merch_client, [voucher]),
        end_at=f"{Y}-01-10T00:00",
        end_at_zone="Europe/Nowhere",
    )
    assert response.status_code == 200
    assert "Select a valid choice. Europe/Nowhere is not one of the available" in text_of(response)
    assert not EndRun.objects.exists()
