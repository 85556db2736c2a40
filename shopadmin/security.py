"""Who is logging in, from where, and where a login lands.

`client_ip_address` is django-axes' AXES_CLIENT_IP_CALLABLE: the lockout after repeated failed
logins is kept per username *and client address*, so the address must be the client's, not the
proxy's. Behind TRUSTED_PROXY_COUNT proxies (DJANGO_TRUSTED_PROXY_COUNT) each proxy appends the
address it received the request from to X-Forwarded-For, so the client is the Nth entry from
the right: everything left of it was written by the client and is ignored. With 0 (the app
faces clients directly) the header is ignored altogether.

Why not django-ipware (axes' other route): it is not a dependency, its proxy count is off by one
against this convention (it counts the client's own entry), its strict mode drops to
REMOTE_ADDR (the proxy: one shared lockout again) when a client adds a hop, and it prefers a
public address over a private one, so staff on an internal network would share the proxy's.

`admin_login` is the admin's login view, landing on the admin index unless `next` is a page of
the admin on this site: Django already refuses other hosts, but sent them to
LOGIN_REDIRECT_URL, and a path outside the admin lands on a 404 or a JSON endpoint.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip_address(request) -> str | None:
    """The client's address as the trusted proxies saw it, normalized; else REMOTE_ADDR.

    When X-Forwarded-For has fewer entries than there are trusted proxies, or the entry the
    first proxy appended is not an address, the request did not come through the configured
    chain: the directly connected peer (REMOTE_ADDR) is all that can be trusted.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote_addr
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < hops:
        return remote_addr
    try:
        return str(ipaddress.ip_address(_without_port(forwarded[-hops])))
    except ValueError:
        return remote_addr


def _without_port(entry):
    """Some proxies append `1.2.3.4:5678` or `[2001:db8::1]:5678`; the address alone."""
    if entry.startswith("["):
        return entry[1:].partition("]")[0]
    if entry.count(":") == 1:
        return entry.partition(":")[0]
    return entry


def admin_login(request, extra_context=None):
    """The admin's login; after a login, `next` is followed only to a page of the admin."""
    response = admin.site.login(request, extra_context)
    if response.status_code == 302 and not _is_admin_page(request, response["Location"]):
        response["Location"] = reverse("admin:index")
    return response


def _is_admin_page(request, url):
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    path = urlsplit(url).path
    return path.startswith(reverse("admin:index")) and path not in {
        reverse("admin:login"),
        reverse("admin:logout"),
    }
