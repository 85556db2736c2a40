"""Every page of ours in each of the six other languages, with no English left on it.

With demo-like data (several shops, vouchers in every status, runs with items in every state,
call-log rows, pushes, shop jobs, teams), a superuser renders every admin page of ours: each
registered ModelAdmin's list, the change form of its objects and its add form, and every other
named admin URL (found from the URL patterns, so a new page is covered or fails as unknown),
plus the pages that answer a POST (the end confirmation, CSV import, rule preview, messages).
From each page the visible text is taken (text nodes, title/placeholder/aria-label/alt
attributes, button values, option texts) and compared with the English rendering of the same
page: a node left identical to English that still has English words, or (in Thai and
Traditional Chinese) any Latin word at all, is reported, minus the data of the fixtures (names,
codes, usernames, emails, Shopee's own words) and a short allowlist. One run prints the whole
worklist: every (language, page, text).
"""

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf.locale import LANG_INFO
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import RejectedPush, ShopeeCall, ShopeePush
from jobs.models import JobKind, JobStatus, RowState, ShopJob
from jobs.services.create import shop_job_create
from notifications.models import NotificationSettings
from promotions.models import Promotion
from runs.models import EndRun
from runs.services.control import run_cancel
from runs.services.create import run_create
from shops.models import Shop
from tests.factories import ShopFactory, ShopTokenFactory, UserFactory, VoucherFactory
from tests.jobs.follow import finish_jobs
from tests.pages import finish_runs
from vouchers.models import Voucher

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["vi", "th", "id", "ms", "zh-hant", "pt-br"]
NON_LATIN = {"th", "zh-hant"}  # here a Latin word is English left, identical node or not
END = "/api/v2/voucher/end_voucher"

# Words that are the same in English and the language (or names and terms kept as such).
ALLOWED = {
    "Shopee",
    "shopadmin",
    "Shopadmin",  # capitalised at the start of a label
    "Axes",  # django-axes, by its name
    "Tasks",  # django_tasks_db's app: "Tasks Database Backend", not marked for translation
    "Database",
    "Backend",
    "Control",  # keys of the keyboard
    "Command",
    "Mac",
    "Django",
    "Seller",  # Seller Centre, Shopee's product name
    "Centre",
    "Open",  # Shopee Open Platform
    "Platform",
    "Singapore",
    "Asia",
    "Bangkok",
    "Manila",
    "Jakarta",
    "Kuala",
    "Lumpur",
    "Ho",
    "Chi",
    "Minh",
    "Taipei",
    "Sao",
    "Paulo",
    "Chile",
    "Santiago",
    "Bogota",
    "America",
    "Mexico",
    "City",
    "Sao_Paulo",
    "Ho_Chi_Minh",
    "Kuala_Lumpur",
    "Mexico_City",
    "UTC",
    "CSV",
    "JSON",
    "HTTP",
    "SHA",
    "API",
    "URL",
    "ID",
    "id",
    "ids",
    "SVG",
    "GMT",
    "email",
    "Email",
    "shopee",
}
ALLOWED_BY_LANGUAGE = {
    "vi": {"voucher", "Voucher", "shop", "Shop", "email", "Email", "OK", "CSV"},
    "id": {
        "Voucher",
        "voucher",
        "Status",
        "status",
        "Normal",
        "Email",
        "email",
        "Total",
        "Admin",
        "admin",
        "Referral",
        "Game",
        "Follow",
        "Ads",
        "Token",
        "token",
        "Push",
        "push",
        "Detail",
        "Log",
        "Filter",
        "Online",
        "OK",
    },
    "ms": {
        "Baucar",
        "Status",
        "status",
        "Normal",
        "Email",
        "email",
        "Total",
        "Admin",
        "admin",
        "Token",
        "token",
        "OK",
    },
    "pt-br": {
        "Status",
        "status",
        "Normal",
        "Total",
        "Admin",
        "admin",
        "Email",
        "email",
        "Token",
        "token",
        "Push",
        "push",
        "OK",
        "Erro",
    },
    "th": set(),
    "zh-hant": set(),
}

