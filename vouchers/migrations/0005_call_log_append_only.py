"""On PostgreSQL, the Shopee call log is append-only in the database itself.

A row may be completed once (while `finished_at` is NULL) and may lose its links to a deleted
user, shop or voucher (the snapshots stay); nothing else in it can change, and rows cannot be
deleted, except by `manage.py prune` inside a transaction that sets `shopadmin.allow_prune`.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION vouchers_shopeecall_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('shopadmin.allow_prune', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'The Shopee call log is append-only: rows cannot be deleted.';
    END IF;
    IF OLD.finished_at IS NULL THEN
        RETURN NEW;  -- completing a pending row
    END IF;
    IF (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.shop_id IS NULL OR NEW.shop_id = OLD.shop_id)
       AND (NEW.voucher_id IS NULL OR NEW.voucher_id = OLD.voucher_id)
       AND ROW(NEW.id, NEW.started_at, NEW.finished_at, NEW.duration_ms, NEW.actor_username,
               NEW.shop_shopee_id, NEW.shop_name, NEW.voucher_shopee_id, NEW.voucher_code,
               NEW.batch_id, NEW.endpoint, NEW.method, NEW.attempt, NEW.outcome, NEW.error_kind,
               NEW.http_status, NEW.request_id, NEW.error, NEW.message, NEW.request, NEW.response)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.started_at, OLD.finished_at, OLD.duration_ms, OLD.actor_username,
               OLD.shop_shopee_id, OLD.shop_name, OLD.voucher_shopee_id, OLD.voucher_code,
               OLD.batch_id, OLD.endpoint, OLD.method, OLD.attempt, OLD.outcome, OLD.error_kind,
               OLD.http_status, OLD.request_id, OLD.error, OLD.message, OLD.request, OLD.response)
    THEN
        RETURN NEW;  -- only links to deleted objects were cleared
    END IF;
    RAISE EXCEPTION 'The Shopee call log is append-only: a completed row cannot be changed.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER vouchers_shopeecall_append_only
    BEFORE UPDATE OR DELETE ON vouchers_shopeecall
    FOR EACH ROW EXECUTE FUNCTION vouchers_shopeecall_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS vouchers_shopeecall_append_only ON vouchers_shopeecall;
DROP FUNCTION IF EXISTS vouchers_shopeecall_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0004_worker_heartbeat")]

    operations = [migrations.RunPython(forwards, backwards)]
