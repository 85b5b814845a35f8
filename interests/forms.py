from django import forms

from interests.models import Declaration, InterestFields, RegisterEntry


class EntryForm(forms.ModelForm):
    """What a member proposes their register should say about one interest."""

    class Meta:
        model = RegisterEntry
        fields = InterestFields.ENTRY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "whose": forms.RadioSelect,
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(label="Why it is returned", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AnyChoiceField(forms.TypedChoiceField):
    """A choice whose value the service checks (an item of another meeting gets its own message there)."""

    def valid_value(self, value):
        return True


class DeclarationForm(forms.Form):
    """A declaration of interest in one item; the clerk's form has a member field, the member's does not."""

    item = AnyChoiceField(
        label="Agenda item", coerce=int, empty_value=None, error_messages={"required": "Choose the agenda item."}
    )
    member = AnyChoiceField(
        label="Member", coerce=int, empty_value=None, error_messages={"required": "Choose the member who declared."}
    )
    kind = forms.ChoiceField(
        label="Kind of interest",
        choices=Declaration.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of interest."},
    )
    nature = forms.CharField(
        label="Nature of the interest",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what the interest is."},
    )
    conduct = forms.ChoiceField(
        label="What the member did",
        choices=Declaration.Conduct.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the member did."},
    )
    dispensation = forms.CharField(
        label="Dispensation details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only with a dispensation: who granted it, when, and what it allows.",
    )
    entry = forms.TypedChoiceField(label="Register entry (optional)", coerce=int, empty_value=None, required=False)

    def __init__(self, *args, items, members, entries, own=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "Choose an item")] + [(i.pk, f"{n}. {i.title}") for n, i in items]
        self.fields["member"].choices = [("", "Choose a member")] + [(m.pk, str(m)) for m in members]
        self.fields["entry"].choices = [("", "None")] + [
            (e.pk, f"{e.member}: {e.get_category_display()}: {e.description[:60]}") for e in entries
        ]
        if own:
            del self.fields["member"]
