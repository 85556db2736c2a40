"""Fuzz the admin's lists and object pages: random filters (the real parameter names of each
ModelAdmin's list_filter, and others), ordering (o=), paging (p=) and search (q=), object ids
in URLs, and the call log's CSV export. A GET never changes anything."""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.models import ShopeeCall, ShopeePush
from jobs.models import ShopJob
from promotions.models import Promotion
from runs.models import EndRun
from shops.models import Shop
from tests.fuzz.checks import assert_safe, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import id_texts, query_dicts
from vouchers.models import Voucher

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

MODELS = [Voucher, ShopeeCall, EndRun, Shop, ShopeePush, ShopJob, Promotion]
OBJECT_QUERY_NAMES = ["_to_field", "_popup", "_changelist_filters"]


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def filter_parameters(model, user):
    """The query parameters of the model's list filters, as its changelist builds them."""
    model_admin = admin.site.get_model_admin(model)
    request = RequestFactory().get(changelist_url(model))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = []
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


def get(client, url, query, *, what):
    before = db_snapshot()
    with rolled_back():
        response = client.get(url, query)
        body = assert_safe(response, secrets=stored_secrets, what=f"{what} {shown(query)}")
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
    get(superuser_client, reverse("admin:audit_shopeecall_export"), query, what="export")


def object_ids(model):
    real = [str(pk) for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:3]]
    return st.sampled_from(real) | id_texts() if real else id_texts()


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("page", ["change", "history", "delete"])
@budget(15)
@given(data=st.data())
def test_object_pages(superuser_client, world, model, page, data):
    object_id = data.draw(object_ids(model), label="object id")
    query = data.draw(query_dicts(OBJECT_QUERY_NAMES), label="query")
    url = f"/admin/vouchers/{model._meta.model_name}/{quote(object_id, safe='')}/{page}/"
    get(superuser_client, url, query, what=f"{model.__name__} {page} {object_id!r}")


@pytest.mark.parametrize(
    "object_id", ["²", "٣", "9" * 30, "9" * 5000, ""], ids=lambda value: shown(value, 40)
)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_object_page_regressions(superuser_client, world, model, object_id):
    url = f"/admin/vouchers/{model._meta.model_name}/{quote(object_id, safe='')}/change/"
    get(superuser_client, url, {}, what=f"{model.__name__} change {shown(object_id)}")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_empty_to_field(superuser_client, world, model):
    """Regression: ``?_to_field=`` (empty) answered HTTP 500 on every object page: Django's
    get_object() looked up a field named ""."""
    pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    get(superuser_client, url, {"_to_field": ""}, what=f"{model.__name__} ?_to_field=")


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
    (ShopeePush, {"received_at__year": "9999"}),
    (ShopeePush, {"received_at__year": "9999", "received_at__month": "12"}),
    (ShopeePush, {"received_at__year": "²"}),
    (ShopeePush, {"q": "²"}),
    (ShopeePush, {"q": "9" * 30}),
    (Shop, {"q": "9" * 30}),
    (Shop, {"main_account_id__exact": "9" * 30}),
]


@pytest.mark.parametrize(("model", "query"), REGRESSIONS, ids=lambda value: shown(value, 40))
def test_changelist_regressions(superuser_client, world, model, query):
    """Refused as a wrong filter is (a redirect to ?e=1), or answered; never a 500."""
    response, _ = get(superuser_client, changelist_url(model), query, what=model.__name__)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
