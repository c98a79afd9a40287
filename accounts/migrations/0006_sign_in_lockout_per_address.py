from django.db import migrations, models


class Migration(migrations.Migration):
    """A lockout holds a username at one client address (issue 11): the address becomes part of the key."""

    dependencies = [
        ("accounts", "0005_sign_in_lockout"),
    ]

    operations = [
        migrations.RenameField(model_name="signinlockout", old_name="last_ip", new_name="ip"),
        migrations.AlterField(
            model_name="signinlockout",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="signinlockout",
            name="username",
            field=models.CharField(max_length=150, verbose_name="username"),
        ),
        migrations.AlterModelOptions(
            name="signinlockout",
            options={
                "ordering": ["-locked_until", "username", "ip"],
                "verbose_name": "sign-in lockout",
                "verbose_name_plural": "sign-in lockouts",
            },
        ),
        migrations.AddConstraint(
            model_name="signinlockout",
            constraint=models.UniqueConstraint(fields=("username", "ip"), name="sign_in_lockout_username_ip"),
        ),
    ]
