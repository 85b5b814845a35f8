"""The insight page's filters: a period, a board, a directorate, and whose view. They tidy and explain."""

from django import forms

from insight.selectors import Scope
from public.forms import MeetingDatesForm, board_field, meeting_date_field
from reports.models import Directorate


class InsightForm(MeetingDatesForm):
    """Which decisions to count: meetings from and to (either may be left open), a board, a directorate."""

    date_from = meeting_date_field("Meetings from", "2022-04-01")
    date_to = meeting_date_field("Meetings to", "2023-03-31")
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

    def scope(self):
        data = self.cleaned_data
        return Scope(data.get("date_from"), data.get("date_to"), data.get("board"), data.get("directorate"))
