"""An object's history on its own page: ``{% history filing %}``."""

from django import template

from audits.trail.selectors import object_history

register = template.Library()


@register.inclusion_tag("audits/_history.html", takes_context=True)
def history(context, target, *related):
    """The newest events of ``target`` (and of ``related`` objects) the user may see."""
    return {"history": object_history(context["request"].user, target, *related)}
