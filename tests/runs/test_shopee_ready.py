"""Nothing is ended from the admin while Shopee's settings cannot be used: the user is sent back
with the reason (runs/admin/shopee_ready.py, used by the voucher list's End and by end rules)."""

from django.contrib import messages

from runs.admin.shopee_ready import shopee_unready_redirect


class Admin:
    """Stands in for a ModelAdmin: keeps what the user would be told."""

    def __init__(self):
        self.told = []

    def message_user(self, request, text, level):
        self.told.append((text, level))


def test_unusable_settings_send_the_user_back_with_the_reason(rf, settings):
    settings.SHOPEE_PARTNER_KEY = ""
    admin = Admin()

    response = shopee_unready_redirect(admin, rf.post("/"), back_to="/admin/vouchers/voucher/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/vouchers/voucher/"
    assert admin.told == [
        (
            "Nothing was ended: SHOPEE_PARTNER_KEY is not set: set it to your partner app's key.",
            messages.ERROR,
        )
    ]


def test_usable_settings_let_the_end_go_on(rf):
    admin = Admin()

    assert shopee_unready_redirect(admin, rf.post("/"), back_to="/") is None
    assert admin.told == []
