from django import forms

from officer_decisions.models import SCHEDULE_12A_CHOICES, OfficerDecision
from reports.models import Ward

MAX_PAPERS = 50


class DecisionForm(forms.Form):
    """What an officer records about a decision; the service checks what only it can (dates, who, state)."""

    title = forms.CharField(max_length=300, error_messages={"required": "Give the decision a title."})
    decision = forms.CharField(
        label="The decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was decided."},
    )
    decided_on = forms.DateField(
        label="Date of the decision",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date the decision was made.", "invalid": "Give a date, like 2024-03-31."},
    )
    officer_title = forms.CharField(
        label="Decision taken by (your post)",
        max_length=200,
        help_text="As it should be printed on the record.",
        error_messages={"required": "Give your post, as it should be printed."},
    )
    delegated_power = forms.CharField(
        label="Delegated power relied on",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The paragraph of the scheme of delegation, or the resolution, that gives the power.",
        error_messages={"required": "Name the delegated power the decision was made under."},
    )
    reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons for the decision."},
    )
    alternatives = forms.CharField(
        label="Alternative options considered and rejected",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    conflict_of_interest = forms.CharField(
        label="Conflict of interest declared",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Any conflict of interest declared by a member consulted about the decision. Leave blank if none.",
    )
    dispensation = forms.CharField(
        label="Dispensation granted",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Any dispensation granted in respect of that conflict: who granted it and when.",
    )
    background_papers = forms.CharField(
        label="Background papers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. Leave blank if none.",
    )
    wards = forms.ModelMultipleChoiceField(
        label="Wards affected (optional)",
        queryset=Ward.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={
            "invalid_choice": "Choose wards from the list.",
            "invalid_pk_value": "Choose wards from the list.",
        },
    )
    exempt_paragraph = forms.TypedChoiceField(
        label="Exempt information",
        choices=[("", "Not exempt: publish the whole record")] + SCHEDULE_12A_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="If exempt, the public register shows only the title, the date and who made it.",
        error_messages={"invalid_choice": "Choose a paragraph of Schedule 12A, or say it is not exempt."},
    )

    def clean_background_papers(self):
        papers = [line.strip() for line in self.cleaned_data["background_papers"].splitlines() if line.strip()]
        if len(papers) > MAX_PAPERS:
            raise forms.ValidationError(f"List at most {MAX_PAPERS} background papers.")
        if any(len(p) > 500 for p in papers):
            raise forms.ValidationError("Keep each background paper's title under 500 characters.")
        return papers

    @classmethod
    def initial_for(cls, decision: OfficerDecision):
        initial = {
            name: getattr(decision, name) for name in cls.base_fields if name not in {"wards", "background_papers"}
        }
        initial["background_papers"] = "\n".join(decision.background_papers)
        initial["wards"] = list(decision.wards.all())
        return initial


class ReturnForm(forms.Form):
    comment = forms.CharField(label="What to put right", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RegisterFilterForm(forms.Form):
    """The public register's filter: words in the title, a range of decision dates."""

    q = forms.CharField(label="Title contains", max_length=200, required=False)
    date_from = forms.DateField(
        label="Decided from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a date, like 2024-03-31."},
    )
    date_to = forms.DateField(
        label="Decided to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a date, like 2024-03-31."},
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end of the range must be on or after its start.")
        return data
