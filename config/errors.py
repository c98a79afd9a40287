"""Domain errors shared by every app's services.

Bad input raises Django's ``ValidationError`` (400), a role that may not act raises
``PermissionDenied`` (403); an action that the object's current state does not allow
raises :class:`InvalidTransition` (409). Browser views show each as a message.
"""

from django.utils.translation import gettext_lazy as _


class InvalidTransition(Exception):
    """The action is not allowed from the object's current state (HTTP 409)."""

    default_message = _("This action is not allowed in the current state.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))
