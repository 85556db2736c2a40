"""Stop a campaign, as staff do it in the admin: over real HTTP to the sandbox.

The form (shops, kinds, terms), the background read of Shopee's lists and its page, the preview
per shop and kind, the one run it starts, and who may do what (kinds by permission, shops by team);
bad input is a form error, never a traceback.
"""

import re
import time

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jobs.models import JobKind, RowState, ShopJob
from jobs.services.campaign_read import campaign_read_create
from promotions.models import Promotion
from runs.models import EndRun
from tests.factories import (
    MERCHANDISER_PERMISSIONS,
    TEAM_PERMISSIONS,
    ShopFactory,
    ShopTokenFactory,
    UserFactory,
)
from tests.jobs.follow import finish_jobs
from tests.pages import finish_runs, messages_of, text_of
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

HOUR, DAY = 3600, 86400
DAY_DELTA = timezone.timedelta(days=1)
ALL_KINDS = ["voucher", "discount", "bundle_deal", "add_on_deal", "follow_prize", "shop_flash_sale"]
KIND_PERMISSIONS = [
    "vouchers.delete_voucher",
    *(f"promotions.{action}_{kind}" for kind in ALL_KINDS[1:] for action in ("end", "delete")),
]
CAMPAIGNER_PERMISSIONS = [*MERCHANDISER_PERMISSIONS, "runs.view_endrun", *KIND_PERMISSIONS]
DISCOUNT_ADMIN_SOURCE = 1  # created in Shopee's admin: Shopee refuses every write


def campaign_url():
    return reverse("admin:runs_endrun_campaign")


def preview_url(job):
    return reverse("admin:runs_endrun_campaign_preview", args=[job.pk])


@pytest.fixture
def campaigner(db):
    return UserFactory(username="campaigner", permissions=CAMPAIGNER_PERMISSIONS)


@pytest.fixture
def staff(client, campaigner):
    client.force_login(campaigner)
    return client


def seed_campaign(sandbox, shop, base_id):
    """At Shopee: one promotion of every kind in every state a campaign meets, named XMAS
    (plus one not of the campaign). Returns {label: (kind, id)}."""
    now = sandbox.control.now()
    shop_id = shop.shop_id
    ids = {}

    def add(label, kind, **fields):
        promotion_id = base_id + len(ids)
        id_field = {
            "discount": "discount_id",
            "bundle_deal": "bundle_deal_id",
            "add_on_deal": "add_on_deal_id",
            "follow_prize": "campaign_id",
            "shop_flash_sale": "flash_sale_id",
        }[kind]
        sandbox.control.add_promotion(kind, shop_id=shop_id, **{id_field: promotion_id}, **fields)
        ids[label] = (kind, promotion_id)

    sandbox.control.add_voucher(
        shop_id=shop_id,
        voucher_id=base_id + 90,
        voucher_code="XMAS10",
        voucher_name="XMAS ten",
        start_time=now - DAY,
        end_time=now + DAY,
    )
    ids["voucher ongoing"] = ("voucher", base_id + 90)
    sandbox.control.add_voucher(
        shop_id=shop_id,
        voucher_id=base_id + 91,
        voucher_code="XMAS20",
        voucher_name="XMAS twenty",
        start_time=now + DAY,
        end_time=now + 2 * DAY,
    )
    ids["voucher upcoming"] = ("voucher", base_id + 91)
    window = {"start_time": now - 2 * HOUR, "end_time": now + DAY}
    add("discount ongoing", "discount", discount_name="XMAS discount", **window)
    add(
        "discount just started",
        "discount",
        discount_name="XMAS late discount",
        start_time=now - 600,
        end_time=now + DAY,
    )
    add(
        "discount managed",
        "discount",
        discount_name="XMAS admin discount",
        source=DISCOUNT_ADMIN_SOURCE,
        **window,
    )
    add(
        "discount upcoming",
        "discount",
        discount_name="XMAS next discount",
        start_time=now + DAY,
        end_time=now + 2 * DAY,
    )
    add("bundle ongoing", "bundle_deal", name="XMAS bundle", **window)
    add(
        "add-on upcoming",
        "add_on_deal",
        add_on_deal_name="XMAS add-on",
        start_time=now + DAY,
        end_time=now + 2 * DAY,
    )
    add("follow prize ongoing", "follow_prize", follow_prize_name="XMAS follow", **window)
    add("flash sale ongoing", "shop_flash_sale", start_time=now - 600, end_time=now + HOUR)
    add(
        "discount of another campaign",
        "discount",
        discount_name="Summer",
        start_time=now + 10 * DAY,
        end_time=now + 12 * DAY,
    )
    return ids


