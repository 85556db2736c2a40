"""Logging in to the admin: the lockout behind the proxy, and where a login lands.

Behind the documented proxy every request comes from the proxy's address (REMOTE_ADDR); the
client's own address is in X-Forwarded-For, the last entries appended by the trusted proxies.
A lockout must hold for one username from one client, never for the username everywhere.
"""

import pytest
from django.urls import reverse

from shopadmin.security import client_ip_address
from tests.factories import UserFactory

PROXY = "10.0.0.2"  # the proxy in front of gunicorn: every request's REMOTE_ADDR
CLIENT_A = "198.51.100.7"  # the attacker
CLIENT_B = "203.0.113.20"  # the staff member, at their desk
PASSWORD = "correct horse battery"  # UserFactory's
LOGIN = reverse("admin:login")


def log_in(client, username, password, *, forwarded_for=None, remote_addr=PROXY):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    client.logout()
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def logged_in(response):
    return response.status_code == 302 and "Too many failed logins" not in response.text


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def staff(db):
    return UserFactory(username="staff-x")


def test_five_failures_from_one_client_lock_that_client_out_only(behind_one_proxy, staff, client):
    for _ in range(5):
        assert not logged_in(log_in(client, "staff-x", "wrong", forwarded_for=CLIENT_A))

    locked = log_in(client, "staff-x", PASSWORD, forwarded_for=CLIENT_A)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text

    # The staff member, from their own address through the same proxy, is not locked out.
    assert logged_in(log_in(client, "staff-x", PASSWORD, forwarded_for=CLIENT_B))
    assert "_auth_user_id" in client.session


def test_a_spoofed_hop_does_not_dodge_the_lockout(behind_one_proxy, staff, client):
    # The attacker sends their own X-Forwarded-For, different each time; the proxy appends the
    # address it saw, which is the only one trusted.
    for n in range(5):
        log_in(client, "staff-x", "wrong", forwarded_for=f"192.0.2.{n}, {CLIENT_A}")

    for spoofed in ("192.0.2.99", CLIENT_B, "not-an-address"):
        locked = log_in(client, "staff-x", PASSWORD, forwarded_for=f"{spoofed}, {CLIENT_A}")
        assert locked.status_code == 429


def test_a_spoofed_hop_does_not_frame_another_client(behind_one_proxy, staff, client):
    # The attacker names the victim's address as the client; the proxy appends theirs.
    for _ in range(6):
        log_in(client, "staff-x", "wrong", forwarded_for=f"{CLIENT_B}, {CLIENT_A}")

    assert logged_in(log_in(client, "staff-x", PASSWORD, forwarded_for=CLIENT_B))
    assert log_in(client, "staff-x", PASSWORD, forwarded_for=CLIENT_A).status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(staff, client):
    # DJANGO_TRUSTED_PROXY_COUNT=0 (the default): the app faces clients directly, and a client's
    # X-Forwarded-For is its own invention.
    for n in range(5):
        log_in(client, "staff-x", "wrong", forwarded_for=f"192.0.2.{n}", remote_addr=CLIENT_A)

    locked = log_in(client, "staff-x", PASSWORD, forwarded_for=CLIENT_B, remote_addr=CLIENT_A)
    assert locked.status_code == 429
    assert logged_in(log_in(client, "staff-x", PASSWORD, remote_addr=CLIENT_B))


def test_another_username_from_the_locked_out_client_is_not_locked(behind_one_proxy, client, db):
    UserFactory(username="staff-x")
    UserFactory(username="staff-y")
    for _ in range(5):
        log_in(client, "staff-x", "wrong", forwarded_for=CLIENT_A)
    assert logged_in(log_in(client, "staff-y", PASSWORD, forwarded_for=CLIENT_A))


@pytest.mark.parametrize(
    ("count", "forwarded_for", "remote_addr", "expected"),
    [
        (0, None, "198.51.100.7", "198.51.100.7"),
        (0, "203.0.113.20", "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.20", PROXY, "203.0.113.20"),
        (1, "192.0.2.1, 203.0.113.20", PROXY, "203.0.113.20"),
        (1, " 192.0.2.1 ,203.0.113.20 ", PROXY, "203.0.113.20"),
        # Two proxies (a load balancer, then nginx): the first appended the client, the second
        # the load balancer.
        (2, "192.0.2.1, 203.0.113.20, 10.0.0.9", PROXY, "203.0.113.20"),
        (1, "2001:DB8::1", PROXY, "2001:db8::1"),
        (1, "192.0.2.1, 203.0.113.20:51234", PROXY, "203.0.113.20"),
        (1, "[2001:db8::1]:51234", PROXY, "2001:db8::1"),
        # Fewer entries than trusted proxies: the request did not come through them all, and
        # nothing in the header is trusted.
        (2, "203.0.113.20", PROXY, PROXY),
        (1, None, PROXY, PROXY),
        (1, "", PROXY, PROXY),
        # What the trusted proxy appended is not an address: misconfigured; the peer is used.
        (1, "192.0.2.1, unknown", PROXY, PROXY),
    ],
)
def test_client_ip_address_takes_the_address_the_trusted_proxies_saw(
    settings, rf, count, forwarded_for, remote_addr, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip_address(rf.get("/", **headers)) == expected


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/admin/",
        "/accounts/profile/",
        "/not-a-page/",
        "/shopee/push/",
        "/admin/logout/",
    ],
)
def test_an_unsafe_or_outside_next_lands_on_the_admin_index(client, staff, next_url):
    response = client.post(
        f"{LOGIN}?next={next_url}", {"username": "staff-x", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(response.url).status_code == 200

    # The same with `next` in the form, as the login page's hidden field carries it.
    client.logout()
    response = client.post(LOGIN, {"username": "staff-x", "password": PASSWORD, "next": next_url})
    assert response.url == reverse("admin:index")


def test_a_next_within_the_admin_is_followed(client, staff):
    target = "/admin/vouchers/voucher/?status=ongoing"
    response = client.post(f"{LOGIN}?next={target}", {"username": "staff-x", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == target
