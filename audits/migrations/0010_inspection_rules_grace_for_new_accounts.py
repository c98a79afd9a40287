from django.db import migrations

# The rules that judge an account by its own activity, and how long a new account's grace lasts
# by default: the rule's own window (its threshold, and that threshold's default), a month for
# the followers rule, which has none.
GRACE_FROM = {"no_update": ("days", 14), "low_frequency": ("window_days", 30), "low_reach": (None, 30)}


def add_grace(apps, schema_editor):
    InspectionRule = apps.get_model("audits", "InspectionRule")
    for rule in InspectionRule.objects.filter(code__in=GRACE_FROM):
        if "grace_days" in rule.thresholds:
            continue
        window, default = GRACE_FROM[rule.code]
        # Where the office has changed the rule's window, the grace follows the office's window.
        rule.thresholds = {**rule.thresholds, "grace_days": rule.thresholds.get(window, default)}
        rule.save(update_fields=["thresholds"])


def remove_grace(apps, schema_editor):
    InspectionRule = apps.get_model("audits", "InspectionRule")
    for rule in InspectionRule.objects.filter(code__in=GRACE_FROM):
        rule.thresholds.pop("grace_days", None)
        rule.save(update_fields=["thresholds"])


class Migration(migrations.Migration):
    dependencies = [("audits", "0009_reminders")]

    operations = [migrations.RunPython(add_grace, remove_grace)]
