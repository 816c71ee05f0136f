"""WSGI entry point (admin and pages without websockets); production serves ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtcc.settings")
application = get_wsgi_application()
