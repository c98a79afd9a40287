from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("Office administrator")
    AUDITOR = "auditor", _("Auditor")
    DEPT_ADMIN = "dept_admin", _("Department administrator")
