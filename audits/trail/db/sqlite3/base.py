from django.db.backends.sqlite3 import base

from audits.trail.db import SealsTheTrailOnCommit


class DatabaseWrapper(SealsTheTrailOnCommit, base.DatabaseWrapper):
    pass
