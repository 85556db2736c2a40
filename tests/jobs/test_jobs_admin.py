"""Shop job pages: who may see them, what they show while running and once done."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from jobs.models import ShopJob
from tests.factories import TEAM_PERMISSIONS, ShopFactory, ShopTokenFactory, UserFactory
from tests.jobs.follow import follow_job, job_outcome
from tests.pages import text_of
from tests.shops import test_connect_main_account as connect_tests
from tests.shops.test_connect_main_account import MAIN_ACCOUNT_ID, SHOPS, seller_authorizes
from tests.test_languages import compiled_catalogues  # noqa: F401 (compiles, autouse)

pytestmark = pytest.mark.django_db

SHOP_LIST = reverse("admin:shops_shop_changelist")
JOBS = reverse("admin:jobs_shopjob_changelist")
SHOP_INFO = "/api/v2/shop/get_shop_info"

main_account = connect_tests.main_account  # the fixture: three shops under one main account


def job_page(job):
    return reverse("admin:jobs_shopjob_change", args=[job.pk])


@pytest.fixture
def teams(sandbox):
    """A Thailand and a Singapore shop, connected; a Thailand team with one member."""
    th = ShopTokenFactory(shop=ShopFactory(name="Acme Thailand", shop_id=7100, region="TH")).shop
    sg = ShopTokenFactory(shop=ShopFactory(name="Acme Singapore", shop_id=7200, region="SG")).shop
    sandbox.mirror()
    team = Group.objects.create(name="Thailand team")
    team.permissions.set(
        Permission.objects.filter(codename__in=[p.split(".")[1] for p in TEAM_PERMISSIONS])
    )
    th.teams.add(team)
    member = UserFactory(username="somchai")
    member.groups.add(team)
    return {"th": th, "sg": sg, "member": member}


def test_a_sync_page_shows_each_shop_waiting_then_done(merch_client, sandbox, teams):
    answer = merch_client.post(
        SHOP_LIST,
        {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [teams["th"].pk, teams["sg"].pk]},
    )
    waiting = merch_client.get(answer["Location"])
    text = text_of(waiting)
    assert "Status: Queued" in text and "0 of 2 shops done" in text
    assert "Acme Thailand (7100) Waiting" in text and "Acme Singapore (7200) Waiting" in text
    assert 'http-equiv="refresh"' in waiting.content.decode()
    assert job_outcome(waiting) == []

    done = follow_job(merch_client, answer)

    text = text_of(done)
    assert "Status: Finished" in text and "2 of 2 shops done" in text
    assert "Acme Singapore (7200) Done 0 vouchers synced (0 new, 0 updated)" in text
    assert 'http-equiv="refresh"' not in done.content.decode()
    assert job_outcome(done) == [
        "Acme Singapore (7200): 0 new and 0 updated vouchers (1 page).",
        "Acme Thailand (7100): 0 new and 0 updated vouchers (1 page).",
    ]
    # No inline script or style (a Content-Security-Policy forbids them); it refreshes by meta.
    ours = done.content.decode().split('<div id="job-progress"')[1]
    assert "<script" not in ours and "style=" not in ours and "<style" not in ours


def test_another_teams_job_cannot_be_seen(merch_client, teams):
    answer = merch_client.post(
        SHOP_LIST, {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [teams["sg"].pk]}
    )
    job = ShopJob.objects.get()
    client = Client()
    client.force_login(teams["member"])

    assert client.get(answer["Location"]).status_code == 302  # "doesn't exist"
    progress = reverse("admin:jobs_shopjob_progress", args=[job.pk])
    assert client.get(progress).status_code == 404
    assert "Acme Singapore" not in text_of(client.get(JOBS))
    assert merch_client.get(progress).json()["total"] == 1


def test_a_team_member_sees_their_own_job(client, teams):
    client.force_login(teams["member"])
    answer = client.post(
        SHOP_LIST, {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [teams["th"].pk]}
    )
    page = follow_job(client, answer)
    assert page.status_code == 200
    assert job_outcome(page) == ["Acme Thailand (7100): 0 new and 0 updated vouchers (1 page)."]
    assert "Job" in text_of(client.get(JOBS))


def test_a_team_members_check_names_no_other_sellers_shops(client, sandbox, teams):
    sandbox.seed(
        shops=[
            {"shop_id": 7100, "name": "Acme Thailand", "region": "TH"},
            {"shop_id": 9900, "name": "Someone else", "region": "SG"},
        ]
    )
    client.force_login(teams["member"])
    answer = client.post(
        SHOP_LIST, {"action": "check_authorizations", ACTION_CHECKBOX_NAME: [teams["th"].pk]}
    )

    page = follow_job(client, answer)

    assert job_outcome(page) == ["1 of the 1 selected shop confirmed by Shopee."]
    assert "9900" not in page.content.decode()
    assert "Authorized at Shopee" in text_of(page)
    # A check reads no vouchers: its page does not count "vouchers synced".
    assert "1 of 1 shops done (100%): 1 without error, 0 failed." in text_of(page)
    assert "vouchers synced" not in text_of(page).lower()


def test_a_shop_whose_details_cannot_be_read_is_a_warning_on_the_connect_page(
    merch_client, sandbox, main_account
):
    shop_id, name, _ = SHOPS[1]
    sandbox.control.set_faults(
        [{"path": SHOP_INFO, "shop_id": shop_id, "kind": "http_status", "status": 502}]
    )
    answer = merch_client.get(
        seller_authorizes(merch_client, sandbox, main_account_id=MAIN_ACCOUNT_ID)
    )

    page = follow_job(merch_client, answer)

    summary, warning = job_outcome(page)
    assert summary.startswith(f"Connected main account {MAIN_ACCOUNT_ID}: added 3 shops")
    assert summary.endswith("; 4 vouchers synced.")
    assert warning.startswith(
        f"Shop {shop_id} ({shop_id}): connected, but fetching its details or vouchers failed:"
    )
    assert "502" in warning
    assert "Tokens stored for 3 shops" in page.content.decode()


def test_the_job_page_speaks_the_readers_language(merch_client, teams):
    answer = merch_client.post(
        SHOP_LIST, {"action": "sync_vouchers", ACTION_CHECKBOX_NAME: [teams["th"].pk]}
    )
    follow_job(merch_client, answer)

    thai = text_of(merch_client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="th"))

    assert "1 จาก 1 ร้าน" in thai and "ซิงค์บัตรกำนัลแล้ว 0 รายการ" in thai
    assert "Acme Thailand (7100)" in thai
    assert "shops done" not in thai and "new and 0 updated" not in thai
    vietnamese = text_of(merch_client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="vi"))
    assert "Công việc" in vietnamese and "Đã đồng bộ 0 voucher" in vietnamese
