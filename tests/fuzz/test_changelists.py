"""Fuzz the admin's lists and object pages: random filters (the real parameter names of each
ModelAdmin's list_filter, and others), ordering (o=), paging (p=) and search (q=), object ids
in URLs, and the call log's CSV export. A GET never changes anything."""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.checks import assert_safe, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import id_texts, query_dicts
from vouchers.models import EndRun, Shop, ShopeeCall, Voucher

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

MODELS = [Voucher, ShopeeCall, EndRun, Shop]


def changelist_url(model):
    return reverse(f"admin:vouchers_{model._meta.model_name}_changelist")


def filter_parameters(model, user):
    """The query parameters of the model's list filters, as its changelist builds them."""
    model_admin = admin.site.get_model_admin(model)
    request = RequestFactory().get(changelist_url(model))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = []
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    return names


def get(client, url, query, *, what):
    before = db_snapshot()
    with rolled_back():
        response = client.get(url, query)
        body = assert_safe(response, secrets=stored_secrets(), what=f"{what} {shown(query)}")
        assert db_snapshot() == before, f"{what} {shown(query)} changed the database"
    return response, body


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@budget(40)
@given(data=st.data())
def test_changelist(superuser_client, world, model, data):
    names = filter_parameters(model, world["run"].created_by)
    query = data.draw(query_dicts(names), label="query")
    get(superuser_client, changelist_url(model), query, what=f"{model.__name__} list")


@budget(30)
@given(data=st.data())
def test_call_log_export(superuser_client, world, data):
    query = data.draw(query_dicts(filter_parameters(ShopeeCall, world["run"].created_by)))
    get(superuser_client, reverse("admin:vouchers_shopeecall_export"), query, what="export")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("page", ["change", "history", "delete"])
@budget(15)
@given(object_id=id_texts())
@example(object_id="²")
@example(object_id="٣")
@example(object_id="9" * 30)
def test_object_pages(superuser_client, world, model, page, object_id):
    url = f"/admin/vouchers/{model._meta.model_name}/{quote(object_id, safe='')}/{page}/"
    get(superuser_client, url, {}, what=f"{model.__name__} {page} {object_id!r}")


@pytest.mark.parametrize("debug", [True], indirect=True)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@budget(15)
@given(data=st.data())
def test_changelist_debug_pages(superuser_client, world, debug, model, data):
    """With DEBUG on, Django shows tracebacks on its error pages: none may appear."""
    query = data.draw(query_dicts(filter_parameters(model, world["run"].created_by)))
    get(superuser_client, changelist_url(model), query, what=f"{model.__name__} list (debug)")


# Regression examples: inputs that answered HTTP 500 before the fix (or, on PostgreSQL, would).
REGRESSIONS = [
    (Voucher, {"q": "²"}),
    (ShopeeCall, {"q": "²"}),
    (Voucher, {"q": "9" * 5000}),
    (ShopeeCall, {"q": "9" * 5000}),
    (ShopeeCall, {"started_at__gte": "9999-12-31 23:59:59-14:00"}),
    (EndRun, {"created_at__lt": "9999-12-31 23:59:59-14:00"}),
    (ShopeeCall, {"started_at__gte": "0001-01-01 00:00:00+14:00"}),
    (ShopeeCall, {"error": "a\x00b"}),
    (Voucher, {"q": "SALE\x00"}),
    (EndRun, {"status__exact": "\x00"}),
]


@pytest.mark.parametrize(("model", "query"), REGRESSIONS, ids=lambda value: shown(value, 40))
def test_changelist_regressions(superuser_client, world, model, query):
    """Refused as a wrong filter is (a redirect to ?e=1), or answered; never a 500."""
    response, _ = get(superuser_client, changelist_url(model), query, what=model.__name__)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
