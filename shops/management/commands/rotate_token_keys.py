"""Re-encrypt every stored token with the first key of TOKEN_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from shops.services.tokens import shop_tokens_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt all shop tokens with the first TOKEN_ENCRYPTION_KEYS key. Afterwards the "
        "older keys can be removed from the list."
    )

    def handle(self, *args, **options):
        count = shop_tokens_reencrypt()
        self.stdout.write(f"Re-encrypted the tokens of {count} shop(s) with the first key.")
