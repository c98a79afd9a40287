"""The to-do count every page's navigation shows."""

from django.utils.functional import SimpleLazyObject

from audits.todo.selectors import todo_counts


def todo(request):
    """What awaits the signed-in user, per queue and in total: one query, and only on pages that
    show it (a page that counted already passes its own ``todo``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"todo": SimpleLazyObject(lambda: todo_counts(user))}
