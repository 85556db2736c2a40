"""Shops linked to our Shopee partner app, and their API tokens."""

from django.db import models
from django.utils import timezone


class Shop(models.Model):
    """A Shopee shop; `shop_id` is Shopee's 64-bit identifier."""

    shop_id = models.BigIntegerField("Shopee shop id", unique=True)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    vouchers_synced_at = models.DateTimeField("vouchers synced", null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.shop_id})"


class ShopToken(models.Model):
    """The shop's current access and refresh tokens.

    Tokens are secrets: they are never rendered on a page, logged or copied into the audit log.
    An access token lives 4 hours; a refresh token works once (see shopee-api.md section 4).
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="token")
    access_token = models.TextField()
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = models.TextField(blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Tokens of {self.shop}"

    def __repr__(self):
        return f"<ShopToken shop={self.shop_id} valid_until={self.access_token_expires_at}>"

    @property
    def access_token_expired(self):
        expires = self.access_token_expires_at
        return expires is not None and expires <= timezone.now()
