"""The database backends the site runs on: Django's own, each sealing the audit events a
transaction recorded (``audits.trail.services.record``) in one short step as it commits.

Sealing at the end keeps the trail's head, the one row every writer locks, out of the business
transaction: a write holds it only for that step, after every lock of its own, so no order of
row locks can deadlock against it (docs/architecture.md, "The audit trail").
"""


class SealsTheTrailOnCommit:
    """Mixed into a backend's ``DatabaseWrapper``: keeps the events recorded in the open
    transaction, each with the savepoints it was recorded under, until it commits or rolls back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trail_pending: list = []

    def defers_the_trail(self) -> bool:
        """Whether an event recorded now waits for a commit: inside an atomic block of the code's
        own (a test case's blocks never commit, so under them alone an event is sealed at once)."""
        return self.in_atomic_block and not all(block._from_testcase for block in self.atomic_blocks)

    def _seal_pending(self) -> None:
        from audits.trail.services import seal  # the models load after the backends

        events, self.trail_pending = [event for event, _ in self.trail_pending], []
        seal(events)

    def commit(self):
        if self.trail_pending:
            # Still inside the transaction: a failure here fails it as a failed COMMIT would.
            self._seal_pending()
        super().commit()

    def savepoint_commit(self, sid):
        super().savepoint_commit(sid)
        if self.trail_pending and not self.defers_the_trail():
            self._seal_pending()  # the code's outermost block ended under a test case's

    def savepoint_rollback(self, sid):
        super().savepoint_rollback(sid)
        self.trail_pending = [(event, under) for event, under in self.trail_pending if sid not in under]

    def rollback(self):
        self.trail_pending = []
        super().rollback()

    def connect(self):
        self.trail_pending = []  # a connection lost mid-transaction took its events with it
        super().connect()
