"""My notifications (/admin/notifications/): each staff user turns their mails off and on."""

import re

import pytest
from django.test import Client

from notifications.models import NotificationSettings
from notifications.services.notify import shop_alerts_send
from shops.services.shops import shop_mark_needs_reauth
from tests.factories import ShopFactory, UserFactory
from tests.pages import text_of
from tests.smtp import smtp  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

URL = "/admin/notifications/"


def checked(response, name):
    """Whether the page's checkbox `name` is ticked."""
    box = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', response.content.decode())
    assert box, f"no checkbox {name}"
    return " checked" in box.group(0)


def test_staff_reach_it_from_the_user_tools(merch_client):
    index = merch_client.get("/admin/")
    assert f'<a href="{URL}">My notifications</a>' in index.content.decode()

    page = merch_client.get(URL)
    assert page.status_code == 200
    text = text_of(page)
    assert "My notifications" in text
    assert "Mails go to merch@example.com" in text
    assert checked(page, "runs") and checked(page, "shop_alerts")  # everything on at first


def test_a_user_without_email_is_told_they_get_none(client):
    client.force_login(UserFactory(username="quiet", email=""))
    assert "You have no email address, so you get no mails" in text_of(client.get(URL))


def test_anonymous_users_and_non_staff_are_sent_to_the_login(client):
    assert client.get(URL).url.startswith("/admin/login/?next=/admin/notifications/")
    client.force_login(UserFactory(username="outsider", is_staff=False))
    response = client.post(URL, {"runs": "on"})
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert not NotificationSettings.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(merchandiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(merchandiser)
    assert client.post(URL, {"shop_alerts": "on"}).status_code == 403
    assert not NotificationSettings.objects.exists()


def test_turning_run_mails_off_and_on(merch_client, merchandiser):
    saved = merch_client.post(URL, {"shop_alerts": "on"}, follow=True)  # runs unchecked
    assert "Your notification settings were saved." in text_of(saved)
    choices = NotificationSettings.objects.get(user=merchandiser)
    assert (choices.runs, choices.shop_alerts) == (False, True)
    assert not checked(saved, "runs") and checked(saved, "shop_alerts")

    merch_client.post(URL, {"runs": "on", "shop_alerts": "on"})
    choices.refresh_from_db()
    assert (choices.runs, choices.shop_alerts) == (True, True)
    merch_client.post(URL, {})  # both unchecked
    choices.refresh_from_db()
    assert (choices.runs, choices.shop_alerts) == (False, False)
    assert NotificationSettings.objects.count() == 1


def test_a_superuser_who_turned_shop_alerts_off_gets_none(client, smtp):  # noqa: F811
    quiet = UserFactory(username="quiet", email="quiet@example.com", is_superuser=True)
    UserFactory(username="told", email="told@example.com", is_superuser=True)
    client.force_login(quiet)
    client.post(URL, {"runs": "on"})  # shop alerts unchecked
    shop_mark_needs_reauth(shop=ShopFactory(), reason="banned")

    shop_alerts_send()

    assert [mail.recipients for mail in smtp.mails] == [["told@example.com"]]
