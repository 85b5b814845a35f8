import datetime as dt

from django import forms
from django.utils import timezone

from boards.models import Board


class MeetingForm(forms.Form):
    """Scheduling a meeting: the board, the date and time, the venue."""

    board = forms.ModelChoiceField(Board.objects.filter(is_active=True), label="Board")
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date, like 14/09/2026"},
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"invalid": "Enter a time, like 14:00"},
    )
    venue = forms.CharField(
        label="Venue", max_length=300, required=False, help_text="Leave blank for the board's usual venue."
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise forms.ValidationError("The date has passed: choose today or a later date.")
        if date > timezone.localdate() + dt.timedelta(days=366 * 3):
            raise forms.ValidationError("Choose a date within the next three years.")
        return date

    def starts_at(self):
        combined = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(combined)


class DecisionsForm(forms.Form):
    """What the board decided on each item of a meeting, one text box an item, in agenda order."""

    def __init__(self, numbered_items, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, item in numbered_items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=f"{number}. {item.title}",
                required=False,
                max_length=10000,
                initial=item.decision,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Part 2: seen only by the board's members and officers." if item.is_exempt else "",
            )

    def decisions(self):
        """{agenda item id: decision text} for the items posted (an item left out is left as it was)."""
        return {int(name.removeprefix("item_")): text for name, text in self.cleaned_data.items() if name in self.data}
