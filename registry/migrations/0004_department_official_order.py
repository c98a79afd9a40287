"""Units get the official order (排序): the office's ``sort_order`` among the units of a kind at
one level, and ``order_key``, each unit's place in the whole list, derived from it.

Existing units are numbered in the order they were registered within each kind and level (their
id): the order the department tree showed. The government comes first, then the departments,
the townships and the other units, each sub-unit right after its parent.
"""

import django.core.validators
from django.db import migrations, models

KINDS = ["district_government", "district_department", "township", "other"]


def _key(unit):
    return (KINDS.index(unit.kind) if unit.kind in KINDS else len(KINDS), unit.sort_order, unit.pk)


def number_units(apps, schema_editor):
    Department = apps.get_model("registry", "Department")
    units = list(Department.objects.order_by("pk"))
    counters = {}
    for unit in units:
        group = (unit.parent_id, unit.kind)
        counters[group] = unit.sort_order = counters.get(group, 0) + 1
    # The keys as registry.models.order_key_part and the services spell them, written out: a
    # migration must not change when that code does.
    children = {}
    for unit in sorted(units, key=_key):
        children.setdefault(unit.parent_id, []).append(unit)
    stack = [(unit, "") for unit in reversed(children.get(None, []))]
    while stack:
        unit, parent_key = stack.pop()
        rank, number, _pk = _key(unit)
        unit.order_key = f"{parent_key}{rank}{number:06d}"
        stack.extend((child, unit.order_key) for child in reversed(children.get(unit.pk, [])))
    Department.objects.bulk_update(units, ["sort_order", "order_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_media_account_activated_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="sort_order",
            field=models.PositiveIntegerField(
                default=1,
                help_text="The unit's place among the units of its kind at its level, as the office lists "
                "them: 1 comes first.",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="order",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="department",
            name="order_key",
            field=models.CharField(
                default="", editable=False, max_length=200, verbose_name="place in the official order"
            ),
        ),
        migrations.RunPython(number_units, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="department",
            options={
                "ordering": ["order_key", "pk"],
                "verbose_name": "department",
                "verbose_name_plural": "departments",
            },
        ),
        migrations.AlterModelOptions(
            name="mediaaccount",
            options={
                "ordering": ["department__order_key", "platform", "name", "pk"],
                "verbose_name": "media account",
                "verbose_name_plural": "media accounts",
            },
        ),
        migrations.AddConstraint(
            model_name="department",
            constraint=models.CheckConstraint(
                condition=models.Q(("sort_order__gte", 1)), name="department_sort_order_positive"
            ),
        ),
    ]
