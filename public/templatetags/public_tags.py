from django import template

from public.queries import item_has_public_report

register = template.Library()


@register.filter
def has_public_report(item):
    """`item|has_public_report`: whether the agenda item links a report anyone may read."""
    return item_has_public_report(item)
