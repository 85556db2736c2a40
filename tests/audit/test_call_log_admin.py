"""The Shopee call log pages: read-only for everyone, filters, search, detail and CSV."""

import csv
import io
import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from audit.models import ShopeeCall
from tests.factories import ShopFactory, UserFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_shopeecall_changelist")
EXPORT = reverse("admin:audit_shopeecall_export")


def make_call(**fields):
    defaults = {
        "started_at": timezone.now(),
        "finished_at": timezone.now(),
        "duration_ms": 120,
        "actor_username": "merch",
        "shop_shopee_id": 7001,
        "shop_name": "North",
        "voucher_shopee_id": 5_000_000_001,
        "voucher_code": "SALE1",
        "endpoint": "/api/v2/voucher/end_voucher",
        "method": "POST",
        "outcome": "success",
        "request_id": uuid.uuid4().hex,
        "request": {"method": "POST", "query": {"sign": "[redacted]"}, "body": {"voucher_id": 1}},
        "response": {"error": "", "response": {"voucher_id": 1}},
    }
    return ShopeeCall.objects.create(**{**defaults, **fields})


@pytest.fixture
def calls(db):
    shop = ShopFactory(name="North", shop_id=7001)
    return {
        "ok": make_call(shop=shop),
        "refused": make_call(
            shop=shop,
            outcome="refused",
            error="voucher.end_voucher_status_error",
            message="Can only end the ongoing voucher.",
            voucher_shopee_id=5_000_000_002,
        ),
        "failed": make_call(
            outcome="failed",
            error_kind="transient",
            message="The connection to Shopee failed or was dropped before an answer.",
            request_id="",
            shop_shopee_id=7002,
            shop_name="South",
        ),
    }


@pytest.fixture
def auditor_client(client):
    client.force_login(
        UserFactory(
            username="auditor",
            permissions=["audit.view_shopeecall", "shops.view_all_shops"],
        )
    )
    return client


def listed(response):
    return {call.pk for call in response.context["cl"].result_list}


