"""`shopadmin.sql.prepared()`, the values of our hand-written statements, is the ORM's word for
every field of every model: the same value of the same type as `Field.get_db_prep_save()` gives,
on the backend the suite runs on (SQLite, then PostgreSQL in CI)."""

import datetime as dt
import decimal
import uuid
import warnings

import pytest
from django.apps import apps
from django.db import connection
from django.utils.functional import lazy

from shopadmin.sql import _preparer, prepared

pytestmark = pytest.mark.django_db

SAMPLES = (
    None,
    "",
    "Mega sale 12.12",
    lazy(lambda: "lazy text", str)(),
    0,
    7,
    -3,
    2**40,
    True,
    False,
    dt.datetime(2026, 12, 7, 6, 0, 1, 234567, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    dt.datetime(2026, 12, 7, 6, 0),  # noqa: DTZ001 - naive: the ORM warns and makes it aware
    decimal.Decimal("12.50"),
    1.5,
    uuid.UUID(int=5),
    {"voucher_id": 1},
)


def fields():
    """The fields `prepared()` has its own way for (the others go the ORM's way itself)."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if _preparer(field) != field.get_db_prep_save:
                yield pytest.param(field, id=f"{model._meta.label}.{field.name}")


def orm_value(field, value):
    try:
        return field.get_db_prep_save(value, connection)
    except Exception as error:  # noqa: BLE001 - the ORM's refusal is the expected answer too
        return type(error)


def ours(field, value):
    try:
        return prepared([field], [value])[0]
    except Exception as error:  # noqa: BLE001
        return type(error)


def test_the_hot_tables_fields_have_a_way_of_their_own():
    names = {param.id for param in fields()}
    assert {"audit.ShopeeCall.started_at", "audit.ShopeeCall.attempt", "runs.EndRunItem.state"} <= (
        names
    )


@pytest.mark.parametrize("field", list(fields()))
def test_every_value_is_prepared_as_the_orm_would(field):
    for value in SAMPLES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # naive datetimes
            expected, got = orm_value(field, value), ours(field, value)
        assert got == expected, value
        assert type(got) is type(expected), value
