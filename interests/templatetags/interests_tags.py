from django import template
from django.db.models import Max

from interests.models import RegisterChange, review_due
from interests.services import is_member

register = template.Library()


@register.inclusion_tag("interests/_my_work.html", takes_context=True)
def register_reminder(context):
    """My work's panel for a member: their register, and "Review due" once a year has passed since its last acceptance."""
    user = context["user"]
    if not is_member(user):
        return {"show": False}
    last = RegisterChange.objects.filter(member=user, status=RegisterChange.Status.ACCEPTED).aggregate(
        at=Max("decided_at")
    )["at"]
    returned = RegisterChange.objects.filter(member=user, status=RegisterChange.Status.RETURNED).exists()
    return {"show": True, "review_due": review_due(last), "last": last, "returned": returned}
