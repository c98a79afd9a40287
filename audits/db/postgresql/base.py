from django.db.backends.postgresql import base

from audits.db import SealsTheTrailOnCommit


class DatabaseWrapper(SealsTheTrailOnCommit, base.DatabaseWrapper):
    pass
