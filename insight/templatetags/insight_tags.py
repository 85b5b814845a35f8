from urllib.parse import parse_qsl, urlencode

from django import template

register = template.Library()


@register.simple_tag
def query_with(query, **changes):
    """The query string `query` with `changes` set: a link to the same figures, one step further."""
    params = dict(parse_qsl(query))
    params.update({key: str(value) for key, value in changes.items()})
    return urlencode(params)
