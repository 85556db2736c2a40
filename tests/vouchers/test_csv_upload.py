"""Importing a CSV to end vouchers: upload, check, confirm, through the admin."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from runs.models import EndRun, VoucherSelection
from runs.services import csv_import
from tests.factories import (
    MERCHANDISER_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
    VoucherFactory,
)
from tests.pages import CHANGELIST, END_URL, confirm, text_of
from vouchers.admin import csv_upload
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:vouchers_voucher_import")


def upload(client, data: bytes | str, name="end.csv"):
    if isinstance(data, str):
        data = data.encode()
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data, "text/csv")})


@pytest.fixture
def north(sandbox):
    shop = ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop
    return {
        "first": VoucherFactory(shop=shop, voucher_id=5_000_000_001, voucher_code="SALE1"),
        "second": VoucherFactory(shop=shop, voucher_id=5_000_000_002, voucher_code="SALE2"),
        "expired": VoucherFactory(shop=shop, voucher_id=5_000_000_003, expired=True),
        "not_listed": VoucherFactory(shop=shop, voucher_id=5_000_000_004),
    }


def test_the_button_and_the_upload_page(merch_client, north):
    changelist = merch_client.get(CHANGELIST)
    assert f'href="{IMPORT_URL}"' in changelist.content.decode()
    assert "Import CSV to end vouchers" in text_of(changelist)

    page = merch_client.get(IMPORT_URL)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "shop_id" in text_of(page) and "voucher_code" in text_of(page)
    assert "7001,5000000001" in text_of(page)  # the example


def test_upload_shows_invalid_lines_above_the_confirmation_then_ends_the_valid(merch_client, north):
    csv_text = (
        "Shop ID;Voucher ID;Voucher code;Note\n"
        "7001;5000000001;;spring\n"  # 2
        "7001;;SALE2;\n"  # 3
        "9999;5000000001;;\n"  # 4: unknown shop
        "7001;5000000003;;\n"  # 5: valid row, expired voucher: skipped by the plan
        "7001;abc;;\n"  # 6
        "7001;5000000001;;again\n"  # 7: duplicate
    )
    page = upload(merch_client, "\ufeff" + csv_text)

    assert page.status_code == 200
    text = text_of(page)
    assert "6 rows read: 3 vouchers found, 3 rows with errors." in text
    assert "4 Shop 9999 is not one of our shops." in text
    assert "6 The voucher id “abc” is not a whole number." in text
    assert "7 Same voucher as line 2." in text
    assert "2 vouchers will be ended on Shopee , and 1 will be skipped" in text
    html = page.content.decode()
    assert html.index('id="import-errors"') < html.index('id="end-summary"')
    assert not EndRun.objects.exists()  # nothing before confirming
    assert not ShopeeCall.objects.exists()

    confirmed = confirm(merch_client, page)

    run = EndRun.objects.get()
    assert confirmed.redirect_chain[-1][0] == reverse("admin:runs_endrun_change", args=[run.pk])
    # Whether the expired one is live is Shopee's word, read when the run starts.
    items = {item.voucher_id: item.state for item in run.items.all()}
    assert items == {
        north["first"].pk: "pending",
        north["second"].pk: "pending",
        north["expired"].pk: "pending",
    }


def test_a_file_without_valid_rows_shows_the_errors_and_the_form_again(merch_client, north):
    page = upload(merch_client, "shop_id,voucher_code\n7001,NOPE\n9999,SALE1\n")

    assert page.status_code == 200
    text = text_of(page)
    assert "2 No voucher with the code “NOPE” in shop 7001." in text
    assert "3 Shop 9999 is not one of our shops." in text
    html = page.content.decode()
    assert 'id="import-form"' in html and 'type="file"' in html
    assert "end-summary" not in html and reverse("admin:vouchers_voucher_end") not in html
    assert not EndRun.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_its_line(merch_client, north):
    page = upload(merch_client, "shop_id,voucher_code\n7001,CAFÉ\n".encode("cp1252"))
    text = text_of(page)
    assert "Nothing was imported" in text
    assert "line 2 has bytes that are not UTF-8" in text
    assert 'id="import-form"' in page.content.decode()


def test_a_header_only_file_says_so(merch_client, north):
    page = upload(merch_client, "shop_id,voucher_id\n")
    assert "The file has no rows below its header." in text_of(page)
    assert not EndRun.objects.exists()


def test_a_file_over_10_mb_is_refused_by_the_form(merch_client, north):
    page = upload(merch_client, b"shop_id,voucher_id\n" + b"7" * (10 * 1024 * 1024))
    assert page.status_code == 200
    assert "The file is larger than 10 MB" in text_of(page)
    assert page.context["form"].errors
    assert not EndRun.objects.exists()


def bytes_read(response) -> int:
    """How much of the request's body the server read (the test client's payload counts
    down as it is read)."""
    request = response.wsgi_request
    return int(request.META["CONTENT_LENGTH"]) - len(request.META["wsgi.input"])


@pytest.fixture
def small_limit(monkeypatch):
    """A 100 KB limit, so that going over it costs the test little."""
    monkeypatch.setattr(csv_import, "MAX_BYTES", 100 * 1024)
    return 100 * 1024


def test_an_upload_declared_over_the_limit_is_refused_before_it_is_read(merch_client, small_limit):
    page = upload(merch_client, b"shop_id,voucher_id\n" + b"7" * (1024 * 1024))
    assert page.status_code == 200
    assert "The file is larger than 0 MB: split it into smaller files." in text_of(page)
    assert page.context["form"].errors
    assert bytes_read(page) == 0
    assert not VoucherSelection.objects.exists()


def test_a_100_mb_upload_is_refused_without_reading_it(merch_client, north):
    body = b"--xyz\r\n"  # all there is of the "100 MB": reading more would fail the test
    page = merch_client.generic(
        "POST",
        IMPORT_URL,
        body,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert page.status_code == 200
    assert "The file is larger than 10 MB: split it into smaller files." in text_of(page)


def test_an_upload_over_the_limit_is_stopped_while_it_is_read(
    merch_client, small_limit, monkeypatch
):
    # The declared size passes (as when a client sends no honest one): the handler decides.
    monkeypatch.setattr(csv_upload, "FORM_OVERHEAD_BYTES", 100 * 1024 * 1024)
    data = b"shop_id,voucher_id\n" + b"7" * (4 * 1024 * 1024)
    page = upload(merch_client, data)
    assert page.status_code == 200
    assert "The file is larger than 0 MB: split it into smaller files." in text_of(page)
    # Stopped at the limit, give or take a chunk of the parser's reads (64 KB): the rest unread.
    assert bytes_read(page) < small_limit + 3 * 64 * 1024 < len(data)
    assert not VoucherSelection.objects.exists()


def test_an_upload_at_the_limit_is_read(merch_client, north, small_limit):
    data = b"shop_id,voucher_id\n7001,5000000001\n"
    page = upload(merch_client, data + b" " * (small_limit - len(data)))
    assert "1 voucher will be ended on Shopee" in text_of(page)


def test_the_csrf_token_is_still_checked(north):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="csrf", permissions=MERCHANDISER_PERMISSIONS))
    data = b"shop_id,voucher_id\n7001,5000000001\n"
    refused = upload(client, data)
    assert refused.status_code == 403
    assert not VoucherSelection.objects.exists()
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(IMPORT_URL).content.decode()
    ).group(1)
    page = client.post(
        IMPORT_URL,
        {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("end.csv", data, "text/csv")},
    )
    assert "1 voucher will be ended on Shopee" in text_of(page)


def test_a_large_file_is_confirmed_by_reference_not_by_ids(merch_client, north):
    start = timezone.now() - dt.timedelta(days=1)
    Voucher.objects.bulk_create(
        Voucher(
            shop=north["first"].shop,
            voucher_id=6_000_000_000 + n,
            voucher_code=f"L{n}",
            start_time=start,
            end_time=start + dt.timedelta(days=9),
        )
        for n in range(2500)
    )
    rows = "".join(f"7001,{6_000_000_000 + n}\n" for n in range(2500))
    page = upload(merch_client, "shop_id,voucher_id\n" + rows)
    html = page.content.decode()
    assert "2,500 vouchers will be ended on Shopee" in text_of(page)
    assert 'name="selection"' in html
    assert html.count('type="hidden"') < 10  # far below Django's 1,000-field limit

    # The saved selection is the uploader's own.
    other = Client()
    other.force_login(
        UserFactory(username="other", permissions=["vouchers.end_voucher", "vouchers.view_voucher"])
    )
    selection = re.search(r'name="selection" value="([^"]+)"', html).group(1)
    stolen = other.post(END_URL, {"selection": selection}, follow=True)
    assert "The selection was not valid" in text_of(stolen)

    confirmed = confirm(merch_client, page)
    assert confirmed.status_code == 200
    assert EndRun.objects.get().items.count() == 2500
    assert "from the CSV file" in EndRun.objects.get().selection


def test_without_the_permission_no_button_and_403(client, viewer, north):
    client.force_login(viewer)
    changelist = client.get(CHANGELIST)
    assert changelist.status_code == 200
    assert IMPORT_URL not in changelist.content.decode()

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, "shop_id,voucher_id\n7001,5000000001\n").status_code == 403
    assert not EndRun.objects.exists()
