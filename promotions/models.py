"""Records of Shopee's promotions other than vouchers, mirrored from Shopee's lists.

One table for every kind (`PromotionKindName`): the kinds share what shopadmin needs (shop,
Shopee id, name, times, Shopee's own status word, Shopee-managed), and keep their extras in
`details`. As for vouchers, upcoming / ongoing / expired follow from start and end time and are
derived, never stored (a shop flash sale switched off or deleted at Shopee says so in
`shopee_status`; `promotions.services.kinds` decides what is live).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from shops.models import Shop
from vouchers.models.timed import ShopeeRecord, TimedQuerySet, TimedStatus, writer_indexes


class PromotionKindName(models.TextChoices):
    """The kinds kept here; the values are the kind plug-ins' `name`."""

    DISCOUNT = "discount", _("discount")
    BUNDLE_DEAL = "bundle_deal", _("bundle deal")
    ADD_ON_DEAL = "add_on_deal", _("add-on deal")
    FOLLOW_PRIZE = "follow_prize", _("follow prize")
    SHOP_FLASH_SALE = "shop_flash_sale", _("shop flash sale")


PromotionStatus = TimedStatus  # upcoming / ongoing / expired, as for vouchers


class PromotionQuerySet(TimedQuerySet):
    def of_kind(self, kind):
        return self.filter(kind=kind)


class Promotion(ShopeeRecord):
    """One Shopee promotion of a kind other than voucher, as last read from Shopee."""

    kind = models.CharField(_("kind"), max_length=20, choices=PromotionKindName)
    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="promotions"
    )
    # discount_id, bundle_deal_id, add_on_deal_id, campaign_id (follow prize), flash_sale_id
    promotion_id = models.BigIntegerField(_("Shopee id"))
    # A shop flash sale has no name at Shopee: "Flash sale <timeslot>".
    name = models.CharField(_("name"), max_length=255, blank=True)
    # Shopee's own status as read (a word, or a flash sale's number), blank when none is given.
    shopee_status = models.CharField(_("status at Shopee"), max_length=32, blank=True)
    shopee_managed = models.BooleanField(_("created by Shopee"), default=False)
    details = models.JSONField(_("details"), default=dict, blank=True)
    synced_at = models.DateTimeField(_("last read"), null=True, blank=True)
    # A push said it changed: the next read of its shop refreshes it.
    stale = models.BooleanField(_("changed at Shopee since read"), default=False)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_time", "promotion_id"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "shop", "promotion_id"], name="promotion_unique_per_shop"
            ),
        ]
        indexes = [
            models.Index(fields=["promotion_id"], name="promotion_id_idx"),
            models.Index(fields=["name"], name="promotion_name_idx"),
            models.Index(fields=["-start_time", "promotion_id"], name="promotion_list_idx"),
            models.Index(
                fields=["kind", "-start_time", "promotion_id"], name="promotion_kind_list_idx"
            ),
            # Live promotions of a kind per shop: counted from this index alone.
            models.Index(
                fields=["kind", "end_time", "shop", "start_time"], name="promotion_live_idx"
            ),
            *writer_indexes("promotion"),
        ]
        # Ending, deleting (at Shopee) and switching off, per kind: `promotions.permissions.may`.
        # Records are never deleted through the admin.
        permissions = [
            ("end_discount", gettext_noop("Can end discounts at Shopee")),
            ("delete_discount", gettext_noop("Can delete discounts at Shopee")),
            ("end_bundle_deal", gettext_noop("Can end bundle deals at Shopee")),
            ("delete_bundle_deal", gettext_noop("Can delete bundle deals at Shopee")),
            ("end_add_on_deal", gettext_noop("Can end add-on deals at Shopee")),
            ("delete_add_on_deal", gettext_noop("Can delete add-on deals at Shopee")),
            ("end_follow_prize", gettext_noop("Can end follow prizes at Shopee")),
            ("delete_follow_prize", gettext_noop("Can delete follow prizes at Shopee")),
            ("end_shop_flash_sale", gettext_noop("Can switch off shop flash sales")),
            ("delete_shop_flash_sale", gettext_noop("Can delete shop flash sales at Shopee")),
        ]

    def __str__(self):
        label = self.name or str(self.promotion_id)
        return f"{label} ({self.get_kind_display()}, {self.shop.name})"
