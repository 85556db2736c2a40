"""factory_boy factories for the app's models."""

import datetime as dt
import secrets

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from shops.models import Shop, ShopToken
from vouchers.models import Voucher


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"merch{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        """`permissions=["vouchers.end_voucher", ...]` grants those permissions."""
        for label in extracted or ():
            app_label, codename = label.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        if create:
            self.save()


# Staff who are in no team and see every shop (as everyone did before teams); team members get
# TEAM_PERMISSIONS instead (see tests/shops/test_teams.py).
TEAM_PERMISSIONS = [
    "shops.view_shop",
    "shops.change_shop",
    "vouchers.view_voucher",
    "vouchers.end_voucher",
    "audit.view_shopeecall",
]
MERCHANDISER_PERMISSIONS = [*TEAM_PERMISSIONS, "shops.view_all_shops"]


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        django_get_or_create = ["shop_id"]

    shop_id = factory.Sequence(lambda n: 800_000 + n)
    name = factory.Sequence(lambda n: f"Shop {n}")
    region = "SG"


class ShopTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopToken

    shop = factory.SubFactory(ShopFactory)
    access_token = factory.LazyFunction(lambda: secrets.token_hex(16))
    refresh_token = factory.LazyFunction(lambda: secrets.token_hex(16))
    access_token_expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=4))


class VoucherFactory(factory.django.DjangoModelFactory):
    """An ongoing voucher by default; pass `upcoming=True` or `expired=True` for the others."""

    class Meta:
        model = Voucher

    class Params:
        upcoming = factory.Trait(
            start_time=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1)),
            end_time=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=8)),
        )
        expired = factory.Trait(
            start_time=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=8)),
            end_time=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)),
        )

    shop = factory.SubFactory(ShopFactory)
    voucher_id = factory.Sequence(lambda n: 5_000_000_000 + n)  # beyond 32 bits, as Shopee's
    voucher_code = factory.LazyAttribute(lambda v: f"V{v.voucher_id}")
    voucher_name = factory.LazyAttribute(lambda v: f"Voucher {v.voucher_id}")
    voucher_type = 1
    reward_type = 1
    start_time = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    end_time = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    is_admin = False
    voucher_purpose = 0
