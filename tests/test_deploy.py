"""Production settings, the health check, login lockout, CSRF, and retention."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "admin.example.com",
    "DJANGO_TRUSTED_PROXY_COUNT": "1",
    "DATABASE_URL": "postgres://shopadmin@127.0.0.1:5432/shopadmin",
    "TOKEN_ENCRYPTION_KEYS": "ZmFrZS1rZXktZmFrZS1rZXktZmFrZS1rZXktZmFrZTE=",
    "EMAIL_URL": "smtp+tls://smtp.example.com:587",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "shopadmin.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_settings_send_a_strict_content_security_policy():
    code = (
        "from django.conf import settings; from django.utils.csp import build_policy; "
        "print(settings.MIDDLEWARE); print(build_policy(settings.SECURE_CSP, 'NONCE'))"
    )
    result = manage("shell", "-c", code, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in result.stdout
    assert (
        "default-src 'self'; script-src 'self' 'nonce-NONCE'; style-src 'self' 'nonce-NONCE'; "
        "img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ) in result.stdout


def test_a_negative_trusted_proxy_count_stops_start_up():
    result = manage("check", env={**PRODUCTION, "DJANGO_TRUSTED_PROXY_COUNT": "-1"})
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr


def test_a_missing_secret_key_stops_start_up_with_a_clear_message(tmp_path):
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_username_out(client):
    UserFactory(username="staff1")  # password: correct horse battery
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "staff1", "password": "wrong"})
    locked = client.post(login, {"username": "staff1", "password": "correct horse battery"})
    assert locked.status_code in (403, 429)
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_correct_login_works(client):
    UserFactory(username="staff2")
    response = client.post(
        reverse("admin:login"), {"username": "staff2", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:vouchers_voucher_end"),
        reverse("admin:vouchers_voucher_import"),
        reverse("admin:runs_endrun_cancel", args=[1]),
        reverse("admin:runs_endrun_retry", args=[1]),
        reverse("admin:vouchers_voucher_changelist"),
    ],
)
def test_every_state_changing_post_needs_the_csrf_token(url, merchandiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(merchandiser)
    assert client.post(url, {"_selected_action": ["1"]}).status_code == 403


def test_the_env_example_sources_in_a_posix_shell():
    """`set -a; . shopadmin.env; set +a` as README says: every value arrives whole (an unquoted
    `<...>` once made the shell read a file instead)."""
    result = subprocess.run(  # noqa: S603 - the system's POSIX shell, fixed arguments
        [
            "/bin/sh",
            "-c",
            'set -a; . deploy/shopadmin.env.example; set +a; printf "%s\\n" '
            '"$DEFAULT_FROM_EMAIL" "$EMAIL_URL" "$DJANGO_SECRET_KEY" "$LOG_FORMAT"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines() == [
        "shopadmin <shopadmin@example.com>",
        "smtp+tls://shopadmin%40example.com:your-smtp-password@smtp.example.com:587",
        "change-me-to-50-random-characters",
        "json",
    ]


def test_runtime_requirements_hold_no_test_tools():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "factory-boy", "hypothesis", "playwright", "aiosmtpd", "ruff"):
        assert tool not in runtime, tool
    assert "pytest-django" in (ROOT / "requirements-dev.txt").read_text()


def test_the_release_step_compiles_the_translations():
    procfile = (ROOT / "deploy" / "Procfile").read_text()
    release = next(line for line in procfile.splitlines() if line.startswith("release:"))
    assert "pybabel -q compile -d locale -D django" in release
    web_unit = (ROOT / "deploy" / "systemd" / "shopadmin-web.service").read_text()
    assert "pybabel -q compile -d locale -D django" in web_unit


def test_db_worker_is_ours():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "ops"


def test_gunicorn_logs_json_lines_like_the_app(monkeypatch):
    import json
    import logging
    import runpy
    from logging.config import DictConfigurator

    conf = ROOT / "deploy" / "gunicorn.conf.py"
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert "logconfig_dict" not in runpy.run_path(str(conf))
    monkeypatch.setenv("LOG_FORMAT", "json")
    config = runpy.run_path(str(conf))["logconfig_dict"]
    assert config["loggers"]["gunicorn.access"]["handlers"] == ["console"]
    assert config["handlers"]["console"]["formatter"] == "json"
    formatter = DictConfigurator({"version": 1}).configure_formatter(
        dict(config["formatters"]["json"])
    )
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '"GET /health/ HTTP/1.1" 200', (), None
    )
    line = json.loads(formatter.format(record))
    assert line["logger"] == "gunicorn.access" and line["timestamp"].endswith("+00:00")
