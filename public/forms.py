"""The public pages' query-string forms: they tidy what a visitor typed and say plainly what is wrong."""

import datetime as dt
import re

from django import forms

from boards.models import Board

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BoardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def board_field():
    return BoardChoiceField(
        queryset=Board.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label="All boards",
        widget=forms.Select(attrs={"class": "form-select"}),
        label="Board or committee",
        error_messages={"invalid_choice": "Choose a board from the list."},
    )


def meeting_date_field(label, example):
    """A date of meeting a form filters by, optional."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"Enter the date as a real date, like {example}."},
    )


class MeetingDatesForm(forms.Form):
    """Meetings from and to, either left open; the end refused, by its field, when before the start."""

    date_from = meeting_date_field("Meetings from", "2022-09-14")
    date_to = meeting_date_field("Meetings to", "2022-09-30")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data


class SearchForm(MeetingDatesForm):
    """What to look for, and optionally which board and which dates of meeting."""

    q = forms.CharField(
        label="Search for",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
        required=False,
        error_messages={"max_length": "Search for at most %(limit_value)d characters (you typed %(show_value)d)."},
    )
    board = board_field()
    field_order = ["q", "board", "date_from", "date_to"]


class CalendarForm(forms.Form):
    """The meetings calendar's filters: a board and a month (YYYY-MM)."""

    board = board_field()
    month = forms.CharField(
        label="Month",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control", "placeholder": "2022-09"}),
        error_messages={"max_length": "Enter the month as year and month, like 2022-09."},
    )

    def clean_month(self):
        raw = self.cleaned_data["month"].strip()
        if not raw:
            return None
        match = MONTH.match(raw)
        if not match:
            raise forms.ValidationError("Enter the month as year and month, like 2022-09.")
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 1900 <= year <= 2999):
            raise forms.ValidationError("Enter a real month, like 2022-09.")
        return dt.date(year, month, 1)