# Custom admin URL names and how to render each: a page builder, or why it is no page of text.
NOT_A_PAGE = {
    "audit_shopeecall_export": "CSV download (its header row is the columns' names)",
    "shops_shop_connect": "redirect to Shopee's authorization page",
    "vouchers_voucher_end": "POST only: starts the run, then redirects to its page",
    "runs_endrun_cancel": "POST only: rendered as the message on the run's page",
    "runs_endrun_retry": "POST only: rendered as the message on the run's page",
    "jobs_shopjob_progress": "JSON for the job page's refresh",
    "autocomplete": "JSON",
    "jsi18n": "JavaScript catalogue (Django's)",
    "view_on_site": "redirect",
    "logout": "POST only: rendered as the logged-out page",
    "set_language": "POST only: redirects",
    "health": "machine-readable health check",
    "metrics": "machine-readable metrics",
    "shopee_push": "Shopee's push endpoint (JSON)",
    "password_change_done": "rendered after the password change",
}
# Our apps' pages, and the teams (our admin of Django's groups). Not ours: Django's user and
# password pages, django-axes' lockout records, django_tasks_db's task results (their strings are
# their catalogues'); their names in the menu still count, being on our pages.
OUR_APPS = {
    "audit",
    "shops",
    "dispatch",
    "vouchers",
    "promotions",
    "notifications",
    "runs",
    "jobs",
    "ops",
}
STANDARD = ("changelist", "add", "history", "delete", "change")


@dataclasses.dataclass
class Page:
    key: str
    url: str
    method: str = "get"
    data: dict | None = None
    anonymous: bool = False
    rollback: bool = False  # the request changes data: undone after each language
    follow: bool = False


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """The catalogues compiled as setup compiles them (bin/_setup.sh)."""
    subprocess.run(  # noqa: S603 - our own setup script
        [shutil.which("bash"), "-c", "source bin/_setup.sh && compile_messages"],
        cwd=ROOT,
        check=True,
    )


