"""Fuzz the run pages: a run's progress page, Cancel and Retry failed items, with run ids as
text, the wrong method, extra query parameters. An unknown run is a 404 and changes nothing."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.checks import assert_safe, db_snapshot, rolled_back, shown, stored_secrets
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import any_texts, id_texts, query_dicts

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


def run_ids(world):
    return st.sampled_from([str(world["run"].pk)]) | id_texts()


@pytest.mark.parametrize("action", ["cancel", "retry"])
@budget(25)
@given(data=st.data())
def test_run_actions(staff_client, world, sandbox, action, data):
    """Cancel and Retry: a POST on a run; anything else is refused and changes nothing."""
    run_id = data.draw(run_ids(world), label="run id")
    method = data.draw(st.sampled_from(["post", "get", "put", "delete"]), label="method")
    url = f"/admin/runs/endrun/{quote(run_id, safe='')}/{action}/"
    before, calls = db_snapshot(), len(sandbox.calls())
    with rolled_back():
        response = getattr(staff_client, method)(url)
        assert_safe(response, secrets=stored_secrets, what=f"{method} {shown(url)}")
        if response.status_code >= 400 or run_id != str(world["run"].pk):
            assert db_snapshot() == before, f"{method} {shown(url)} changed the database"
    assert len(sandbox.calls()) == calls


@budget(25)
@given(data=st.data())
@example(data=None)
def test_progress_page(staff_client, world, data):
    """The progress page with random query parameters (filters kept from the list, junk)."""
    if data is None:  # the page as linked from the run list
        query = {"_changelist_filters": "status__exact=finished"}
    else:
        query = data.draw(query_dicts(["_changelist_filters", "_popup", "_to_field"]))
    url = reverse("admin:runs_endrun_change", args=[world["run"].pk])
    before = db_snapshot()
    with rolled_back():
        response = staff_client.get(url, query)
        assert_safe(response, secrets=stored_secrets, what=f"progress {shown(query)}")
        assert db_snapshot() == before


@pytest.mark.parametrize("debug", [True], indirect=True)
@budget(15)
@given(run_id=id_texts() | any_texts(20))
@example(run_id="²")
def test_progress_page_ids_debug(staff_client, world, debug, run_id):
    url = f"/admin/runs/endrun/{quote(run_id, safe='')}/change/"
    before = db_snapshot()
    with rolled_back():
        response = staff_client.get(url)
        assert_safe(response, secrets=stored_secrets, what=f"progress {shown(run_id)}")
        assert db_snapshot() == before
