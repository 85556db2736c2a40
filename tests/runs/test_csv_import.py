"""Reading a CSV of shop and voucher ids or codes into vouchers to end (no side effects)."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from runs.models import EndRun
from runs.services import csv_import
from runs.services.csv_import import MAX_BYTES, MAX_ROWS, vouchers_from_csv
from tests.factories import ShopFactory, VoucherFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return ShopFactory(name="North", shop_id=7001)


@pytest.fixture
def vouchers(shop):
    return [
        VoucherFactory(shop=shop, voucher_id=5_000_000_001, voucher_code="SALE1"),
        VoucherFactory(shop=shop, voucher_id=5_000_000_002, voucher_code="SALE2"),
        VoucherFactory(shop=shop, voucher_id=5_000_000_003, voucher_code="SALE3"),
    ]


def read(text: str, encoding="utf-8"):
    return vouchers_from_csv(data=text.encode(encoding))


def test_ids_in_file_order(vouchers):
    result = read("shop_id,voucher_id\n7001,5000000003\n7001,5000000001\n")
    assert result.voucher_ids == [vouchers[2].pk, vouchers[0].pk]
    assert result.errors == [] and result.rows == 2
    assert result.summary == "2 rows read: 2 vouchers found."


def test_codes_semicolons_crlf_and_a_bom(vouchers):
    result = vouchers_from_csv(data=b"\xef\xbb\xbfShop ID;Voucher Code\r\n7001;SALE2\r\n")
    assert result.voucher_ids == [vouchers[1].pk] and result.errors == []


def test_excel_separator_line_and_quoted_cells(vouchers):
    result = read('sep=;\n"shop_id";"voucher_id";"note"\n"7001";"5000000001";"a; b"\n')
    assert result.voucher_ids == [vouchers[0].pk] and result.errors == []


@pytest.mark.parametrize(
    "header",
    ["shop_id,voucher_id", "SHOP_ID,VOUCHER_ID", "Shop Id , Voucher Id", "shopid,voucherid"],
)
def test_header_variants(vouchers, header):
    assert read(f"{header}\n7001,5000000001\n").voucher_ids == [vouchers[0].pk]


def test_other_columns_and_blank_rows_are_ignored(vouchers):
    text = "note,shop_id,voucher_id\n\nspring,7001,5000000001\n,,\n  \nsummer,7001,5000000002\n"
    result = read(text)
    assert result.voucher_ids == [vouchers[0].pk, vouchers[1].pk]
    assert result.errors == [] and result.rows == 2


def test_both_columns_the_id_decides_and_a_wrong_code_is_an_error(vouchers):
    text = "shop_id,voucher_id,voucher_code\n7001,5000000001,SALE1\n"
    text += "7001,5000000002,SALE3\n7001,,SALE3\n"
    result = read(text)
    assert result.voucher_ids == [vouchers[0].pk, vouchers[2].pk]
    assert result.errors == [(3, "Voucher 5000000002 has the code “SALE2”, not “SALE3”.")]


def test_each_error_by_line_number(shop, vouchers):
    ShopFactory(shop_id=7002)
    text = "\n".join(
        [
            "shop_id,voucher_id,voucher_code",  # 1
            ",5000000001,",  # 2
            "North,5000000001,",  # 3
            "9999,5000000001,",  # 4
            "7001,,",  # 5
            "7001,50000x,",  # 6
            "7002,5000000001,",  # 7: exists, but in another shop
            "7001,,NOPE",  # 8
            "7001,5000000002,",  # 9: valid
            '"7001","5.00000E+09",',  # 10
            "99999999999999999999,1,",  # 11
        ]
    )
    result = read(text)
    assert result.voucher_ids == [vouchers[1].pk]
    assert result.errors == [
        (2, "The shop id is missing."),
        (3, "The shop id “North” is not a whole number."),
        (4, "Shop 9999 is not one of our shops."),
        (5, "The voucher id and code are missing."),
        (6, "The voucher id “50000x” is not a whole number."),
        (7, "Voucher 5000000001 was not found in shop 7002."),
        (8, "No voucher with the code “NOPE” in shop 7001."),
        (
            10,
            "The voucher id “5.00000E+09” is not a whole number. The spreadsheet shortened it: "
            "format the column as text and save again.",
        ),
        (11, "Shop 99999999999999999999 is not one of our shops."),
    ]
    assert result.rows == 10
    assert result.summary == "10 rows read: 1 voucher found, 9 rows with errors."


def test_a_code_reused_over_time_asks_for_the_id(shop):
    old = timezone.now() - dt.timedelta(days=60)
    VoucherFactory(shop=shop, voucher_code="SPRING", start_time=old, end_time=old)
    VoucherFactory(shop=shop, voucher_code="SPRING")
    other = VoucherFactory(voucher_code="SPRING")  # same code in another shop: not counted
    result = read(f"shop_id,voucher_code\n7001,SPRING\n{other.shop.shop_id},SPRING\n")
    assert result.errors == [
        (2, "The code “SPRING” matches 2 vouchers of shop 7001; use the voucher id.")
    ]
    assert result.voucher_ids == [other.pk]


def test_duplicates_name_the_earlier_line(vouchers):
    text = "shop_id,voucher_id,voucher_code\n7001,5000000001,\n7001,5000000002,\n7001,,SALE1\n"
    text += "7001,5000000001,\n"
    result = read(text)
    assert result.voucher_ids == [vouchers[0].pk, vouchers[1].pk]
    assert result.errors == [(4, "Same voucher as line 2."), (5, "Same voucher as line 2.")]


def test_line_numbers_count_blank_lines_and_cells_spanning_lines(vouchers):
    text = 'shop_id,voucher_id,note\n\n7001,5000000001,"two\nlines"\n7001,1,\n'
    assert read(text).errors == [(5, "Voucher 1 was not found in shop 7001.")]


def test_bytes_that_are_not_utf8_are_refused_with_their_line(vouchers):
    data = "shop_id,voucher_code\n7001,SALE1\n7001,CAFÉ\n".encode("cp1252")
    result = vouchers_from_csv(data=data)
    assert result.voucher_ids == [] and result.rows == 0
    [(line, message)] = result.errors
    assert line == 3 and "not UTF-8" in message and "CSV UTF-8" in message
    assert result.summary.startswith("Nothing was imported")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "The file is empty"),
        ("\n\n", 1, "The file is empty"),
        ("shop,voucher\n7001,5000000001\n", 1, "found: shop, voucher"),
        ("shop_id,note\n7001,x\n", 1, "voucher_id or voucher_code"),
        ("7001,5000000001\n", 1, "found: 7001, 5000000001"),
        ("shop_id,shop id,voucher_id\n", 1, "more than once"),
    ],
)
def test_a_file_without_a_usable_header_is_refused(vouchers, text, line, words):
    result = read(text)
    assert result.voucher_ids == []
    [(error_line, message)] = result.errors
    assert error_line == line and words in message


def test_a_header_alone_has_no_rows():
    result = read("shop_id,voucher_id\n")
    assert (result.voucher_ids, result.errors, result.rows) == ([], [], 0)
    assert result.summary == "The file has no rows below its header."


def test_more_than_the_row_limit_is_refused_whole(vouchers):
    rows = "7001,5000000001\n" * (MAX_ROWS + 1)
    result = read("shop_id,voucher_id\n" + rows)
    assert result.voucher_ids == [] and result.rows == 0
    assert result.errors == [
        (MAX_ROWS + 2, "The file has more than 100,000 rows: split it into smaller files.")
    ]


def test_exactly_the_row_limit_is_read(vouchers, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    result = read("shop_id,voucher_id\n" + "7001,5000000001\n" * 3)
    assert result.rows == 3 and len(result.errors) == 2


def test_a_file_over_10_mb_is_refused_unread():
    result = vouchers_from_csv(data=b"shop_id,voucher_id\n" + b"1" * MAX_BYTES)
    assert result.voucher_ids == [] and result.rows == 0
    assert result.errors == [(0, "The file is larger than 10 MB: split it into smaller files.")]


def test_reading_changes_nothing(vouchers):
    read("shop_id,voucher_id\n7001,5000000001\n")
    assert not EndRun.objects.exists()
    assert not Voucher.objects.filter(ended_at__isnull=False).exists()


def test_ten_thousand_rows_take_a_few_queries(django_assert_max_num_queries):
    shops = [ShopFactory(shop_id=9000 + n) for n in range(20)]
    start = timezone.now() - dt.timedelta(days=1)
    end = start + dt.timedelta(days=8)
    Voucher.objects.bulk_create(
        Voucher(
            shop=shops[n % 20],
            voucher_id=6_000_000_000 + n,
            voucher_code=f"C{n}",
            start_time=start,
            end_time=end,
        )
        for n in range(10_000)
    )
    lines = ["shop_id,voucher_id,voucher_code"]
    for n in range(10_000):
        shop_id = 9000 + n % 20
        lines.append(f"{shop_id},{6_000_000_000 + n}," if n % 2 else f"{shop_id},,C{n}")
    data = "\n".join(lines).encode()

    began = time.perf_counter()
    with django_assert_max_num_queries(20):
        result = vouchers_from_csv(data=data)
    elapsed = time.perf_counter() - began

    assert len(result.voucher_ids) == 10_000 and result.errors == []
    assert elapsed < 2.0