@pytest.fixture
def world(sandbox, settings, django_db_blocker):
    """Demo-like data: shops in every condition, vouchers in every status, runs with items in
    every state, call-log rows, pushes, jobs, a team and notification settings."""
    settings.END_RUN_MAX_ATTEMPTS = 1
    now = timezone.now()
    boss = UserFactory(username="boss", is_superuser=True)
    member = UserFactory(username="merch-th")
    team = Group.objects.create(name="Thailand team")
    member.groups.add(team)
    singapore = ShopTokenFactory(shop=ShopFactory(name="Acme Singapore", shop_id=7001)).shop
    thailand = ShopTokenFactory(
        shop=ShopFactory(
            name="Acme Thailand",
            shop_id=7002,
            region="TH",
            authorization_expires_at=now + dt.timedelta(days=3),
            vouchers_synced_at=now - dt.timedelta(minutes=5),
        )
    ).shop
    thailand.teams.add(team)
    philippines = ShopTokenFactory(
        shop=ShopFactory(name="Acme Philippines", shop_id=7003, region="PH")
    ).shop
    ShopFactory(
        name="Acme Vietnam",
        shop_id=7004,
        region="VN",
        main_account_id=3300001,
        needs_reauth_since=now - dt.timedelta(hours=2),
        needs_reauth_reason="Shopee no longer accepts the refresh token",
    )
    vouchers = {
        "ongoing": VoucherFactory(shop=singapore, voucher_code="SALE10", voucher_name="Sale 10"),
        "ongoing2": VoucherFactory(shop=singapore, voucher_code="SALE20"),
        "refused": VoucherFactory(shop=thailand, voucher_code="TH-REFUSE"),
        "failed": VoucherFactory(shop=philippines, voucher_code="PH-FAIL"),
        "upcoming": VoucherFactory(shop=singapore, upcoming=True, voucher_code="SOON"),
        "expired": VoucherFactory(shop=thailand, expired=True, voucher_code="OLD"),
        "managed": VoucherFactory(shop=singapore, is_admin=True, voucher_code="SHOPEE1"),
        "game": VoucherFactory(shop=thailand, voucher_purpose=4, voucher_code="GAME"),
    }
    later = VoucherFactory(shop=singapore, voucher_code="LATER")
    sandbox.mirror()
    sandbox.control.set_faults(
        [
            {
                "path": END,
                "shop_id": 7002,
                "kind": "shopee_error",
                "error": "voucher.end_voucher_refused",
                "message": "The voucher cannot be ended now",
            },
            {"path": END, "shop_id": 7003, "kind": "http_status", "status": 502},
        ]
    )
    finished = run_create(
        vouchers=Voucher.objects.filter(pk__in=[v.pk for v in vouchers.values()]),
        actor=boss,
        selection="8 selected",
    )
    finish_runs()
    sandbox.control.clear_faults()
    staff = Client()
    staff.force_login(boss)
    campaign = {"shops": [thailand.pk], "kinds": ["voucher", "discount"]}
    read = staff.post(reverse("admin:runs_endrun_campaign"), campaign)
    assert read.status_code == 302, read.content.decode()[:2000]
    stopped = staff.post(reverse("admin:runs_endrun_campaign"), campaign)
    finish_jobs()
    confirmed = staff.post(stopped["Location"])
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    campaign_run = EndRun.objects.order_by("-pk").first()
    finish_runs()
    finish_jobs()
    canceled = run_create(
        vouchers=Voucher.objects.filter(pk=later.pk),
        actor=boss,
        selection="1 selected",
    )
    run_cancel(run=canceled)
    scheduled = run_create(
        vouchers=Voucher.objects.filter(pk=vouchers["upcoming"].pk),
        actor=boss,
        selection="1 selected",
        end_at=now + dt.timedelta(hours=2),
        delete_upcoming=True,
    )
    sync = shop_job_create(kind=JobKind.SYNC, actor=boss, shops=[singapore, thailand])
    finish_jobs()
    reading = staff.post(reverse("admin:runs_endrun_campaign"), campaign)
    assert reading.status_code == 302
    failed_job = shop_job_create(kind=JobKind.AUTHORIZATIONS, actor=boss, shops=[philippines])
    ShopJob.objects.filter(pk=failed_job.pk).update(
        status=JobStatus.FAILED, error="Shopee answered error_server"
    )
    failed_job.rows.update(state=RowState.FAILED, error="error_server")
    queued_job = shop_job_create(kind=JobKind.CONNECT, actor=boss, shops=[thailand])
    ShopeePush.objects.create(
        code=12,
        shop_shopee_id=7002,
        outcome="applied",
        signature_valid=True,
        http_status=200,
        body={"code": 12, "shop_id": 7002},
        remote_addr="203.0.113.9",
    )
    ShopeePush.objects.create(code=0, outcome="verification", http_status=200, body={})
    RejectedPush.objects.create(
        reason="signature", http_status=401, remote_addr="203.0.113.9", body_size=12
    )
    NotificationSettings.objects.create(user=boss, runs=True, shop_alerts=False)
    for number, (kind, days, managed, status) in enumerate(
        [
            ("discount", -1, False, "ongoing"),
            ("bundle_deal", 1, False, "upcoming"),
            ("add_on_deal", -1, True, "ongoing"),
            ("follow_prize", -9, False, "expired"),
            ("shop_flash_sale", -1, False, "disabled"),
        ]
    ):
        Promotion.objects.create(
            kind=kind,
            shop=singapore if number % 2 else thailand,
            promotion_id=9_000 + number,
            name=f"Promo {number}",
            start_time=now + dt.timedelta(days=days),
            end_time=now + dt.timedelta(days=days + 7),
            shopee_status=status,
            shopee_managed=managed,
            synced_at=now,
        )
    return {
        "boss": boss,
        "team": team,
        "shops": [singapore, thailand, philippines],
        "vouchers": vouchers,
        "runs": [finished, canceled, scheduled, campaign_run],
        "jobs": [sync, failed_job, queued_job],
        "campaign_preview": read["Location"],
        "campaign_reading": reading["Location"],
        "data": data_values(),
    }


