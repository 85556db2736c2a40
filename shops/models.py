"""Shops linked to our Shopee partner app, and their API tokens."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.regions import region_zone
from shops.crypto import EncryptedTextField

# Shopee warns 7 days ahead (push code 12); the shop list does too.
AUTHORIZATION_WARNING = dt.timedelta(days=7)


class Shop(models.Model):
    """A Shopee shop; `shop_id` is Shopee's 64-bit identifier."""

    shop_id = models.BigIntegerField(_("Shopee shop id"), unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=200)
    region = models.CharField(verbose_name=_("region"), max_length=8, blank=True)
    main_account_id = models.BigIntegerField(
        _("Shopee main account"), null=True, blank=True, db_index=True
    )
    merchant_id = models.BigIntegerField(_("Shopee merchant id"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    vouchers_synced_at = models.DateTimeField(_("vouchers synced"), null=True, blank=True)
    authorized_at = models.DateTimeField(_("seller authorized at"), null=True, blank=True)
    authorization_expires_at = models.DateTimeField(
        _("seller's authorization ends"), null=True, blank=True
    )
    authorization_checked_at = models.DateTimeField(
        _("authorization last confirmed by Shopee"), null=True, blank=True
    )
    authorization_expiry_notice_at = models.DateTimeField(
        _("Shopee warned the authorization ends soon"), null=True, blank=True
    )
    needs_reauth_since = models.DateTimeField(
        _("needs re-authorization since"), null=True, blank=True
    )
    needs_reauth_reason = models.TextField(_("why it needs re-authorization"), blank=True)
    # Teams are Django groups: a team's members see, sync and end only its shops
    # (shops.services.access); "see all shops" and superusers see every shop.
    teams = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("teams"),
        related_name="shops",
        blank=True,
        help_text=_("The teams (groups) whose members may see and act on this shop."),
        db_table="vouchers_shop_teams",  # the table it had in the vouchers app
    )

    class Meta:
        db_table = "vouchers_shop"  # the table it had in the vouchers app
        ordering = ["name"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        permissions = [
            ("view_all_shops", gettext_noop("Can see and act on every shop, whatever the team"))
        ]

    def __str__(self):
        return f"{self.name} ({self.shop_id})"

    @property
    def time_zone(self):
        """The shop's local time zone, from its region."""
        return region_zone(self.region)

    @property
    def needs_reauth(self):
        return self.needs_reauth_since is not None

    def authorization_days_left(self, now=None):
        """Whole days until the seller's authorization ends (0 on its last day), or None."""
        if self.authorization_expires_at is None:
            return None
        left = self.authorization_expires_at - (now or timezone.now())
        return max(left.days, 0) if left.total_seconds() > 0 else 0

    def authorization_expiring(self, now=None):
        """Within AUTHORIZATION_WARNING of its end, or Shopee pushed that it ends soon."""
        if self.needs_reauth:
            return False
        now = now or timezone.now()
        ends = self.authorization_expires_at
        if ends is not None and ends <= now + AUTHORIZATION_WARNING:
            return True
        return self.authorization_expiry_notice_at is not None


class ShopToken(models.Model):
    """The shop's current access and refresh tokens, encrypted at rest.

    Tokens are secrets: they are never rendered on a page, logged or copied into the audit log.
    An access token lives 4 hours; a refresh token lives 30 days and works once (shopee-api.md
    section 4). `generation` counts the token pairs saved, so a refresher can tell whether the
    pair it saw is still current. The refresh lease elects one refresher per shop at a time
    (see shops.services.tokens).
    """

    shop = models.OneToOneField(
        Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="token"
    )
    access_token = EncryptedTextField(
        verbose_name=_("access token"),
    )
    access_token_expires_at = models.DateTimeField(
        verbose_name=_("access token expires at"), null=True, blank=True
    )
    refresh_token = EncryptedTextField(verbose_name=_("refresh token"), blank=True)
    refresh_token_expires_at = models.DateTimeField(
        verbose_name=_("refresh token expires at"), null=True, blank=True
    )
    generation = models.PositiveIntegerField(verbose_name=_("generation"), default=1)
    refreshed_at = models.DateTimeField(verbose_name=_("refreshed at"), null=True, blank=True)
    refresh_lease_owner = models.CharField(
        verbose_name=_("refresh lease owner"), max_length=32, blank=True
    )
    refresh_lease_until = models.DateTimeField(
        verbose_name=_("refresh lease until"), null=True, blank=True
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        db_table = "vouchers_shoptoken"  # the table it had in the vouchers app
        verbose_name = _("shop token")
        verbose_name_plural = _("shop tokens")

    def __str__(self):
        return gettext("Tokens of %(shop)s") % {"shop": self.shop}

    def __repr__(self):
        return f"<ShopToken shop={self.shop_id} valid_until={self.access_token_expires_at}>"

    @property
    def access_token_expired(self):
        expires = self.access_token_expires_at
        return expires is not None and expires <= timezone.now()