@pytest.fixture
def shops(sandbox):
    """Two connected shops (Thailand, Singapore) with a campaign of every kind at Shopee."""
    th = ShopTokenFactory(shop=ShopFactory(name="Acme Thailand", shop_id=7100, region="TH")).shop
    sg = ShopTokenFactory(shop=ShopFactory(name="Acme Singapore", shop_id=7200, region="SG")).shop
    sandbox.mirror()
    return {
        "th": th,
        "sg": sg,
        "th_ids": seed_campaign(sandbox, th, 710_000),
        "sg_ids": seed_campaign(sandbox, sg, 720_000),
    }


def start(client, shops=(), kinds=ALL_KINDS, **terms):
    data = {"shops": [shop.pk for shop in shops], "kinds": list(kinds), **terms}
    return client.post(campaign_url(), data)


def read(client, answer):
    """After "Read Shopee's lists": the reading page, then (the worker done) the preview."""
    assert answer.status_code == 302, text_of(answer)[:500]
    reading = client.get(answer["Location"])
    assert reading.status_code == 200
    finish_jobs()
    return reading, client.get(answer["Location"])


def shopee_state(sandbox, kind, shop_id, promotion_id):
    if kind == "voucher":
        return sandbox.voucher(promotion_id)
    for record in sandbox.control.promotions(kind):
        if record["shop_id"] == shop_id and record[_id_field(kind)] == promotion_id:
            return record
    return None


def _id_field(kind):
    return {
        "discount": "discount_id",
        "bundle_deal": "bundle_deal_id",
        "add_on_deal": "add_on_deal_id",
        "follow_prize": "campaign_id",
        "shop_flash_sale": "flash_sale_id",
    }[kind]


