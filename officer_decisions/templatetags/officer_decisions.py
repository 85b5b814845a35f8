from django import template

from officer_decisions.services import may_record

register = template.Library()


@register.simple_tag
def may_record_officer_decisions(user):
    """Whether `user` may record officer decisions (for links; the views check again)."""
    return may_record(user)