def data_values():
    """Every name, code, username, email and Shopee's own words in the database: data, not
    text of ours."""
    values = set()
    for user in get_user_model().objects.all():
        values |= {user.username, user.email}
    values |= set(Group.objects.values_list("name", flat=True))
    values |= set(Shop.objects.values_list("name", flat=True))
    values |= set(Shop.objects.values_list("needs_reauth_reason", flat=True))
    for field in ("voucher_code", "voucher_name"):
        values |= set(Voucher.objects.values_list(field, flat=True))
    for field in ("endpoint", "error", "message", "request_id", "actor_username", "shop_name"):
        values |= set(ShopeeCall.objects.values_list(field, flat=True))
    values |= set(EndRun.objects.values_list("selection", flat=True))
    values |= set(Promotion.objects.values_list("name", flat=True))
    values |= set(Promotion.objects.values_list("shopee_status", flat=True))  # Shopee's word
    values |= set(ShopJob.objects.values_list("error", flat=True))
    values |= {"The voucher cannot be ended now", "voucher.end_voucher_refused"}
    values |= {"abc", "NOPE"}  # the CSV files' bad values, shown back
    # The language picker names each language in itself.
    values |= {
        f"{info['name_local']} ({code})" for code, info in LANG_INFO.items() if "name_local" in info
    }
    return sorted((v for v in values if v and len(v) > 1), key=len, reverse=True)


class _Text(HTMLParser):
    """The visible text of a page: text nodes, some attributes, button values."""

    SKIP = {"script", "style", "template", "pre", "code"}  # code and data shown as such
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            # A failure's technical detail keeps the recorded words as they were written.
            technical = "failure-detail" in (attrs.get("class") or "").split()
            self.stack.append("technical" if technical else tag)
            if technical:
                self.stack.append(tag)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if name == "alt" and "admin/img/icon-" in (attrs.get("src") or ""):
                continue  # Django's yes/no icons: alt is Python's True/False, not translatable
            if attrs.get(name):
                self.nodes.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.nodes.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
            if self.stack and self.stack[-1] == "technical":
                self.stack.pop()

    def handle_data(self, data):
        if self.SKIP.intersection(self.stack):
            return
        if "technical" in self.stack and "dd" in self.stack:
            return
        if "head" in self.stack and "title" not in self.stack:
            return
        self.nodes.append(data)


def visible_text(html):
    parser = _Text()
    parser.feed(html)
    nodes = (" ".join(node.split()) for node in parser.nodes)
    return [node for node in nodes if re.search(r"[^\W\d_]", node)]


WORD = re.compile(r"[A-Za-z][A-Za-z_'’]*")
# Codes and API names: Shopee's error codes (common.error_server), paths (voucher/end_voucher).
CODE = re.compile(r"[\w-]+(?:[./][\w-]+)+")
# Terms of Shopee's API, kept as such in every language.
PHRASES = ("access token", "refresh token", "Access token", "Refresh token", "push", "Push")
PHRASES += ("Flash sale",)  # how shopadmin names a shop flash sale (Shopee gives it no name)
TIME_ZONE = re.compile(r"\b[A-Z][a-z]+/[A-Za-z_]+\b")


def english_words(node, language, data):
    """The words of `node` that are English left: data values, codes and allowed words aside."""
    text = node
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    text = TIME_ZONE.sub(" ", text)
    text = CODE.sub(" ", text)
    for phrase in PHRASES:
        text = text.replace(phrase, " ")
    words = []
    for word in WORD.findall(text):
        word = word.rstrip("'’")
        if len(word) < 2 or "_" in word:
            continue
        if word.isupper() and len(word) <= 4:  # codes: regions, HTTP, CSV, ...
            continue
        if word in ALLOWED or word in ALLOWED_BY_LANGUAGE[language]:
            continue
        words.append(word)
    return words


def admin_pages(world):
    """Every page of ours to render, found from the URL patterns; fails on an unknown one."""
    boss = world["boss"]
    pages, unknown = [], []
    request = _request(boss)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in OUR_APPS and model is not Group:
            continue
        prefix = f"{opts.app_label}_{opts.model_name}_"
        names = {p.name for p in model_admin.get_urls() if p.name}
        pages.append(Page(f"{prefix}changelist", reverse(f"admin:{prefix}changelist")))
        if model_admin.has_add_permission(request):
            pages.append(Page(f"{prefix}add", reverse(f"admin:{prefix}add")))
        objects = _objects_of(model, world)
        if not objects:
            unknown.append(f"no {opts.label} object to render its change form: add one")
        for obj in objects:
            pages.append(
                Page(f"{prefix}change {obj.pk}", reverse(f"admin:{prefix}change", args=[obj.pk]))
            )
        for name in sorted(names):
            suffix = name.removeprefix(prefix)
            if name.startswith(prefix) and suffix in STANDARD:
                continue
            built = CUSTOM.get(name)
            if built is not None:
                pages += built(world)
            elif name not in NOT_A_PAGE:
                unknown.append(f"admin:{name}")
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLPattern) and pattern.name:
            _site_page(pattern.name, world, pages, unknown)
    for pattern in _project_patterns(get_resolver().url_patterns):
        if pattern.name and not pattern.name.startswith("admin"):
            _site_page(pattern.name, world, pages, unknown)
    return pages, unknown


