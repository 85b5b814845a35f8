"""The insight page's filters: a period, a board, a directorate, and whose view. They tidy and explain."""

from django import forms

from insight.selectors import Scope
from public.forms import board_field
from reports.models import Directorate


def _date_field(label, example):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"Enter the date as a real date, like {example}."},
    )


class InsightForm(forms.Form):
    """Which decisions to count: meetings from and to (either may be left open), a board, a directorate."""

    date_from = _date_field("Meetings from", "2022-04-01")
    date_to = _date_field("Meetings to", "2023-03-31")
    board = board_field()
    directorate = forms.ModelChoiceField(
        queryset=Directorate.objects.filter(is_active=True),
        required=False,
        empty_label="All directorates",
        widget=forms.Select(attrs={"class": "form-select"}),
        label="Directorate",
        error_messages={"invalid_choice": "Choose a directorate from the list."},
    )
    view = forms.ChoiceField(
        choices=[("", "Every report I may read"), ("public", "What the public sees")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        label="Figures from",
        error_messages={"invalid_choice": "Choose whose figures to show from the list."},
    )
    figure = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def scope(self):
        data = self.cleaned_data
        return Scope(data.get("date_from"), data.get("date_to"), data.get("board"), data.get("directorate"))
