"""On PostgreSQL, the push log is append-only in the database itself: no row can be changed or
deleted (rows carry no links to other tables, so no delete elsewhere touches them)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION vouchers_shopeepush_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The Shopee push log is append-only: rows cannot be changed or deleted.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER vouchers_shopeepush_append_only
    BEFORE UPDATE OR DELETE ON vouchers_shopeepush
    FOR EACH ROW EXECUTE FUNCTION vouchers_shopeepush_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS vouchers_shopeepush_append_only ON vouchers_shopeepush;
DROP FUNCTION IF EXISTS vouchers_shopeepush_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0008_shop_authorization_push_log")]

    operations = [migrations.RunPython(forwards, backwards)]