def _project_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) != "admin":
                yield from _project_patterns(pattern.url_patterns)
        else:
            yield pattern


def _site_page(name, world, pages, unknown):
    if name in CUSTOM:
        pages += CUSTOM[name](world)
    elif name not in NOT_A_PAGE:
        unknown.append(name)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _objects_of(model, world):
    if model is EndRun:
        return world["runs"]
    if model is ShopJob:
        return world["jobs"]
    if model is ShopeeCall:
        by_outcome = {}
        for call in ShopeeCall.objects.order_by("pk"):
            by_outcome.setdefault((call.outcome, call.endpoint), call)
        return list(by_outcome.values())
    if model is Voucher:
        return list(world["vouchers"].values())[:1] + [world["vouchers"]["managed"]]
    if model is Shop:
        return list(Shop.objects.order_by("pk")[:1]) + list(
            Shop.objects.filter(needs_reauth_since__isnull=False)[:1]
        )
    if model in (ShopeePush, Promotion):
        return list(model._default_manager.order_by("pk"))
    return list(model._default_manager.order_by("pk")[:1])


def _confirmation(world):
    vouchers = world["vouchers"]
    return [
        Page(
            "end confirmation",
            reverse("admin:vouchers_voucher_changelist"),
            method="post",
            data={
                "action": "end_selected_vouchers",
                ACTION_CHECKBOX_NAME: [v.pk for v in vouchers.values()],
                "index": 0,
            },
        )
    ]


def _csv_import(world):
    url = reverse("admin:vouchers_voucher_import")
    good = "shop_id,voucher_code\n7001,SALE10\n7001,SOON\n"
    bad = "shop_id,voucher_code\n7001,SALE10\nabc,\n7009,NOPE\n"
    return [
        Page("CSV import", url),
        Page("CSV import: confirmation", url, "post", {"file": good}),
        Page("CSV import: errors", url, "post", {"file": bad}),
        Page("CSV import: no header", url, "post", {"file": "a;b\n1;2\n"}),
    ]


def _rule(world):
    url = reverse("admin:shops_shop_end_rule")
    shops = [shop.pk for shop in world["shops"]]
    return [
        Page("rule preview", f"{url}?" + "&".join(f"shop={pk}" for pk in shops)),
        Page(
            "rule preview (posted)",
            url,
            "post",
            {ACTION_CHECKBOX_NAME: shops, "code_prefix": "SALE", "preview": "1"},
        ),
    ]


def _connect_callback(world):
    url = reverse("admin:shops_shop_connect_callback")
    return [Page("connect callback refused", f"{url}?state=forged&code=x&shop_id=1")]


def _run_actions(world):
    finished, canceled, scheduled, _campaign_run = world["runs"]
    return [
        Page(
            "run canceled (message)",
            reverse("admin:runs_endrun_cancel", args=[scheduled.pk]),
            "post",
            rollback=True,
            follow=True,
        ),
        Page(
            "run retried (message)",
            reverse("admin:runs_endrun_retry", args=[finished.pk]),
            "post",
            rollback=True,
            follow=True,
        ),
    ]


def _shop_actions(world):
    url = reverse("admin:shops_shop_changelist")
    shops = [shop.pk for shop in world["shops"]]
    return [
        Page(
            f"shop list action {action}",
            url,
            "post",
            {"action": action, ACTION_CHECKBOX_NAME: shops, "index": 0},
            rollback=True,
            follow=True,
        )
        for action in _actions_of(Shop)
    ]


def _actions_of(model):
    request = _request(get_user_model().objects.get(username="boss"))
    model_admin = admin.site._registry[model]
    return [name for name in model_admin.get_actions(request) if name != "delete_selected"]


