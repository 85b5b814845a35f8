"""Template tags every template has without `{% load %}` (settings.TEMPLATES' "builtins").

`{% url %}` here is Django's own, with what it finds remembered: the base template alone reverses a
dozen names on every page (the navigation), each a walk of the URL patterns, and a list page
reverses one or two per row. The address of a name and its arguments cannot change while the
process runs, except with the URLconf or the script prefix, which are part of the key.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode, url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@lru_cache(maxsize=4096)
def _reverse(view_name, args, kwargs, current_app, urlconf, prefix):
    try:
        return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)
    except NoReverseMatch:
        return None


class RememberedURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        key = (view_name, args, kwargs, current_app, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        try:
            found = _reverse(*key)
        except TypeError:  # an argument that cannot be a key (unhashable): reverse it afresh
            return URLNode.render(self, context)
        if found is None:  # no such address: Django's own node raises NoReverseMatch, or sets "" with `as`
            return URLNode.render(self, context)
        if self.asvar:
            context[self.asvar] = found
            return ""
        return conditional_escape(found) if context.autoescape else found


@register.tag("url")
def remembered_url(parser, token):
    node = url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
