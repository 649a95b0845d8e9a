"""WSGI entry point for gunicorn: `gunicorn ketamine_clinic.server.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.server.settings")
application = get_wsgi_application()

# Load every view now, then set everything loaded so far aside from the garbage collector: it
# is the app itself and lives as long as the process. Otherwise each full collection walks
# those ~180,000 objects again, and the request that triggers it waits tens of milliseconds.
get_resolver().url_patterns  # noqa: B018  # imports the URLconf and with it every view
gc.freeze()
