import re

from django import forms

from votes.models import Choice, Method

MEMBER_KEY = re.compile(r"^member_(\d{1,12})$")
CASTING = [("", "Choose"), (Choice.FOR.value, "For"), (Choice.AGAINST.value, "Against")]


class PersonField(forms.TypedChoiceField):
    """A member chosen from those present. Any user id posted is accepted here, so that someone
    absent gets the service's message (who they are, why not) rather than "not a valid choice"."""

    def __init__(self, people, **kwargs):
        choices = [("", "Choose a member present")] + [(u.pk, u.get_full_name() or u.username) for u in people]
        super().__init__(choices=choices, coerce=int, empty_value=None, required=False, **kwargs)

    def valid_value(self, value):
        return str(value).isdigit() and len(str(value)) <= 12


def _count(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=999,
        required=False,
        error_messages={"invalid": "Enter a whole number (0 for none).", "min_value": "Enter 0 or more."},
    )


class ResultFields(forms.Form):
    """What a motion and an amendment share: mover, seconder, the counts, the chair's casting vote."""

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mover"] = PersonField(people, label="Moved by")
        self.fields["seconder"] = PersonField(people, label="Seconded by")
        self.fields["votes_for"] = _count("For")
        self.fields["votes_against"] = _count("Against")
        self.fields["abstentions"] = _count("Abstentions")
        self.fields["casting"] = forms.BooleanField(label="Tied: the chair gave a casting vote", required=False)
        self.fields["casting_vote"] = forms.ChoiceField(
            label="The chair's casting vote", choices=CASTING, required=False
        )

    def counts(self):
        data = self.cleaned_data
        return tuple(data.get(name) or 0 for name in ("votes_for", "votes_against", "abstentions"))

    def casting_vote(self):
        """The chair's casting vote, "" unless the box is ticked; ticked with no side chosen is "?" (refused)."""
        if not self.cleaned_data.get("casting"):
            return ""
        return self.cleaned_data.get("casting_vote") or "?"


class MotionForm(ResultFields):
    """The motion on one item and how it was put. The rules between fields are the service's
    (votes.services.record_vote): its messages are put beside the fields."""

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, people=people, **kwargs)
        self.people = list(people)
        self.fields = {
            "text": forms.CharField(
                label="Motion", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000
            ),
            "method": forms.ChoiceField(
                label="How it was voted on",
                choices=Method.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a show of hands or a recorded vote."},
            ),
            **self.fields,
        }
        for user in self.people:
            self.fields[f"member_{user.pk}"] = forms.ChoiceField(
                label=user.get_full_name() or user.username,
                choices=Choice.choices,
                widget=forms.RadioSelect,
                required=False,
            )

    def member_rows(self):
        return [(user, self[f"member_{user.pk}"]) for user in self.people]

    def names(self):
        """Each member's vote in a recorded vote, by user id: the members present as the form showed
        them, and anyone else whose vote was posted (the service refuses them by name)."""
        names = {u.pk: self.cleaned_data.get(f"member_{u.pk}") for u in self.people}
        names = {uid: choice for uid, choice in names.items() if choice}
        for key, value in self.data.items():
            match = MEMBER_KEY.match(key)
            if match and int(match.group(1)) not in names and f"member_{match.group(1)}" not in self.fields:
                names[int(match.group(1))] = value
        return names


class AmendmentForm(ResultFields):
    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, people=people, **kwargs)
        self.fields = {
            "text": forms.CharField(
                label="Amendment", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20000
            ),
            **self.fields,
        }


AmendmentFormSet = forms.formset_factory(AmendmentForm, extra=1, max_num=20, absolute_max=20)
