"""Fuzz "Import CSV to end vouchers": random bytes, encodings (UTF-8 with and without a BOM,
UTF-16, Latin-1, cp1252), separators (, ; tab |, and Excel's sep= line), quotes, unterminated
quotes, very long cells, many rows, header variants, file names. The import only reads: a
refused file changes nothing; an accepted one keeps one selection for the confirmation."""

from unittest import mock

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from runs.models import VoucherSelection
from runs.services import csv_import
from tests.fuzz.checks import assert_safe, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import TRICKY_NUMBERS, any_texts, id_texts
from vouchers.admin import csv_upload

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

IMPORT_URL = reverse("admin:vouchers_voucher_import")
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"]
SEPARATORS = [",", ";", "\t", "|"]
HEADERS = [
    ["shop_id", "voucher_id", "voucher_code"],
    ["Shop ID", "Voucher ID"],
    ["SHOP_ID", "VOUCHER_CODE", "note"],
    ["shop_id", "shop_id", "voucher_id"],
    ["shop_id"],
    ["voucher_id", "voucher_code"],
    ["", ""],
    ["\ufeffshop_id", "voucher_id"],
    ["shop id", "voucher  id", "extra", "extra"],
]


def cells(world):
    shops = [str(shop.shop_id) for shop in world["shops"]]
    vouchers = [str(voucher.voucher_id) for voucher in world["vouchers"]]
    codes = [voucher.voucher_code for voucher in world["vouchers"]]
    return st.one_of(
        st.sampled_from(shops + vouchers + codes),
        id_texts(),
        any_texts(20),
        st.sampled_from(['"', '""', '"7001', "5.00000E+09", "a" * 200_000]),
    )


def quoted(cell, separator, mode):
    if mode == "plain":
        return cell
    if mode == "quoted":
        return '"' + cell.replace('"', '""') + '"'
    return '"' + cell  # an unterminated quote


@st.composite
def csv_files(draw, world):
    """A CSV file as the bytes a spreadsheet (or anything else) might save."""
    separator = draw(st.sampled_from(SEPARATORS))
    header = draw(st.sampled_from(HEADERS) | st.lists(any_texts(15), max_size=4))
    rows = draw(st.lists(st.lists(cells(world), max_size=5), max_size=30))
    if draw(st.integers(0, 19)) == 0:
        rows = rows * 200  # many rows, bounded
    mode = draw(st.sampled_from(["plain", "plain", "quoted", "unterminated"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [separator.join(quoted(cell, separator, mode) for cell in header)]
    lines += [separator.join(quoted(cell, separator, "plain") for cell in row) for row in rows]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from([f"sep={separator}", '"sep=;"', 'sep="', "sep=\x00"])))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data
    return data


def upload(client, sandbox, data, name="end.csv"):
    """Post the file; a refusal changes nothing, a confirmation keeps exactly one selection."""
    before, calls = db_snapshot(), len(sandbox.calls())
    selections = set(VoucherSelection.objects.values_list("pk", flat=True))
    try:
        file = SimpleUploadedFile(name, data, "text/csv")
    except SuspiciousFileOperation:  # the test client's own check ("..", "/")
        file = SimpleUploadedFile("end.csv", data, "text/csv")
    with rolled_back():
        response = client.post(IMPORT_URL, {"file": file})
        what = f"import {shown(data)} as {shown(name)}"
        assert_safe(response, secrets=stored_secrets, what=what)
        created = VoucherSelection.objects.exclude(pk__in=selections)
        if created.exists():
            assert created.count() == 1
            assert "End vouchers on Shopee?" in response.content.decode()
        else:
            assert db_snapshot() == before, f"{what} changed the database"
    assert len(sandbox.calls()) == calls, f"{what} called Shopee"
    return response


@budget(60)
@given(data=st.data())
def test_csv_files(staff_client, world, sandbox, data):
    upload(staff_client, sandbox, data.draw(csv_files(world), label="file"))


@budget(30)
@given(raw=st.binary(max_size=2000), name=any_texts(30))
@example(raw=b"shop_id,voucher_id\n7001,5000000001\n", name="a\x00b.csv")
@example(raw=b"\x00\x00\x00", name="end.csv")
def test_random_bytes(staff_client, world, sandbox, raw, name):
    upload(staff_client, sandbox, raw, name=name or "end.csv")


@budget(20)
@given(shop_id=id_texts(), voucher_id=id_texts(), separator=st.sampled_from(SEPARATORS))
def test_id_cells(staff_client, world, sandbox, shop_id, voucher_id, separator):
    """Every id cell is read by the one rule: a clear error per row, never a crash."""
    for value in (shop_id, voucher_id):
        if separator in value or '"' in value or "\n" in value or "\r" in value:
            return
    text = f"shop_id{separator}voucher_id\n{shop_id}{separator}{voucher_id}\n"
    upload(staff_client, sandbox, text.encode())


# Regression examples: files that answered HTTP 500 before the fix.
REGRESSIONS = [
    b"shop_id,voucher_id\n" + b"9" * 5000 + b",1\n",
    b"shop_id,voucher_id\n7001," + b"9" * 5000 + b"\n",
    b'sep="\nshop_id"voucher_id\n7001"5000000001\n',
    b"shop_id,voucher_code\n7001,SALE\x001\n",
    "shop_id,voucher_id\n²,1\n".encode(),
    *(f"shop_id,voucher_id\n7001,{value}\n".encode() for value in TRICKY_NUMBERS if value),
]


@pytest.mark.parametrize("data", REGRESSIONS, ids=lambda data: shown(data, 40))
def test_csv_regressions(staff_client, world, sandbox, data):
    upload(staff_client, sandbox, data)


LIMIT = 64 * 1024  # the import's limit in these examples: small, so going over it is cheap
TOO_LARGE = "The file is larger than 0 MB: split it into smaller files."


@budget(25)
@given(
    size=st.integers(0, 4 * LIMIT),
    trust_declared=st.booleans(),
)
@example(size=LIMIT, trust_declared=True)
@example(size=LIMIT + 1, trust_declared=True)
@example(size=LIMIT + 1, trust_declared=False)
@example(size=4 * LIMIT, trust_declared=False)
def test_upload_sizes(staff_client, world, sandbox, size, trust_declared):
    """Any size: a file over the limit is refused with the message, and its upload stopped
    by the declared size or while it is read, near the limit; one at most the limit is read."""
    header = b"shop_id,voucher_id\n"
    data = (header + b"7" * size)[:size]
    overhead = csv_upload.FORM_OVERHEAD_BYTES if trust_declared else 1 << 40
    with (
        mock.patch.object(csv_import, "MAX_BYTES", LIMIT),
        mock.patch.object(csv_upload, "FORM_OVERHEAD_BYTES", overhead),
    ):
        response = upload(staff_client, sandbox, data)
    assert response.status_code == 200
    request = response.wsgi_request
    read = int(request.META["CONTENT_LENGTH"]) - len(request.META["wsgi.input"])
    if size > LIMIT:
        assert TOO_LARGE in response.content.decode()
        assert read <= LIMIT + 3 * 64 * 1024
        assert not VoucherSelection.objects.exists()
    else:
        assert TOO_LARGE not in response.content.decode()
        assert read == int(request.META["CONTENT_LENGTH"])
