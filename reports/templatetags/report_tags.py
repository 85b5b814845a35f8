from django import forms, template
from django.utils.html import format_html
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


def _attrs(attrs):
    """Attributes as Django's attrs.html writes them: True bare, False left out."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


def _crispy_class(widget, extra):
    """crispy-forms' classes: the widget's own, its class name in lower case, then Bootstrap's."""
    name = widget.__class__.__name__.lower()
    own = widget.attrs.get("class", "")
    css = f"{own} {name}".strip() if name not in own else own
    return f"{css} {extra}"


def _errors_block(bound_field):
    if not bound_field.errors:
        return ""
    lines = mark_safe(
        "".join(
            format_html('<p id="error_{}_{}"><strong>{}</strong></p>', number, bound_field.auto_id, error)
            for number, error in enumerate(bound_field.errors, start=1)
        )
    )
    return format_html('<div id="{}_error" class="invalid-feedback">{}</div>', bound_field.auto_id, lines)


def _help(bound_field):
    if not bound_field.help_text:
        return ""
    return format_html(
        '<div id="{}_helptext" class="form-text">{}</div>', bound_field.auto_id, mark_safe(bound_field.help_text)
    )


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


def _choice_group(bound_field, widget):
    """Radio buttons or checkboxes in a fieldset whose legend is the label (crispy's radio_checkbox_select)."""
    invalid = " is-invalid" if bound_field.errors else ""
    attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id} if bound_field.auto_id else {})
    values = widget.format_value(bound_field.value())
    widget.choices = _choices(bound_field.field)  # the form's own copy of the widget
    options = [option for _, group, _ in widget.optgroups(bound_field.html_name, values, attrs) for option in group]
    rows = []
    for number, option in enumerate(options, start=1):
        errors = _errors_block(bound_field) if number == len(options) else ""
        rows.append(
            format_html(
                '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"{}>'
                '<label for="{}" class="form-check-label">{}</label>{}</div>',
                option["type"],
                invalid,
                bound_field.html_name,
                option["value"],
                _attrs(option["attrs"]),
                option["attrs"].get("id", ""),
                option["label"],
                errors,
            )
        )
    described = bound_field.aria_describedby
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="form-label fs-6">{}</legend><div>{}</div>{}</fieldset></div>',
        bound_field.auto_id,
        format_html(' aria-describedby="{}"', described) if described else "",
        bound_field.label,
        mark_safe("".join(rows)),
        _help(bound_field),
    )


def _control(bound_field, widget):
    """The input, select or textarea itself, with crispy's classes and Django's aria attributes."""
    invalid = " is-invalid" if bound_field.errors else ""
    name = bound_field.html_name
    if isinstance(widget, forms.Select):
        attrs = _widget_attrs(bound_field, widget, _crispy_class(widget, "form-select" + invalid))
        chosen = set(widget.format_value(bound_field.value()))
        options, selected_one = [], False
        for value, label in _choices(bound_field.field):
            value = "" if value is None else str(value)
            selected = value in chosen and not selected_one
            selected_one |= selected
            options.append(
                format_html('<option value="{}"{}>{}</option>', value, " selected" if selected else "", label)
            )
        return format_html('<select name="{}"{}>{}</select>', name, _attrs(attrs), mark_safe("".join(options)))
    attrs = _widget_attrs(bound_field, widget, _crispy_class(widget, "form-control" + invalid))
    value = widget.format_value(bound_field.value())
    if isinstance(widget, forms.Textarea):
        return format_html('<textarea name="{}"{}>\n{}</textarea>', name, _attrs(attrs), value or "")
    shown = format_html(' value="{}"', value) if value is not None else ""
    return format_html('<input type="{}" name="{}"{}{}>', widget.input_type, name, shown, _attrs(attrs))


@register.filter
def editor_field(bound_field):
    """One of the editor's fields with its label, errors and help, as crispy's bootstrap5 pack renders it."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return bound_field.as_widget()
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return _choice_group(bound_field, widget)
    if isinstance(widget, forms.CheckboxInput):
        invalid = " is-invalid" if bound_field.errors else ""
        attrs = _widget_attrs(bound_field, widget, _crispy_class(widget, "form-check-input" + invalid))
        value = bound_field.value()
        if widget.check_test(value):
            attrs = {**attrs, "checked": True}
        shown = widget.format_value(value)
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check"><input type="checkbox" name="{}"{}{}>'
            '<label for="{}" class="form-check-label">{}</label>{}{}</div></div>',
            bound_field.auto_id,
            bound_field.html_name,
            format_html(' value="{}"', shown) if shown is not None else "",
            _attrs(attrs),
            bound_field.id_for_label,
            bound_field.label,
            _errors_block(bound_field),
            _help(bound_field),
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        bound_field.auto_id,
        bound_field.id_for_label,
        bound_field.label,
        _control(bound_field, widget),
        _errors_block(bound_field),
        _help(bound_field),
    )
