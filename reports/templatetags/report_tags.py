from django import forms, template

register = template.Library()


@register.filter
def anchor(bound_field):
    """The id an error summary links to: the input itself, or the first of a group of choices."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id
