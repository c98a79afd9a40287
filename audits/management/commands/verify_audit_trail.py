from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.trail.selectors import AnchorFileError, read_anchors, verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail against its key (AUDIT_TRAIL_KEY) and its anchors (AUDIT_ANCHOR_DIR); "
        "exits non-zero naming the first event that was changed, removed or re-sealed."
    )

    def handle(self, *args, **options):
        try:
            anchors = read_anchors()
        except AnchorFileError as error:
            raise CommandError(f"Audit trail anchors tampered with: {error}.") from None
        checked, broken = verify_chain(anchors=anchors)
        if broken is not None:
            raise CommandError(
                f"Audit trail tampered with: broken at event {broken.event_id}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        if not anchors:
            self.stderr.write(
                self.style.WARNING(
                    f"No anchors in {settings.AUDIT_ANCHOR_DIR}: only the key was checked "
                    "(is the anchoring job running, and the directory the right one?)."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {checked} events, {len(anchors)} anchors agree.")
        )