def test_nobody_can_add_change_or_delete_not_even_a_superuser(admin_client, calls):
    call = calls["ok"]
    assert admin_client.get(reverse("admin:audit_shopeecall_add")).status_code == 403
    detail = admin_client.get(reverse("admin:audit_shopeecall_change", args=[call.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    posted = admin_client.post(
        reverse("admin:audit_shopeecall_change", args=[call.pk]), {"message": "edited"}
    )
    assert posted.status_code == 403
    delete = reverse("admin:audit_shopeecall_delete", args=[call.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [call.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    call.refresh_from_db()
    assert call.message == ""
    assert ShopeeCall.objects.count() == 3


def test_list_shows_who_what_and_shopee_words(auditor_client, calls):
    response = auditor_client.get(CHANGELIST)
    page = text_of(response)
    assert response.status_code == 200
    assert listed(response) == {call.pk for call in calls.values()}
    assert "voucher.end_voucher_status_error" in page
    assert calls["refused"].request_id in page
    assert "SALE1 (5000000001)" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"outcome__exact": "refused"}, {"refused"}),
        ({"error": "voucher.end_voucher_status_error"}, {"refused"}),
        ({"error": "-"}, {"ok", "failed"}),
        ({"error_kind__exact": "transient"}, {"failed"}),
        ({"shop__id__exact": "SHOP"}, {"ok", "refused"}),
        ({"q": "5000000002"}, {"refused"}),
        ({"q": "7002"}, {"failed"}),
        ({"q": "dropped before"}, {"failed"}),
        ({"q": "REQUEST_ID"}, {"refused"}),
        (
            {
                "started_at__gte": "2000-01-01 00:00:00+00:00",
                "started_at__lt": "2001-01-01 00:00:00+00:00",
            },
            set(),
        ),
    ],
)
def test_filters_and_search(auditor_client, calls, query, expected):
    query = {
        key: value.replace("SHOP", str(calls["ok"].shop_id)).replace(
            "REQUEST_ID", calls["refused"].request_id
        )
        for key, value in query.items()
    }
    response = auditor_client.get(CHANGELIST, query)
    assert response.status_code == 200
    assert listed(response) == {calls[name].pk for name in expected}


def test_filter_by_actor_and_batch(auditor_client, db):
    user = UserFactory(username="ender")
    batch = uuid.uuid4()
    mine = make_call(actor=user, actor_username="ender", batch_id=batch)
    make_call()
    assert listed(auditor_client.get(CHANGELIST, {"actor__id__exact": user.pk})) == {mine.pk}
    assert listed(auditor_client.get(CHANGELIST, {"batch_id": str(batch)})) == {mine.pk}


def test_a_bad_filter_value_is_not_a_traceback(auditor_client, calls):
    response = auditor_client.get(CHANGELIST, {"batch_id": "not-a-uuid"})
    assert response.status_code in (200, 302)


def test_detail_page_shows_the_redacted_request_and_response(auditor_client, calls):
    call = calls["refused"]
    response = auditor_client.get(reverse("admin:audit_shopeecall_change", args=[call.pk]))
    page = text_of(response)
    assert "Can only end the ongoing voucher." in page
    assert '"sign": "[redacted]"' in page
    assert call.request_id in page


def test_csv_export_of_the_filtered_list(auditor_client, calls):
    page = auditor_client.get(CHANGELIST, {"outcome__exact": "refused"})
    assert f'href="{EXPORT}?outcome__exact=refused"' in page.content.decode()

    response = auditor_client.get(EXPORT, {"outcome__exact": "refused"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["request_id"] == calls["refused"].request_id
    assert rows[0]["error"] == "voucher.end_voucher_status_error"
    assert rows[0]["voucher id"] == "5000000002"


def test_csv_neutralises_spreadsheet_formulas(auditor_client, db):
    make_call(message='=HYPERLINK("http://evil")')
    response = auditor_client.get(EXPORT)
    content = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in content


def test_staff_without_the_view_permission_cannot_read_or_export(client, calls):
    client.force_login(UserFactory(username="outsider"))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_page_queries_do_not_grow_with_the_table(auditor_client, db, django_assert_max_num_queries):
    for _ in range(150):
        make_call()
    with django_assert_max_num_queries(12):
        response = auditor_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 100


@pytest.mark.parametrize(
    "message",
    [
        " =HYPERLINK(1)",
        "  +1+1",
        "\u00a0-1+1",
        "\u3000@SUM(1)",
        "\n=1+1",
        "\t=1+1",
        "\r=1+1",
        "\tplain",
        "\uff1dHYPERLINK(1)",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(1)",
        " \uff1d1",
        "\ufe661",
    ],
    ids=repr,
)
def test_csv_neutralises_formulas_behind_white_space_and_full_width_signs(
    auditor_client, db, message
):
    make_call(message=message)
    response = auditor_client.get(EXPORT)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["message"] == "'" + message


@pytest.mark.parametrize("message", ["Can only end the ongoing voucher.", " plain", "a=b"])
def test_csv_leaves_ordinary_text_alone(auditor_client, db, message):
    make_call(message=message)
    response = auditor_client.get(EXPORT)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["message"] == message


def _team(name, shop, *members):
    group = Group.objects.create(name=name)
    shop.teams.add(group)
    for member in members:
        member.groups.add(group)
    return group


def test_a_team_member_chooses_actors_among_their_team_only(client, db):
    team_permissions = ["audit.view_shopeecall"]
    alice = UserFactory(username="alpha_alice", permissions=team_permissions)
    mate = UserFactory(username="alpha_mate")
    other = UserFactory(username="bravo_bob", permissions=team_permissions)
    everyone = UserFactory(username="staff_dave")  # shares a group without shops with alice
    alpha = ShopFactory(name="Alpha", shop_id=7301)
    bravo = ShopFactory(name="Bravo", shop_id=7302)
    _team("Alpha team", alpha, alice, mate)
    _team("Bravo team", bravo, other)
    staff = Group.objects.create(name="All staff")
    for user in (alice, other, everyone):
        user.groups.add(staff)
    make_call(shop=alpha, actor=mate, actor_username="alpha_mate")
    make_call(shop=bravo, actor=other, actor_username="bravo_bob", shop_name="Bravo")

    client.force_login(alice)
    response = client.get(CHANGELIST)
    actor_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "actor"
    )
    assert {label for _, label in actor_filter.lookup_choices} == {"alpha_alice", "alpha_mate"}
    page = text_of(response)
    assert "bravo_bob" not in page and "staff_dave" not in page

    # Someone who sees every shop chooses among every user.
    client.force_login(
        UserFactory(username="auditor2", permissions=[*team_permissions, "shops.view_all_shops"])
    )
    response = client.get(CHANGELIST)
    actor_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "actor"
    )
    assert {"bravo_bob", "alpha_mate", "staff_dave"} <= {
        label for _, label in actor_filter.lookup_choices
    }


def test_the_list_fits_a_laptop_outcome_badge_time_offset(auditor_client, calls, settings):
    settings.TIME_ZONE = "Asia/Manila"
    html = auditor_client.get(CHANGELIST).content.decode()
    headers = re.findall(r'<th scope="col" class="(?:sortable )?column-(\w+)', html)
    assert headers == [
        "started",
        "outcome_label",
        "api",
        "voucher_label",
        "shop_label",
        "actor_username",
        "request_label",
    ]  # duration, attempt, request and answer: on the call's page
    assert '<span class="badge badge-refused">Refused by Shopee</span>' in html
    assert '<span class="badge badge-success">Success</span>' in html
    # Shopee's error code under the badge; times in the site's zone with its offset.
    assert re.search(r'badge-refused.*?title="voucher.end_voucher_status_error"', html, re.S)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08<", html)
    assert "PST" not in html
