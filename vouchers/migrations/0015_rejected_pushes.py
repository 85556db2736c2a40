"""Rejected pushes get their own small, prunable table (`RejectedPush`); the push log keeps only
the pushes we took and stays append-only.

The rows of the push log that were rejected pushes (answered 401, 400, 413 or 503: source
`push` with outcome refused, malformed or unavailable) move to the new table, keeping what an
investigation needs (time, address, status, why, a 64-character prefix of what was kept; their
size and hash are unknown, the body was not kept whole) and leaving the push log. On
PostgreSQL the push log's append-only trigger is disabled for that one DELETE, inside this
migration's transaction. Reversing it drops the new table without moving rows back.
"""

import json

import django.utils.timezone
from django.db import migrations, models

REJECTED = ["refused", "malformed", "unavailable"]
REASONS = {"refused": "signature", "malformed": "malformed", "unavailable": "unavailable"}
TRIGGER = "vouchers_shopeepush_append_only"


def move_rejected(apps, schema_editor):
    ShopeePush = apps.get_model("vouchers", "ShopeePush")
    RejectedPush = apps.get_model("vouchers", "RejectedPush")
    alias = schema_editor.connection.alias
    rejected = ShopeePush.objects.using(alias).filter(source="push", outcome__in=REJECTED)
    batch = []
    for row in rejected.order_by("id").iterator(chunk_size=2000):
        kept = row.body_excerpt or ("" if row.body is None else json.dumps(row.body))
        reason = "too_large" if row.http_status == 413 else REASONS[row.outcome]
        batch.append(
            RejectedPush(
                received_at=row.received_at,
                remote_addr=row.remote_addr,
                reason=reason,
                http_status=row.http_status or 400,
                detail=row.detail[:200],
                body_prefix=kept[:64],
            )
        )
        if len(batch) >= 2000:
            RejectedPush.objects.using(alias).bulk_create(batch)
            batch = []
    RejectedPush.objects.using(alias).bulk_create(batch)
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE vouchers_shopeepush DISABLE TRIGGER {TRIGGER}")
    rejected.delete()
    if postgresql:
        schema_editor.execute(f"ALTER TABLE vouchers_shopeepush ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0014_shop_jobs")]

    operations = [
        migrations.CreateModel(
            name="RejectedPush",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "received_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                (
                    "remote_addr",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="sent from"),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("signature", "Bad or missing signature"),
                            ("malformed", "Malformed body"),
                            ("too_large", "Body too large"),
                            ("unavailable", "Not configured"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "http_status",
                    models.PositiveSmallIntegerField(verbose_name="our answer (HTTP)"),
                ),
                ("detail", models.CharField(blank=True, max_length=200, verbose_name="why")),
                (
                    "body_size",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="body size (bytes)"
                    ),
                ),
                (
                    "body_sha256",
                    models.CharField(blank=True, max_length=64, verbose_name="body SHA-256"),
                ),
                (
                    "body_prefix",
                    models.CharField(blank=True, max_length=64, verbose_name="body prefix"),
                ),
            ],
            options={
                "verbose_name": "rejected Shopee push",
                "verbose_name_plural": "rejected Shopee pushes",
                "ordering": ["-received_at", "-id"],
            },
        ),
        migrations.RunPython(move_rejected, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="shopeepush",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("applied", "Applied"),
                    ("verification", "Verification push answered"),
                    ("ignored", "Ignored (nothing to do)"),
                    ("duplicate", "Duplicate (already received)"),
                    ("malformed", "Malformed body"),
                ],
                max_length=16,
            ),
        ),
    ]
