"""What every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, fields: dict[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on the form: on the field it names (or the form field
    ``fields`` maps that name to), else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (fields or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)
