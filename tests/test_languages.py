"""The admin in the staff's language: our strings and Django's, the picker, English unchanged."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from runs.services.create import run_create
from tests.factories import ShopFactory, ShopTokenFactory, VoucherFactory
from tests.pages import CHANGELIST, ask_to_end, text_of
from vouchers.models import Voucher

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The catalogues compiled as setup compiles them (bin/_setup.sh), e.g. on a fresh clone."""
    subprocess.run(  # noqa: S603 - our own setup script
        [shutil.which("bash"), "-c", "source bin/_setup.sh && compile_messages"],
        cwd=ROOT,
        check=True,
    )
    assert (ROOT / "locale" / "th" / "LC_MESSAGES" / "django.mo").exists()


@pytest.fixture
def vouchers(sandbox):
    shop = ShopTokenFactory(shop=ShopFactory(name="North", shop_id=7001)).shop
    return [
        VoucherFactory(shop=shop),
        VoucherFactory(shop=shop),
        VoucherFactory(shop=shop, upcoming=True),
    ]


def test_voucher_list_and_confirmation_in_thai(merch_client, vouchers):
    page = text_of(merch_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="th"))
    assert "เลือกโค้ดส่วนลดที่จะสิ้นสุด" in page  # ours: Select vouchers to end
    assert "นำเข้า CSV เพื่อสิ้นสุดโค้ดส่วนลด" in page  # ours: Import CSV to end vouchers
    assert "หน้าหลัก" in page and "ตัวกรอง" in page  # Django's: Home, Filter
    assert "Select vouchers to end" not in page

    merch_client.cookies["django_language"] = "th"
    confirmation = ask_to_end(merch_client, vouchers)
    assert 'value="ใช่ สิ้นสุดโค้ดส่วนลด 2 รายการ"' in confirmation.content.decode()  # Yes button
    page = text_of(confirmation)
    assert "โค้ดส่วนลด 2 รายการจะถูกสิ้นสุดบน Shopee" in page  # 2 vouchers will be ended
    assert "แยกตามร้านค้า" in page  # Per shop
    assert "ไม่ พากลับไป" in page  # No, take me back
    assert "หน้าหลัก" in page  # Django's Home
    assert "will be ended on Shopee" not in page


def test_voucher_list_and_confirmation_in_vietnamese(merch_client, vouchers):
    page = text_of(merch_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="vi"))
    assert "Chọn voucher để kết thúc" in page
    assert "Trang chủ" in page and "Bộ lọc" in page  # Django's: Home, Filter

    merch_client.cookies["django_language"] = "vi"
    page = text_of(ask_to_end(merch_client, vouchers))
    assert "2 voucher sẽ bị kết thúc trên Shopee" in page
    assert "Theo shop" in page and "Không, quay lại" in page
    assert "Trang chủ" in page


def test_skip_reasons_are_shown_translated(merch_client, vouchers):
    merch_client.cookies["django_language"] = "th"
    page = text_of(ask_to_end(merch_client, vouchers))
    assert "กำลังจะมาถึง: ยังไม่เริ่ม" in page  # Upcoming: it has not started yet ...


def test_run_page_in_thai_and_vietnamese(merch_client, merchandiser, vouchers):
    run = run_create(vouchers=Voucher.objects.all(), actor=merchandiser, selection="3 selected")
    url = reverse("admin:runs_endrun_change", args=[run.pk])

    page = text_of(merch_client.get(url, HTTP_ACCEPT_LANGUAGE="th"))
    assert f"รอบการทำงาน {run.pk}" in page  # ours: Run N
    assert "โค้ดส่วนลดในรอบการทำงานนี้" in page  # Vouchers in this run
    assert "อยู่ในคิว" in page  # the status Queued (a model choice)
    assert "หน้าหลัก" in page  # Django's Home

    page = text_of(merch_client.get(url, HTTP_ACCEPT_LANGUAGE="vi"))
    assert "Voucher trong lượt chạy này" in page and "Đang xếp hàng" in page
    assert "Trang chủ" in page


def test_english_is_unchanged(merch_client, vouchers):
    page = text_of(merch_client.get(CHANGELIST))
    assert "Select vouchers to end" in page and "Home" in page
    page = text_of(ask_to_end(merch_client, vouchers))
    assert "2 vouchers will be ended on Shopee" in page and "Per shop" in page


def test_the_picker_switches_the_language(merch_client):
    page = merch_client.get(CHANGELIST).content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="language"' in page
    assert '<option value="th"' in page and '<option value="zh-hant"' in page

    response = merch_client.post(
        reverse("set_language"), {"language": "th", "next": CHANGELIST}, follow=True
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "เลือกโค้ดส่วนลดที่จะสิ้นสุด" in text_of(response)
    assert "เลือกโค้ดส่วนลดที่จะสิ้นสุด" in text_of(merch_client.get(CHANGELIST))

    merch_client.post(reverse("set_language"), {"language": "en", "next": CHANGELIST})
    assert "Select vouchers to end" in text_of(merch_client.get(CHANGELIST))


def test_the_login_page_has_the_picker(client):
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'id="language-picker"' in page and 'action="/i18n/setlang/"' in page
    assert "Đổi ngôn ngữ" in page  # ours: Change language
    assert "Đăng nhập" in page  # Django's: Log in
