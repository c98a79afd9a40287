"""Many writers of the audit trail at once on a throwaway database (docs/benchmarks.md); the work is
``tooling.benchmark.trail``'s."""

from django.core.management.base import BaseCommand, CommandError

from tooling.benchmark.trail import benchmark


class Command(BaseCommand):
    help = "Time many concurrent writers of the audit trail on a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--writers", type=int, default=16, help="Threads writing at once (default 16).")
        parser.add_argument("--writes", type=int, default=10, help="Writes per thread (default 10).")

    def handle(self, *args, writers, writes, **options):
        if writers < 2 or writes < 1:
            raise CommandError("Use at least two writers (one of each kind) and one write.")
        benchmark(writers, writes, write=self.stdout.write)
