"""What the apps' forms share."""


def refuse_beside(form, refusal):
    """A service's refusal shown beside the form field it names (its `field`, if any), else above the form."""
    field = getattr(refusal, "field", None)
    form.add_error(field if field in form.fields else None, str(refusal))
