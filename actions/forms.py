from django import forms

from accounts.models import User
from actions.models import Action
from actions.services import due_date_problem

DATE_INVALID = "Give a date, like 2024-03-31."


def officers():
    """Everyone who may own an action: users who are not councillors (the service refuses an inactive one)."""
    return User.objects.filter(councillor__isnull=True).order_by("last_name", "first_name", "pk")


def person_label(user):
    return f"{user}, {user.job_title}" if user.job_title else str(user)


class ActionForm(forms.Form):
    """An action arising from a decision; the service checks the dates, the owner's account and the item."""

    description = forms.CharField(
        label="What is to be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what is to be done."},
    )
    owner = forms.ModelChoiceField(
        label="Officer responsible",
        queryset=User.objects.none(),
        empty_label="Choose an officer",
        error_messages={
            "required": "Choose the officer responsible for the action.",
            "invalid_choice": "Choose the officer responsible from the list.",
        },
    )
    due_on = forms.DateField(
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date the action is due.", "invalid": DATE_INVALID},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        field = self.fields["owner"]
        # Any officer is accepted, so the service can say plainly that an account is no longer in use;
        # only those whose accounts are in use are offered.
        field.queryset = officers()
        field.label_from_instance = person_label
        field.widget.choices = [("", field.empty_label)] + [
            (user.pk, person_label(user)) for user in officers().filter(is_active=True)
        ]

    def clean_due_on(self):
        """Said beside the field with the form's other errors; the service checks it again."""
        due_on = self.cleaned_data["due_on"]
        if problem := due_date_problem(due_on, self.meeting):
            raise forms.ValidationError(problem)
        return due_on


class UpdateForm(forms.Form):
    """The owner's (or democratic services') report on an action: its status now, and a note."""

    status = forms.ChoiceField(
        label="Status",
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status.", "invalid_choice": "Choose a status from the list."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has been done, or why the status changed. Needed to mark it done or dropped. Shown to the "
        "public for actions on decisions taken in public.",
    )


class TrackerFilterForm(forms.Form):
    """The tracker's filters: board, status, owner, overdue only. Their choices are what the asker may see."""

    board = forms.ChoiceField(label="Board", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status")] + Action.Status.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    owner = forms.ChoiceField(label="Owner", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    overdue = forms.BooleanField(
        label="Overdue only", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, data, *, boards, owners):
        super().__init__(data)
        self.boards = {board.slug: board for board in boards}
        self.owners = {str(owner.pk): owner for owner in owners}
        self.fields["board"].choices = [("", "All boards")] + [(b.slug, b.name) for b in boards]
        self.fields["owner"].choices = [("", "Anyone")] + [(str(o.pk), str(o)) for o in owners]
        for name, what in (("board", "a board"), ("status", "a status"), ("owner", "an owner")):
            self.fields[name].error_messages["invalid_choice"] = f"Choose {what} from the list."

    def filters(self):
        data = self.cleaned_data
        return {
            "board": self.boards.get(data.get("board")),
            "status": data.get("status", ""),
            "owner": self.owners.get(data.get("owner")),
            "overdue": bool(data.get("overdue")),
        }
