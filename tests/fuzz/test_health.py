"""Fuzz the health URL: any query, any method. It answers its JSON report (200, or 503 when no
worker beat lately: its contract, not a server error) to a GET or HEAD (load balancers probe
with either), 405 to any other method, never a traceback."""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.checks import assert_safe, body_of, rolled_back, shown
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import any_texts, query_dicts

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

HEALTH_KEYS = {
    "status",
    "database",
    "worker",
    "workers_alive",
    "last_worker_heartbeat",
    "shopee",
}


@pytest.mark.parametrize("debug", [False, True], indirect=True)
@budget(20)
@given(
    query=query_dicts(["status", "worker", "format"]),
    method=st.sampled_from(["get", "head", "post", "put", "delete", "options"]),
    host=st.sampled_from(["testserver", "localhost"]) | any_texts(20),
)
def test_health(debug, query, method, host):
    client = Client(raise_request_exception=False)
    with rolled_back():
        response = getattr(client, method)("/health/", query, headers={"host": host})
        what = f"{method} /health/ {shown(query)} host {shown(host)}"
        if response.status_code != 503:  # 503: the report says no worker beat lately
            assert_safe(response, what=what)
        body = body_of(response)
        if response.status_code == 400:
            return  # a host that is not allowed (DisallowedHost)
        if method not in ("get", "head"):
            assert response.status_code == 405, what
            return
        assert response.status_code in (200, 503), what
        if method == "get":
            assert set(json.loads(body)) == HEALTH_KEYS, what
