from django import template

from actions.selectors import owned_by

register = template.Library()
PANEL_ROWS = 5


@register.inclusion_tag("actions/_my_work.html", takes_context=True)
def my_actions(context):
    """My work's panel: the signed-in person's unfinished actions, soonest due first (in one query)."""
    user = context["user"]
    if not user.is_authenticated:
        return {"actions": []}
    return {"actions": list(owned_by(user).unfinished()[:PANEL_ROWS])}
