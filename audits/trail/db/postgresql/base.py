from django.db.backends.postgresql import base

from audits.trail.db import SealsTheTrailOnCommit


class DatabaseWrapper(SealsTheTrailOnCommit, base.DatabaseWrapper):
    pass
