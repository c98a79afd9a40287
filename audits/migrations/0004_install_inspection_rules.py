from django.db import migrations


def install_rules(apps, schema_editor):
    # The defaults live with the rules' code (docs/design.md §7.1); later edits are the office's.
    from audits.inspections.rules import RULES

    InspectionRule = apps.get_model("audits", "InspectionRule")
    for code, (_query, severity, thresholds, source) in RULES.items():
        InspectionRule.objects.get_or_create(
            code=code, defaults={"severity": severity, "thresholds": thresholds, "source": str(source)}
        )


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_inspections")]

    operations = [migrations.RunPython(install_rules, migrations.RunPython.noop)]
