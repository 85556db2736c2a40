"""The Content-Security-Policy on every page, and pages that need no 'unsafe-inline' under it.

The policy (SECURE_CSP, Django's ContentSecurityPolicyMiddleware) allows only this site's own
scripts and styles, plus a template's nonce'd inline code. A `style="..."` attribute, an inline
`<script>` or `<style>` without the nonce, or an `on...=` handler would be blocked by the
browser, so the pages must carry none: checked here on the HTML of every main page, and in a
real browser by tests/browser (no `securitypolicyviolation` event).
"""

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from runs.models import EndRun
from runs.services.create import run_create
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from tests.pages import ask_to_end
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def policy_of(response):
    """The enforced policy as {directive: [values]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' blocks, given the response's nonce."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        where = self.getpos()
        if "style" in attrs:
            self.blocked.append(f"line {where[0]}: <{tag} style={attrs['style']!r}>")
        for name in attrs:
            if name.startswith("on"):
                self.blocked.append(f"line {where[0]}: <{tag} {name}=...>")
        for name in ("href", "src", "action", "formaction"):
            if (attrs.get(name) or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"line {where[0]}: <{tag} {name}=javascript:...>")
        inline = (tag == "script" and not attrs.get("src")) or tag == "style"
        if inline and (self.nonce is None or attrs.get("nonce") != self.nonce):
            self.blocked.append(f"line {where[0]}: inline <{tag}> without the nonce")


def assert_strict(response):
    """The page has the strict policy and nothing the policy would block."""
    policy = policy_of(response)
    assert "'unsafe-inline'" not in " ".join(sum(policy.values(), []))
    assert "'unsafe-eval'" not in " ".join(sum(policy.values(), []))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"][0] == "'self'"
    assert policy["img-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    nonces = {
        value.removeprefix("'nonce-").removesuffix("'")
        for value in policy["script-src"]
        if value.startswith("'nonce-")
    }
    parser = InlineCode(nonces.pop() if nonces else None)
    parser.feed(response.content.decode())
    assert parser.blocked == [], f"{response.request['PATH_INFO']}: {parser.blocked}"


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


@pytest.fixture
def shops(db):
    """A connected shop with vouchers, one needing re-authorization, one whose authorization ends
    in three days: each shows its own column text on the shop list."""
    ok = ShopTokenFactory(shop__name="Acme SG", shop__region="SG").shop
    VoucherFactory.create_batch(3, shop=ok)
    VoucherFactory(shop=ok, upcoming=True)
    ShopFactory(
        name="Acme TH",
        region="TH",
        needs_reauth_since=timezone.now(),
        needs_reauth_reason="the seller cancelled the authorization",
    )
    ShopTokenFactory(
        shop__name="Acme VN",
        shop__region="VN",
        shop__authorization_expires_at=timezone.now() + dt.timedelta(days=3),
    )
    return ok


def test_anonymous_pages_have_the_policy(client, db):
    for url in ["/admin/login/", "/admin/login/?next=/admin/vouchers/voucher/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert_strict(response)
    assert client.get("/health/").headers["Content-Security-Policy"]


def test_the_locked_out_page_has_the_policy(client, db):
    UserFactory(username="staff1")
    for _ in range(5):
        client.post("/admin/login/", {"username": "staff1", "password": "wrong"})
    locked = client.post("/admin/login/", {"username": "staff1", "password": "wrong"})
    assert locked.status_code == 429
    assert_strict(locked)


def test_every_main_admin_page_has_the_policy_and_no_inline_code(superuser_client, shops):
    voucher = Voucher.objects.filter(shop=shops).first()
    group = Group.objects.create(name="Thailand team")
    pages = [
        reverse("admin:index"),
        reverse("admin:app_list", args=["vouchers"]),
        reverse("admin:shops_shop_changelist"),
        reverse("admin:shops_shop_change", args=[shops.pk]),
        reverse("admin:vouchers_voucher_changelist"),
        reverse("admin:vouchers_voucher_changelist") + "?status=ongoing",
        reverse("admin:vouchers_voucher_change", args=[voucher.pk]),
        reverse("admin:vouchers_voucher_import"),
        reverse("admin:runs_endrun_changelist"),
        reverse("admin:audit_shopeecall_changelist"),
        reverse("admin:audit_shopeepush_changelist"),
        reverse("admin:auth_group_change", args=[group.pk]),
        reverse("admin:auth_group_add"),
        reverse("admin:auth_user_changelist"),
        reverse("notification_settings"),
    ]
    for url in pages:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_the_shop_list_marks_alerts_with_a_class_not_a_style(superuser_client, shops):
    response = superuser_client.get(reverse("admin:shops_shop_changelist"))
    html = response.content.decode()
    assert '<span class="badge badge-reauth">Needs re-authorization</span>' in html
    assert 'class="auth-expiring shop-alert"' in html
    assert_strict(response)


def test_the_confirmation_and_rule_pages_have_the_policy(superuser_client, shops):
    confirmation = ask_to_end(superuser_client, Voucher.objects.filter(shop=shops))
    assert confirmation.status_code == 200
    assert "End vouchers on Shopee?" in confirmation.content.decode()
    assert_strict(confirmation)

    rule = superuser_client.post(
        reverse("admin:shops_shop_changelist"),
        {"action": "end_by_rule", ACTION_CHECKBOX_NAME: [shops.pk], "index": 0},
    )
    assert rule.status_code == 200
    assert 'id="rule-preview"' in rule.content.decode()
    assert_strict(rule)


def test_the_run_progress_page_has_the_policy_and_a_progress_element(superuser_client, shops):
    actor = UserFactory(username="merch")
    run = run_create(
        vouchers=Voucher.objects.filter(shop=shops), actor=actor, selection="4 selected"
    )
    response = superuser_client.get(reverse("admin:runs_endrun_change", args=[run.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress class="run-bar" max="100" value="0"' in html
    assert_strict(response)
    assert EndRun.objects.count() == 1


def test_our_stylesheet_is_linked_from_every_page_and_collected(client, db):
    page = client.get("/admin/login/").content.decode()
    assert 'href="/static/vouchers/shopadmin.css"' in page
    css = Path(finders.find("vouchers/shopadmin.css")).read_text()
    assert "#language-picker" in css and ".shop-alert" in css and "progress.run-bar" in css


def test_a_page_with_a_style_attribute_would_be_caught():
    """The checker itself: what the policy blocks is reported, the nonce'd code is not."""
    parser = InlineCode("abc")
    parser.feed(
        '<div style="color: red"></div><script>alert(1)</script><style nonce="abc">p{}</style>'
        '<script nonce="abc">ok()</script><a href="javascript:x()" onclick="y()">z</a>'
    )
    assert len(parser.blocked) == 4