def test_stop_a_campaign_of_two_shops_with_every_kind(staff, sandbox, shops):
    form = staff.get(campaign_url(), {"shop": [shops["th"].pk, shops["sg"].pk]})
    assert form.status_code == 200
    page = form.content.decode()
    for kind in ALL_KINDS:
        assert f'value="{kind}"' in page
    assert "<script" not in page.split('id="campaign-form"')[1] and "style=" not in page

    # The campaign runs until 3 days from now (a shop flash sale has no name: the window
    # narrows every kind); "Summer" starts later.
    until = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    answer = start(staff, [shops["th"], shops["sg"]], window_to=until)
    job = ShopJob.objects.get(kind=JobKind.CAMPAIGN)
    assert sorted(job.rows.values_list("shop_shopee_id", flat=True)) == [7100, 7200]
    assert sandbox.calls() == [] or all("end" not in c["path"] for c in sandbox.calls())
    reading, preview = read(staff, answer)
    assert "0 of 2 shops read" in text_of(reading)
    assert 'http-equiv="refresh"' in reading.content.decode()

    text = text_of(preview)
    assert preview.status_code == 200, text[:500]
    # Per shop (8 stopped each): vouchers 1 ended + 1 deleted, discounts 1 ended + 1 deleted
    # (one started 10 minutes ago and one managed by Shopee skipped), bundle and follow prize
    # ended, add-on deleted, flash sale switched off; "Summer" is not of the campaign.
    kinds = "vouchers, discounts, bundle deals, add-on deals, follow prizes, shop flash sales"
    assert f"The campaign: kinds: {kinds}; starting before" in text
    assert "16 promotions will be stopped" in text
    assert "(8 ended, 6 deleted, 2 switched off); 4 skipped" in text
    assert "Started less than an hour ago" in text
    assert "Managed by Shopee (created in Shopee's admin or by a live stream)" in text
    assert "Summer" not in text
    assert "Acme Singapore (7200): 4 ended, 3 deleted, 1 switched off, 2 skipped" in text
    assert re.search(r"\+07", text) and re.search(r"\+08", text)  # each shop's own time
    html = preview.content.decode()
    assert html.count('class="button default"') == 1  # the only red button
    assert "style=" not in html.split('id="campaign-summary"')[1]

    confirmed = staff.post(preview_url(job), {"confirm": "1"})
    run = EndRun.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:runs_endrun_change", args=[run.pk])
    assert staff.post(preview_url(job), {"confirm": "1"})["Location"] == confirmed["Location"]
    assert EndRun.objects.count() == 1  # confirming twice starts one run

    finish_runs()
    for key in ("th", "sg"):
        shop_id = shops[key].shop_id
        for label, (kind, promotion_id) in shops[f"{key}_ids"].items():
            record = shopee_state(sandbox, kind, shop_id, promotion_id)
            stopped = record is None or _stopped(kind, record, sandbox.control.now())
            expected = label not in (
                "discount just started",
                "discount managed",
                "discount of another campaign",
            )
            assert stopped == expected, (key, label, record)
    # Read back: what the campaign left live is the two discounts Shopee would not end yet and
    # the two it manages; "Stop what is still live" makes a run of the two it can stop.
    run_page = staff.get(reverse("admin:runs_endrun_change", args=[run.pk]))
    assert run_page.status_code == 200
    back = run_page.context["campaign_read_back"]
    assert "4 promotions of the campaign are still live at Shopee" in text_of(run_page)
    assert 'id="campaign-follow-up"' in run_page.content.decode()
    assert back["done"] and back["count"] == 4 and back["may_follow_up"]
    assert sorted(promotion["label"] for _, _, promotion in back["live"]) == [
        "XMAS admin discount",
        "XMAS admin discount",
        "XMAS late discount",
        "XMAS late discount",
    ]
    follow_up = staff.post(back["follow_up_url"])
    second = EndRun.objects.exclude(pk=run.pk).get()
    assert follow_up["Location"] == reverse("admin:runs_endrun_change", args=[second.pk])
    assert sorted(second.items.values_list("voucher_code", flat=True)) == [
        "XMAS late discount",
        "XMAS late discount",
    ]


def _stopped(kind, record, now):
    if kind == "shop_flash_sale":
        return record.get("status") != 1
    return record["end_time"] <= now


def test_the_shop_list_action_opens_the_form_with_those_shops(staff, shops):
    answer = staff.post(
        reverse("admin:shops_shop_changelist"),
        {"action": "stop_campaign", ACTION_CHECKBOX_NAME: [shops["th"].pk]},
    )
    assert answer.status_code == 302
    form = staff.get(answer["Location"])
    assert form.status_code == 200
    selected = re.findall(r'<option value="(\d+)" selected>', form.content.decode())
    assert selected == [str(shops["th"].pk)]


def test_the_runs_list_links_to_the_campaign_page(staff):
    page = staff.get(reverse("admin:runs_endrun_changelist"))
    assert 'id="stop-campaign-link"' in page.content.decode()


def test_only_the_kinds_one_may_stop_are_offered(client, sandbox, shops):
    user = UserFactory(
        username="discounts-only",
        permissions=[*MERCHANDISER_PERMISSIONS, "promotions.end_discount"],
    )
    client.force_login(user)
    page = client.get(campaign_url()).content.decode()
    assert 'value="discount"' in page and 'value="voucher"' in page
    assert 'value="bundle_deal"' not in page and 'value="shop_flash_sale"' not in page
    refused = start(client, [shops["th"]], kinds=["bundle_deal"])
    assert refused.status_code == 200 and not ShopJob.objects.exists()
    assert "bundle_deal is not one of the available choices" in text_of(refused)

    answer = start(client, [shops["th"]], kinds=["discount"], name_contains="XMAS")
    _, preview = read(client, answer)
    text = text_of(preview)
    assert "1 promotion will be stopped" in text  # the ongoing discount; not the upcoming one
    assert "Upcoming, but you are not allowed to delete this kind of promotion" in text
    assert "No, take me back" in text


