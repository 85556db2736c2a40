"""Voucher records mirrored from Shopee.

Shopee vouchers have no status field: the status follows from start and end time
(upcoming: now < start; ongoing: start <= now < end; expired: now >= end), so it is derived here
too, through queryset filters, never stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from shops.models import Shop
from vouchers.models.timed import ShopeeRecord, TimedQuerySet, TimedStatus, writer_indexes

VoucherStatus = TimedStatus  # the name pages and filters use


class VoucherPurpose(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    WELCOME = 1, _("Welcome")
    REFERRAL = 2, _("Referral")
    SHOP_FOLLOW = 3, _("Shop follow")
    SHOP_GAME = 4, _("Shop game")
    FREE_GIFT = 5, _("Free gift")
    MEMBERSHIP = 6, _("Membership")
    ADS = 7, _("Ads")


# Shopee refuses to end these (voucher.operate_voucher_permission_error): follow prize,
# shop game and membership vouchers, besides those created in Shopee's admin (is_admin).
SHOPEE_MANAGED_PURPOSES = frozenset(
    {VoucherPurpose.SHOP_FOLLOW, VoucherPurpose.SHOP_GAME, VoucherPurpose.MEMBERSHIP}
)


class VoucherQuerySet(TimedQuerySet):
    pass


class Voucher(ShopeeRecord):
    class VoucherType(models.IntegerChoices):
        SHOP = 1, _("Shop voucher")
        PRODUCT = 2, _("Product voucher")

    class RewardType(models.IntegerChoices):
        FIXED_AMOUNT = 1, _("Fixed amount")
        PERCENTAGE = 2, _("Percentage")
        COIN_CASHBACK = 3, _("Coin cashback")

    shop = models.ForeignKey(
        Shop,
        verbose_name=_("shop"),
        on_delete=models.CASCADE,
        related_name="vouchers",
        db_index=False,  # voucher_unique_per_shop (shop, voucher_id) serves its lookups
    )
    voucher_id = models.BigIntegerField(_("Shopee voucher id"))
    voucher_code = models.CharField(verbose_name=_("voucher code"), max_length=100, blank=True)
    voucher_name = models.CharField(verbose_name=_("voucher name"), max_length=255, blank=True)
    voucher_type = models.PositiveSmallIntegerField(
        verbose_name=_("voucher type"), choices=VoucherType, null=True, blank=True
    )
    reward_type = models.PositiveSmallIntegerField(
        verbose_name=_("reward type"), choices=RewardType, null=True, blank=True
    )
    usage_quantity = models.IntegerField(verbose_name=_("usage quantity"), null=True, blank=True)
    current_usage = models.IntegerField(verbose_name=_("current usage"), null=True, blank=True)
    is_admin = models.BooleanField(_("created by Shopee"), default=False)
    voucher_purpose = models.PositiveSmallIntegerField(
        verbose_name=_("voucher purpose"), choices=VoucherPurpose, default=0
    )
    discount_amount = models.DecimalField(
        verbose_name=_("discount amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    percentage = models.IntegerField(verbose_name=_("percentage"), null=True, blank=True)
    display_start_time = models.DateTimeField(
        verbose_name=_("display start time"), null=True, blank=True
    )
    min_basket_price = models.DecimalField(
        verbose_name=_("min basket price"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_price = models.DecimalField(
        verbose_name=_("max price"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    synced_at = models.DateTimeField(verbose_name=_("synced at"), null=True, blank=True)
    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["-start_time", "voucher_id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(fields=["shop", "voucher_id"], name="voucher_unique_per_shop"),
        ]
        indexes = [
            models.Index(fields=["voucher_id"], name="voucher_voucher_id_idx"),
            models.Index(fields=["voucher_code"], name="voucher_code_idx"),
            # The list's order (newest first), alone and within a shop; with voucher_live_idx
            # (end_time first) it serves every status filter: no index of (start_time, end_time)
            # is kept (each page of a sync wrote it for nothing).
            models.Index(fields=["-start_time", "voucher_id"], name="voucher_list_idx"),
            models.Index(
                fields=["shop", "-start_time", "voucher_id"], name="voucher_shop_list_idx"
            ),
            # The dashboard's live promotions per shop: counted from this index alone.
            # Also what ends when (its first column): no index of end_time alone is kept.
            models.Index(fields=["end_time", "shop", "start_time"], name="voucher_live_idx"),
            *writer_indexes("voucher"),
        ]
        # delete_voucher (Django's own) means deleting upcoming vouchers at Shopee: records
        # are never deleted through the admin.
        permissions = [("end_voucher", gettext_noop("Can end vouchers on Shopee"))]

    def __str__(self):
        return f"{self.voucher_code or self.voucher_id} ({self.shop.name})"

    @property
    def shopee_managed(self):
        return self.is_admin or self.voucher_purpose in SHOPEE_MANAGED_PURPOSES
