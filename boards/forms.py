import datetime as dt

from django import forms
from django.utils import timezone

from boards import clock
from boards.models import Board, Membership


def time_field():
    """A meeting's time, as the browser's time picker sends it (or typed with a dot)."""
    return forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"invalid": "Enter a time, like 14:00"},
    )


def venue_field():
    """A meeting's venue; blank for the board's usual one."""
    return forms.CharField(
        label="Venue", max_length=300, required=False, help_text="Leave blank for the board's usual venue."
    )


class MeetingForm(forms.Form):
    """Scheduling a meeting: the board, the date and time, the venue."""

    board = forms.ModelChoiceField(Board.objects.filter(is_active=True), label="Board")
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date, like 14/09/2026"},
    )
    time = time_field()
    venue = venue_field()

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


class MeetingMoveForm(MeetingForm):
    """Moving a meeting: its new date, time and venue, and whether a bank holiday is meant."""

    board = None
    bank_holiday_ok = forms.BooleanField(
        label="Meet on the bank holiday",
        required=False,
        help_text="Tick only if the meeting is meant to be held on a bank holiday.",
    )


MAX_PROGRAMME = 60
WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")]
WEEKS = [(1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (-1, "Last")]
EVERY = [(1, "Every month"), (2, "Every other month"), (3, "Every three months"), (6, "Every six months")]
MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%B %Y", "%b %Y"]


class MonthField(forms.CharField):
    """A month, typed as 2027-09 (what a month picker sends), 09/2027 or September 2027: its first day."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=20, widget=forms.TextInput(attrs={"type": "month", "placeholder": "2027-09"}), **kwargs
        )

    def clean(self, value):
        value = super().clean(value).strip()
        for format in MONTH_FORMATS:
            try:
                return dt.datetime.strptime(value, format).date().replace(day=1)
            except ValueError:
                continue
        raise forms.ValidationError("Enter a month, like 2027-09 (September 2027).")


def _month_display(day):
    return f"{day:%B %Y}"


class ProgrammeForm(forms.Form):
    """A programme of meetings from a rule: "the second Wednesday of every other month, 2 pm,
    September to July", at a venue. `dates()` are the dates it gives."""

    week = forms.TypedChoiceField(label="Week of the month", choices=WEEKS, coerce=int)
    weekday = forms.TypedChoiceField(label="Day of the week", choices=WEEKDAYS, coerce=int)
    every = forms.TypedChoiceField(label="How often", choices=EVERY, coerce=int)
    start = MonthField(label="First month")
    end = MonthField(label="Last month")
    time = time_field()
    venue = venue_field()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = data["start"], data["end"]
        if end < start:
            self.add_error("end", f"The last month is before the first month ({_month_display(start)}).")
            return data
        if start < timezone.localdate().replace(day=1):
            self.add_error("start", f"{_month_display(start)} has passed: start this month or later.")
            return data
        dates = self.dates()
        if not dates:
            self.add_error("week", "This rule gives no dates between the first and the last month.")
        elif len(dates) > MAX_PROGRAMME:
            self.add_error(
                "end",
                f"This rule gives {len(dates)} meetings; at most {MAX_PROGRAMME} can be made at once: "
                "choose an earlier last month.",
            )
        elif dates[0] < timezone.localdate():
            first = dates[0]
            self.add_error(
                "start",
                f"The rule's first date, {clock.in_words(first)}, has passed: start next month.",
            )
        return data

    def dates(self):
        from boards.clock import programme_dates

        data = self.cleaned_data
        return programme_dates(
            weekday=data["weekday"], week=data["week"], every=data["every"], start=data["start"], end=data["end"]
        )

    def starts_at(self, day):
        return timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["time"]))


def date_field(label, **kwargs):
    """A day, as the browser's date picker sends it (or typed as 14/09/2026)."""
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date, like 14/09/2026"},
        **kwargs,
    )


class BoardForm(forms.ModelForm):
    """A board's settings, for democratic services; the service saves them (`boards.services.board_update`)."""

    default_time = time_field()

    class Meta:
        model = Board
        fields = [
            "name", "default_venue", "default_time", "clerk", "contact_email", "contact_phone", "quorum",
            "report_deadline_days", "is_executive", "scrutinises",
        ]  # fmt: skip
        labels = {"default_venue": "Usual venue", "contact_phone": "Contact telephone", "is_executive": "Executive"}
        widgets = {"scrutinises": forms.CheckboxSelectMultiple}
        error_messages = {"name": {"unique": "There is already a board with this name: choose another name."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["name"].max_length = 200
        self.fields["default_time"].label = "Usual time"
        self.fields["default_time"].help_text = Board._meta.get_field("default_time").help_text
        self.fields["default_time"].initial = Board._meta.get_field("default_time").default  # for a new board
        self.fields["clerk"].queryset = User.objects.filter(is_active=True, is_democratic_services=True).order_by(
            "last_name", "first_name"
        )
        self.fields["clerk"].empty_label = "No clerk named"
        executives = Board.objects.filter(is_active=True, is_executive=True)
        if self.instance.pk:
            executives = executives.exclude(pk=self.instance.pk)
        self.fields["scrutinises"].queryset = executives
        self.fields[
            "scrutinises"
        ].help_text = (
            "For an overview and scrutiny committee: the executive boards whose decisions its members may call in."
        )
        if not executives.exists():
            del self.fields["scrutinises"]  # no executive board to scrutinise: nothing to choose

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the board a name.")
        others = Board.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"There is already a board called “{name}”: choose another name.")
        return name

    def settings(self):
        """The cleaned settings, as the services take them (without `scrutinises`)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "scrutinises"}

    def _post_clean(self):
        # Validated here, saved by the service: the instance is not touched, so a refused form leaves the
        # board shown as it was.
        pass


class MembershipForm(forms.Form):
    """A new seat on a board: a councillor, their role and dates."""

    user = forms.ModelChoiceField(queryset=None, label="Councillor")
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    starts_on = date_field("From")
    ends_on = date_field("To", required=False, help_text="Leave blank while the seat has no end date.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["user"].queryset = User.objects.filter(is_active=True, councillor__isnull=False).order_by(
            "last_name", "first_name"
        )
        self.fields["user"].empty_label = "Choose a councillor"

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The last day is before the first: choose a later last day.")
        return data


class RoleChangeForm(forms.Form):
    """A seat's new role, from a day."""

    role = forms.ChoiceField(label="New role", choices=Membership.Role.choices)
    on = date_field("From", help_text="The first day in the new role.")


class MembershipEndForm(forms.Form):
    """The last day of a seat."""

    ends_on = date_field("Last day")
