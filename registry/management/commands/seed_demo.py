"""Load the demo district (``tooling.demo``): units, their administrators, about 112 accounts and
90 days of metrics. ``-v0`` silences its account of what it is doing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tooling.demo import DEFAULT_PASSWORD, DemoDistrict


class Command(BaseCommand):
    help = "Load a demo district with about 112 media accounts, demo users and 90 days of metrics."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of every demo user.")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, password, force, verbosity, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a production database. seed_demo adds demo units, "
                "users with a known password and made-up accounts; pass --force to load them anyway."
            )

        def say(message: str) -> None:
            # A first run takes a minute or more (every demo password is hashed at full cost): each
            # step is said as it happens, not all at the end.
            if verbosity:
                self.stdout.write(message)
                self.stdout.flush()

        DemoDistrict(say).load(password)
