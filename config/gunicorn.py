"""gunicorn's settings for the web processes, read with ``-c``::

    .venv/bin/gunicorn -c config/gunicorn.py config.wsgi --bind 127.0.0.1:8000 --workers 4

Options given on the command line win over the ones here.
"""

import gc

import gunicorn.http.wsgi

# Every answer named the server software (``Server: gunicorn``), which tells a scanner which
# vulnerabilities to try. gunicorn has no setting for it: its responses read this module's name.
gunicorn.http.wsgi.SERVER = ""


def post_worker_init(worker):
    """Django and the site, just loaded, live as long as the worker: frozen out of the garbage
    collector's reach, so that a full collection during a bulk request (a collector's 10,000 rows of
    figures, an export) walks that request's objects rather than every module and URL pattern too."""
    gc.freeze()
