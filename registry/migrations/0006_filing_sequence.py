"""Filing numbers come from a counter per year (``FilingSequence``), seeded here from the numbers
already given: for each year, the highest sequence among the numbers with this site's prefix,
compared as numbers (``XC-2026-10000`` follows ``XC-2026-9999``, which text order puts last).
"""

from django.conf import settings
from django.db import migrations, models


def seed_sequences(apps, schema_editor):
    MediaAccount = apps.get_model("registry", "MediaAccount")
    FilingSequence = apps.get_model("registry", "FilingSequence")
    prefix = f"{settings.REGISTRY_FILING_PREFIX}-"
    last = {}
    numbers = MediaAccount.objects.filter(filing_number__startswith=prefix).values_list("filing_number", flat=True)
    for number in numbers.iterator(chunk_size=10_000):
        year, _dash, sequence = number.removeprefix(prefix).partition("-")
        if len(year) == 4 and year.isdigit() and sequence.isascii() and sequence.isdigit():
            last[int(year)] = max(last.get(int(year), 0), int(sequence))
    FilingSequence.objects.bulk_create(
        FilingSequence(year=year, last_number=sequence) for year, sequence in sorted(last.items())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_import_job"),
    ]

    operations = [
        migrations.CreateModel(
            name="FilingSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="year")),
                ("last_number", models.PositiveIntegerField(default=0, verbose_name="last number given")),
            ],
            options={
                "verbose_name": "filing number sequence",
                "verbose_name_plural": "filing number sequences",
            },
        ),
        migrations.RunPython(seed_sequences, migrations.RunPython.noop),
    ]
