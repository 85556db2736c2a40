"""WSGI entry point (gunicorn shopadmin.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopadmin.settings")

application = get_wsgi_application()
