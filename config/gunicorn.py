"""gunicorn's settings for the web processes, read with ``-c``::

    .venv/bin/gunicorn -c config/gunicorn.py config.wsgi --bind 127.0.0.1:8000 --workers 4

Options given on the command line win over the ones here.
"""

import gunicorn.http.wsgi

# Every answer named the server software (``Server: gunicorn``), which tells a scanner which
# vulnerabilities to try. gunicorn has no setting for it: its responses read this module's name.
gunicorn.http.wsgi.SERVER = ""
