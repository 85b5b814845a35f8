from html import escape as escape_html

from django import forms, template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def anchor(bound_field):
    """The id an error summary links to: the input itself, or the first of a group of choices."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


# The editor's fields, written out here rather than through crispy-forms' field template: the same
# markup (bootstrap5's field.html with Django's widget templates: ids, names, labels, classes,
# aria attributes, errors by their field), at a fraction of the cost. Its ~40 fields made the
# editor page render about 1,500 template nodes; this is the one fast path for them (issue 21).


def _e(value):
    """`value` escaped for HTML, as format_html escapes its arguments (conditional_escape), without its
    per-call overhead: the editor writes about a thousand values a page."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_html(str(value))


def _attrs(attrs):
    """Attributes as Django's attrs.html writes them: True bare, False left out."""
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def _crispy_class(widget, extra):
    """crispy-forms' classes: the widget's own, its class name in lower case, then Bootstrap's."""
    name = widget.__class__.__name__.lower()
    own = widget.attrs.get("class", "")
    css = f"{own} {name}".strip() if name not in own else own
    return f"{css} {extra}"


def _errors_block(bound_field, errors):
    if not errors:
        return ""
    auto_id = _e(bound_field.auto_id)
    lines = "".join(
        f'<p id="error_{number}_{auto_id}"><strong>{_e(error)}</strong></p>'
        for number, error in enumerate(errors, start=1)
    )
    return f'<div id="{auto_id}_error" class="invalid-feedback">{lines}</div>'


def _help(bound_field):
    if not bound_field.help_text:
        return ""
    return f'<div id="{_e(bound_field.auto_id)}_helptext" class="form-text">{bound_field.help_text}</div>'


def _widget_attrs(bound_field, widget, css):
    attrs = {**widget.attrs, "class": css}
    attrs = bound_field.build_widget_attrs(attrs, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs["id"] = bound_field.auto_id
    return attrs


def _choices(field):
    """The field's choices; a model's records read in one plain query (its own iterator opens a cursor
    on the server: three round trips on PostgreSQL)."""
    if isinstance(field, forms.ModelChoiceField):
        head = [("", field.empty_label)] if field.empty_label is not None else []
        return head + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in field.queryset.all()]
    return list(field.choices)


def _choice_group(bound_field, widget, errors):
    """Radio buttons or checkboxes in a fieldset whose legend is the label (crispy's radio_checkbox_select)."""
    invalid = " is-invalid" if errors else ""
    attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id} if bound_field.auto_id else {})
    values = widget.format_value(bound_field.value())
    widget.choices = _choices(bound_field.field)  # the form's own copy of the widget
    options = [option for _, group, _ in widget.optgroups(bound_field.html_name, values, attrs) for option in group]
    name = _e(bound_field.html_name)
    rows = []
    for number, option in enumerate(options, start=1):
        rows.append(
            f'<div class="form-check"><input type="{_e(option["type"])}" class="form-check-input{invalid}" '
            f'name="{name}" value="{_e(option["value"])}"{_attrs(option["attrs"])}>'
            f'<label for="{_e(option["attrs"].get("id", ""))}" class="form-check-label">{_e(option["label"])}</label>'
            f"{_errors_block(bound_field, errors) if number == len(options) else ''}</div>"
        )
    described = bound_field.aria_describedby
    described = f' aria-describedby="{_e(described)}"' if described else ""
    return (
        f'<div id="div_{_e(bound_field.auto_id)}" class="mb-3"><fieldset{described}>'
        f'<legend class="form-label fs-6">{_e(bound_field.label)}</legend><div>{"".join(rows)}</div>'
        f"{_help(bound_field)}</fieldset></div>"
    )


def _control(bound_field, widget, errors):
    """The input, select or textarea itself, with crispy's classes and Django's aria attributes."""
    invalid = " is-invalid" if errors else ""
    name = _e(bound_field.html_name)
    if isinstance(widget, forms.Select):
        attrs = _widget_attrs(bound_field, widget, _crispy_class(widget, "form-select" + invalid))
        chosen = set(widget.format_value(bound_field.value()))
        options, selected_one = [], False
        for value, label in _choices(bound_field.field):
            value = "" if value is None else str(value)
            selected = value in chosen and not selected_one
            selected_one |= selected
            options.append(f'<option value="{_e(value)}"{" selected" if selected else ""}>{_e(label)}</option>')
        return f'<select name="{name}"{_attrs(attrs)}>{"".join(options)}</select>'
    attrs = _widget_attrs(bound_field, widget, _crispy_class(widget, "form-control" + invalid))
    value = widget.format_value(bound_field.value())
    if isinstance(widget, forms.Textarea):
        return f'<textarea name="{name}"{_attrs(attrs)}>\n{_e(value or "")}</textarea>'
    shown = f' value="{_e(value)}"' if value is not None else ""
    return f'<input type="{_e(widget.input_type)}" name="{name}"{shown}{_attrs(attrs)}>'


@register.filter
def editor_field(bound_field):
    """One of the editor's fields with its label, errors and help, as crispy's bootstrap5 pack renders it."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return bound_field.as_widget()
    errors = bound_field.errors
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return mark_safe(_choice_group(bound_field, widget, errors))
    auto_id = _e(bound_field.auto_id)
    if isinstance(widget, forms.CheckboxInput):
        invalid = " is-invalid" if errors else ""
        attrs = _widget_attrs(bound_field, widget, _crispy_class(widget, "form-check-input" + invalid))
        value = bound_field.value()
        if widget.check_test(value):
            attrs = {**attrs, "checked": True}
        shown = widget.format_value(value)
        shown = f' value="{_e(shown)}"' if shown is not None else ""
        return mark_safe(
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check">'
            f'<input type="checkbox" name="{_e(bound_field.html_name)}"{shown}{_attrs(attrs)}>'
            f'<label for="{_e(bound_field.id_for_label)}" class="form-check-label">{_e(bound_field.label)}</label>'
            f"{_errors_block(bound_field, errors)}{_help(bound_field)}</div></div>"
        )
    return mark_safe(
        f'<div id="div_{auto_id}" class="mb-3"><label for="{_e(bound_field.id_for_label)}" class="form-label">'
        f"{_e(bound_field.label)}</label>{_control(bound_field, widget, errors)}"
        f"{_errors_block(bound_field, errors)}{_help(bound_field)}</div>"
    )


@register.filter
def appendix_letter(index):
    """The letter of the appendix at this 0-based place in the report's order (A, B ... as printed)."""
    from reports.models import appendix_letter as letter

    return letter(index)
