"""Fuzz the connect callback (/admin/shops/shop/connect/callback/): the state (ours, another,
none), the code, shop_id and main_account_id as text. A callback refused by us changes nothing
and calls nobody; one that Shopee refuses leaves exactly its audited call; never a 500."""

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import ShopeeCall
from tests.fuzz.checks import assert_safe, body_of, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import any_texts, id_texts

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CONNECT = reverse("admin:shops_shop_connect")
CALLBACK = reverse("admin:shops_shop_connect_callback")
SHOPEE_REFUSED = "Shopee refused the authorization code"


def sandbox_state(sandbox):
    state = sandbox.control.state()
    state.pop("now", None)
    return state


def start_connect(client):
    """Click "Connect a Shopee shop": returns the state our callback expects."""
    response = client.get(CONNECT)
    assert response.status_code == 302, response
    return client.session["shopee_connect"]["state"]


def callback(client, sandbox, *, started, state, params):
    before, shopee_before = db_snapshot(), sandbox_state(sandbox)
    calls_before, logged_before = len(sandbox.calls()), ShopeeCall.objects.count()
    with rolled_back():
        ours = start_connect(client) if started else None
        query = {"state": (ours or "") if state is None else state, **params}
        response = client.get(CALLBACK, query)
        what = f"callback {shown(query)}"
        assert_safe(response, secrets=stored_secrets, what=what)
        body = body_of(response)
        if response.status_code == 400 and SHOPEE_REFUSED in body:
            # Our checks passed; Shopee refused the code: one audited call, nothing else.
            assert ShopeeCall.objects.count() == logged_before + 1, what
            assert len(sandbox.calls()) == calls_before + 1, what
            after = db_snapshot()
            after["ShopeeCall"] = before["ShopeeCall"]
            assert after == before, f"{what} changed more than the call log"
        elif response.status_code >= 400:
            assert "The shop was not connected" in body, what
            assert db_snapshot() == before, f"{what} changed the database"
            assert len(sandbox.calls()) == calls_before, f"{what} called Shopee"
    assert sandbox_state(sandbox) == shopee_before
    return response


def params():
    keys = st.sampled_from(["code", "shop_id", "main_account_id", "state", "extra"])
    values = {
        "code": st.sampled_from(["0" * 32, "", " "]) | any_texts(40),
        "shop_id": id_texts(),
        "main_account_id": id_texts(),
    }

    @st.composite
    def build(draw):
        found = {}
        for key in draw(st.lists(keys, max_size=4, unique=True)):
            found[key] = draw(values.get(key, any_texts(20)))
        return found

    return build()


@budget(40)
@given(
    started=st.booleans(),
    state=st.none() | any_texts(50),
    given_params=params(),
)
@example(started=True, state=None, given_params={"code": "0" * 32, "shop_id": "²"})
def test_callback(staff_client, world, sandbox, started, state, given_params):
    callback(staff_client, sandbox, started=started, state=state, params=given_params)


@pytest.mark.parametrize("debug", [True], indirect=True)
@budget(15)
@given(shop_id=id_texts(), main_account_id=st.none() | id_texts())
def test_callback_ids_debug(staff_client, world, sandbox, debug, shop_id, main_account_id):
    params = {"code": "0" * 32, "shop_id": shop_id}
    if main_account_id is not None:
        params["main_account_id"] = main_account_id
    callback(staff_client, sandbox, started=True, state=None, params=params)


@pytest.mark.parametrize("state", ["\x80", "é", "ﬁ"])
def test_non_ascii_state(staff_client, world, sandbox, state):
    """Regression: a connection was started and the callback came back with a state that is not
    ASCII: secrets.compare_digest(str, str) raised TypeError, HTTP 500."""
    response = callback(staff_client, sandbox, started=True, state=state, params={"code": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("shop_id", ["²", "٣", "１", "9" * 5000, "-1", "0", "1e3"], ids=repr)
def test_shop_id_regressions(staff_client, world, sandbox, shop_id):
    """Regression (issue 12): shop_id=² with a valid state and any code answered HTTP 500; it
    is a clear refusal page, and nothing is sent to Shopee."""
    response = callback(
        staff_client,
        sandbox,
        started=True,
        state=None,
        params={"code": "0" * 32, "shop_id": shop_id},
    )
    assert response.status_code == 400
    assert "The shop id in Shopee&#x27;s answer" in body_of(response)