def test_without_any_kind_the_page_is_refused(client, shops):
    user = UserFactory(username="looker", permissions=["runs.view_endrun", "shops.view_shop"])
    client.force_login(user)
    assert client.get(campaign_url()).status_code == 403
    assert client.post(campaign_url(), {"kinds": ["voucher"]}).status_code == 403
    follow_up = reverse("admin:runs_endrun_campaign_follow_up", args=[1])
    assert client.post(follow_up).status_code == 403
    page = client.get(reverse("admin:runs_endrun_changelist")).content.decode()
    assert "stop-campaign-link" not in page


@pytest.fixture
def team_member(shops):
    team = Group.objects.create(name="Thailand team")
    names = [p.split(".")[1] for p in [*TEAM_PERMISSIONS, *KIND_PERMISSIONS]]
    team.permissions.set(Permission.objects.filter(codename__in=names))
    shops["th"].teams.add(team)
    member = UserFactory(username="somchai")
    member.groups.add(team)
    client = Client()
    client.force_login(member)
    return client


def test_a_team_member_stops_only_their_shops(team_member, shops, staff):
    page = team_member.get(campaign_url()).content.decode()
    assert "Acme Thailand" in page and "Acme Singapore" not in page
    refused = start(team_member, [shops["sg"]])
    assert refused.status_code == 200 and not ShopJob.objects.exists()
    assert "is not one of the available choices" in text_of(refused)

    _, preview = read(team_member, start(team_member))  # no shop chosen: every shop of theirs
    job = ShopJob.objects.get()
    assert list(job.rows.values_list("shop_shopee_id", flat=True)) == [7100]
    text = text_of(preview)
    assert "Acme Thailand" in text and "Acme Singapore" not in text

    # Another team's campaign cannot be seen or confirmed.
    other = start(staff, [shops["sg"]])
    other_job = ShopJob.objects.exclude(pk=job.pk).get()
    finish_jobs()
    assert other.status_code == 302
    for answer in (
        team_member.get(preview_url(other_job)),
        team_member.post(preview_url(other_job), {"confirm": "1"}),
    ):
        assert answer.status_code == 302 and answer["Location"] == campaign_url()
    assert not EndRun.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kinds": []}, "Pick at least one kind of promotion to stop."),
        ({"window_from": "2026-13-45 25:00"}, "Enter a valid date/time."),
        (
            {"window_from": "2026-12-10T00:00", "window_to": "2026-12-01T00:00"},
            "The end of the window must be after its start.",
        ),
        ({"shops": ["999999"]}, "Select a valid choice. 999999 is not one of the available"),
        ({"shops": ["abc"]}, "is not a valid value"),
        ({"name_contains": "x\x00y"}, "Null characters are not allowed."),
        ({"window_zone": "Mars/Olympus"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error(staff, shops, fields, error):
    data = {"shops": [shops["th"].pk], "kinds": ["voucher"], **fields}
    answer = staff.post(campaign_url(), data)
    assert answer.status_code == 200
    assert error in text_of(answer)
    assert "Please correct the errors below." in text_of(answer)
    assert not ShopJob.objects.exists()


def test_an_unknown_or_unfinished_read_is_not_confirmed(staff, shops):
    answer = staff.get(reverse("admin:runs_endrun_campaign_preview", args=[987654]))
    assert answer.status_code == 302 and answer["Location"] == campaign_url()
    start(staff, [shops["th"]])
    job = ShopJob.objects.get()
    assert staff.post(preview_url(job), {"confirm": "1"}).status_code == 403  # still reading
    assert not EndRun.objects.exists()


def test_a_failed_read_is_said_plainly(staff, sandbox, shops):
    sandbox.control.set_faults(
        [
            {
                "path": "/api/v2/discount/get_discount_list",
                "shop_id": 7200,
                "kind": "http_status",
                "status": 500,
            }
        ]
    )
    _, preview = read(staff, start(staff, [shops["th"], shops["sg"]], name_contains="xmas"))
    text = text_of(preview)
    assert "Acme Singapore (7200): Shopee's list of discounts could not be read" in text
    assert "Acme Thailand (7100): Shopee's list" not in text
    # The job's own page (Background work › Shop jobs) says the same and leads to the preview.
    job = ShopJob.objects.get()
    job_page = text_of(staff.get(reverse("admin:jobs_shopjob_change", args=[job.pk])))
    assert "Shopee's lists are read: the campaign's preview is ready." in job_page
    assert "Acme Singapore (7200): not read in full:" in job_page
    assert "The campaign's preview →" in job_page
    confirmed = staff.post(preview_url(ShopJob.objects.get()), {"confirm": "1"}, follow=True)
    assert confirmed.status_code == 200
    assert any("Run" in message for message in messages_of(confirmed))


def test_a_window_leaves_out_what_does_not_run_in_it(staff, shops):
    now = timezone.localtime()
    later = (now + timezone.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    _, preview = read(staff, start(staff, [shops["th"]], kinds=["voucher"], window_from=later))
    text = text_of(preview)
    assert "XMAS10" in text and "XMAS20" in text  # both still run 20 hours from now
    _, preview = read(
        staff,
        start(
            staff,
            [shops["th"]],
            kinds=["voucher"],
            window_from=(now + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert "XMAS10" not in text_of(preview) and "XMAS20" not in text_of(preview)


SCALE_KINDS = {
    "voucher": 40,
    "discount": 10,
    "bundle_deal": 5,
    "add_on_deal": 5,
    "follow_prize": 2,
    "shop_flash_sale": 2,
}


def test_a_preview_of_50_shops_with_64_promotions_each_is_paged_and_fast(
    staff, campaigner, django_assert_max_num_queries
):
    """issue 20's bench size: 50 shops, 64 live promotions each, all listed by Shopee."""
    now = timezone.now()
    times = {"start_time": now - timezone.timedelta(days=1), "end_time": now + DAY_DELTA}
    shops = [ShopFactory(name=f"Scale {n:02}", shop_id=91_000 + n) for n in range(50)]
    job = campaign_read_create(
        actor=campaigner,
        shops=shops,
        campaign={"kinds": list(SCALE_KINDS), "shops": [s.pk for s in shops], "window": []},
    )
    vouchers, promotions, found = [], [], {}
    for shop in shops:
        listed = found.setdefault(shop.pk, {kind: {} for kind in SCALE_KINDS})
        for kind, count in SCALE_KINDS.items():
            for _ in range(count):
                shopee_id = shop.shop_id * 1000 + len(listed[kind])
                listed[kind][str(shopee_id)] = "ongoing"
                if kind == "voucher":
                    vouchers.append(
                        Voucher(
                            shop=shop, voucher_id=shopee_id, voucher_code=f"C{shopee_id}", **times
                        )
                    )
                else:
                    promotions.append(
                        Promotion(
                            kind=kind,
                            shop=shop,
                            promotion_id=shopee_id,
                            name=f"P{shopee_id}",
                            details={"status": 1},  # a flash sale's: enabled
                            **times,
                        )
                    )
    Voucher.objects.bulk_create(vouchers)
    Promotion.objects.bulk_create(promotions)
    for row in job.rows.all():
        row.found = {
            kind: {"listed": ids, "error": "", "read_at": now.isoformat()}
            for kind, ids in found[row.shop_id].items()
        }
        row.state = RowState.DONE
        row.save()
    ShopJob.objects.filter(pk=job.pk).update(status="finished", finished_at=now)

    started = time.monotonic()
    with django_assert_max_num_queries(30):
        page = staff.get(preview_url(job))
    seconds = time.monotonic() - started
    text = text_of(page)
    assert "3,200 promotions will be stopped" in text, text[:2000]
    assert page.content.decode().count('<details class="campaign-shop"') == 5
    assert page.content.decode().count('<tr class="campaign-') == 5 * 64
    assert "Shops page 1 of 10" in text
    print(f"preview of 50 shops x 64 promotions: {seconds * 1000:.0f} ms")


def test_a_read_that_could_not_start_says_why_and_offers_to_start_again(staff, shops, settings):
    answer = start(staff, [shops["th"]])
    settings.SHOPEE_PARTNER_KEY = ""  # broken between the click and the worker
    finish_jobs()
    page = staff.get(answer["Location"])
    text = text_of(page)
    assert page.status_code == 200
    assert "Reading Shopee's lists failed:" in text and "Start again" in text
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert staff.post(answer["Location"], {"confirm": "1"}).status_code == 403
    assert not EndRun.objects.exists()
