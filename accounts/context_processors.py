"""Values every page's navigation needs."""

from django.utils.functional import SimpleLazyObject

from accounts.models import Notification


def notifications(request):
    """The signed-in user's unread notifications, for the bell in the navigation: one query, and
    only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notification_count": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        )
    }
