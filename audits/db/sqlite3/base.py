from django.db.backends.sqlite3 import base

from audits.db import SealsTheTrailOnCommit


class DatabaseWrapper(SealsTheTrailOnCommit, base.DatabaseWrapper):
    pass
