"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail tests."""

import email
import email.policy
import logging
import socket
import threading
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection


@dataclass(frozen=True)
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    raw: str


class Inbox:
    """The aiosmtpd handler: every message accepted, parsed and kept in arrival order."""

    def __init__(self):
        self._lock = threading.Lock()
        self._mails: list[Mail] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        mail = Mail(
            sender=envelope.mail_from,
            recipients=list(envelope.rcpt_tos),
            # A long subject may be folded before its first word; a mail client shows it
            # without the fold's leading space, and so do the tests.
            subject=str(message["Subject"]).strip(),
            body=message.get_content(),
            raw=raw.decode("utf-8", "replace"),
        )
        with self._lock:
            self._mails.append(mail)
        return "250 Message accepted for delivery"

    @property
    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.mails if address in mail.recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    """Point Django's mail (MAILERS["default"]) at an SMTP server on loopback `port`."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "shopadmin <shopadmin@admin.example.com>"
    settings.SHOPADMIN_BASE_URL = "https://admin.example.com"


@pytest.fixture
def smtp(settings):
    """A running SMTP server for this test; Django's mail goes to it over SMTP."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Django's mail goes to a loopback port where nothing listens."""
    use_smtp(settings, free_port())
