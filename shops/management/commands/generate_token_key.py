"""Print a new Fernet key for TOKEN_ENCRYPTION_KEYS."""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new TOKEN_ENCRYPTION_KEYS key (put it first, then run rotate_token_keys)."

    def handle(self, *args, **options):
        self.stdout.write(Fernet.generate_key().decode())
