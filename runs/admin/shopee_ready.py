"""The check before anything is ended from the admin: Shopee's settings must be usable, or
nothing is created and the user is told why (the voucher list's End and the shops' end rules)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext

from shopee.config import load_config
from shopee.errors import ShopeeConfigError


def shopee_unready_redirect(model_admin, request, *, back_to: str):
    """A redirect to `back_to` with the reason when Shopee's settings cannot be used, else None."""
    try:
        load_config()
    except ShopeeConfigError as error:
        model_admin.message_user(
            request,
            gettext("Nothing was ended: %(error)s") % {"error": error.message},
            messages.ERROR,
        )
        return HttpResponseRedirect(back_to)
    return None