def _index(world):
    return [Page("admin index (dashboard)", reverse("admin:index"))]


def _app_lists(world):
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    return [Page(f"app {label}", reverse("admin:app_list", args=[label])) for label in labels]


def _notifications(world):
    return [Page("notification settings", reverse("notification_settings"))]


def _login(world):
    return [
        Page("login", reverse("admin:login"), anonymous=True),
        Page(
            "login refused",
            reverse("admin:login"),
            "post",
            {"username": "boss", "password": "wrong"},
            anonymous=True,
            rollback=True,
        ),
    ]


def _campaign(world):
    url = reverse("admin:runs_endrun_campaign")
    shops = [shop.pk for shop in world["shops"]]
    return [
        Page("stop a campaign", f"{url}?" + "&".join(f"shop={pk}" for pk in shops)),
        Page("stop a campaign: errors", url, "post", {"kinds": [], "window_from": "x"}),
    ]


def _campaign_follow_up(world):
    run = world["runs"][3]
    url = reverse("admin:runs_endrun_campaign_follow_up", args=[run.pk])
    return [Page("stop a campaign: follow-up", url, "post", rollback=True, follow=True)]


def _campaign_preview(world):
    return [
        Page("stop a campaign: reading", world["campaign_reading"]),
        Page("stop a campaign: preview", world["campaign_preview"]),
        Page(
            "stop a campaign: confirmed",
            world["campaign_preview"],
            "post",
            rollback=True,
            follow=True,
        ),
    ]


CUSTOM = {
    "runs_endrun_campaign": _campaign,
    "runs_endrun_campaign_preview": _campaign_preview,
    "runs_endrun_campaign_follow_up": _campaign_follow_up,
    "index": _index,
    "admin_home": lambda world: [],  # the same page as index
    "app_list": _app_lists,
    "login": _login,
    "password_change": lambda world: [],  # Django's page
    "notification_settings": _notifications,
    "shops_shop_connect_callback": _connect_callback,
    "shops_shop_end_rule": _rule,
    "vouchers_voucher_import": lambda world: _csv_import(world) + _confirmation(world),
}
EXTRA = [_run_actions, _shop_actions]


def render(page, client, anonymous, language):
    active = anonymous if page.anonymous else client
    active.cookies["django_language"] = language
    data = page.data
    if data and "file" in data and isinstance(data["file"], str):
        data = {**data, "file": SimpleUploadedFile("vouchers.csv", data["file"].encode())}
    with transaction.atomic():
        response = getattr(active, page.method)(page.url, data or {}, follow=page.follow)
        html = response.content.decode()
        if page.rollback:
            transaction.set_rollback(True)
    return response.status_code, html


@pytest.mark.django_db
def test_every_page_of_ours_is_translated(world, client):
    client.force_login(world["boss"])
    anonymous = Client()
    pages, unknown = admin_pages(world)
    for extra in EXTRA:
        pages += extra(world)
    assert not unknown, "pages the test does not know how to render: " + ", ".join(unknown)

    offenses, broken = [], []
    for page in pages:
        status, english = render(page, client, anonymous, "en")
        if status >= 500 or status in (403, 404, 405):
            broken.append(f"{page.key} {page.url}: HTTP {status}")
            continue
        english_nodes = set(visible_text(english))
        for language in LANGUAGES:
            _status, html = render(page, client, anonymous, language)
            seen = set()
            for node in visible_text(html):
                if node in seen:
                    continue
                seen.add(node)
                if node not in english_nodes and language not in NON_LATIN:
                    continue
                words = english_words(node, language, world["data"])
                if words:
                    offenses.append(f"{language}\t{page.key}\t{node!r}\t{' '.join(words)}")
    report = "\n".join(offenses)
    print(f"{len(pages)} pages, {len(offenses)} English texts left")
    print(report)
    assert not broken, "\n".join(broken)
    assert not offenses, f"{len(offenses)} English texts left:\n{report}"


def test_every_catalogue_is_translated_in_full():
    """No msgid left untranslated or fuzzy, so no page falls back to English."""
    missing = []
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po")):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        language = po_path.parent.parent.name
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                missing.append(f"{language}: {message.id!r}")
    assert not missing, f"{len(missing)} untranslated:\n" + "\n".join(missing)
