"""EMAIL_URL becomes Django's MAILERS; production without it is flagged by `check --deploy`."""

import json

from tests.test_deploy import PRODUCTION, manage

SHOW_MAILER = (
    "from django.conf import settings; from django.core.mail import mailers; import json; "
    "m = mailers.default; print(json.dumps({'backend': type(m).__module__, "
    "'host': getattr(m, 'host', None), 'port': getattr(m, 'port', None), "
    "'username': getattr(m, 'username', None), 'password': getattr(m, 'password', None), "
    "'use_tls': getattr(m, 'use_tls', None), 'use_ssl': getattr(m, 'use_ssl', None), "
    "'from': settings.DEFAULT_FROM_EMAIL, 'base': settings.SHOPADMIN_BASE_URL}))"
)


def mailer(env):
    result = manage("shell", "-c", SHOW_MAILER, env={"DJANGO_DEBUG": "true", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_smtp_url_with_starttls_and_a_percent_encoded_password():
    got = mailer(
        {
            "DJANGO_SECRET_KEY": "x" * 50,
            "EMAIL_URL": "smtp+tls://mailer%40example.com:p%40ss%3Aw%2Fd@smtp.example.com:587",
            "DEFAULT_FROM_EMAIL": "Shop Admin <admin@example.com>",
            "SHOPADMIN_BASE_URL": "https://admin.example.com/",
        }
    )
    assert got == {
        "backend": "django.core.mail.backends.smtp",
        "host": "smtp.example.com",
        "port": 587,
        "username": "mailer@example.com",
        "password": "p@ss:w/d",
        "use_tls": True,
        "use_ssl": False,
        "from": "Shop Admin <admin@example.com>",
        "base": "https://admin.example.com",
    }


def test_smtp_over_ssl_defaults_to_port_465_and_development_prints_mails():
    ssl = mailer({"DJANGO_SECRET_KEY": "x" * 50, "EMAIL_URL": "smtp+ssl://mail.example.com"})
    assert (ssl["port"], ssl["use_ssl"], ssl["use_tls"]) == (465, True, False)
    console = mailer({"DJANGO_SECRET_KEY": "x" * 50, "EMAIL_URL": ""})
    assert console["backend"] == "django.core.mail.backends.console"
    assert console["from"] == "shopadmin <shopadmin@localhost>"
    assert console["base"] == "http://127.0.0.1:8000"


def test_production_without_email_url_fails_the_deploy_check():
    env = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "mail.E001" in result.stderr + result.stdout
