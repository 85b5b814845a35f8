from django import forms

from boards.forms import MeetingForm
from decisions.models import Notice


class NoticeForm(forms.Form):
    decision = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 4}))
    reasons = forms.CharField(label="Reasons for the decision", widget=forms.Textarea(attrs={"rows": 4}))
    alternatives = forms.CharField(
        label="Alternative options considered and rejected", widget=forms.Textarea(attrs={"rows": 3})
    )
    conflicts = forms.CharField(
        label="Conflicts of interest declared, and dispensations",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(NoticeForm):
    is_urgent = forms.BooleanField(label="Urgent: not subject to call-in", required=False)
    urgency_reason = forms.CharField(
        label="Why it is urgent", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only where any delay would seriously prejudice the council's or the public's interests.",
    )  # fmt: skip


class CorrectForm(NoticeForm):
    correction = forms.CharField(label="What is corrected, and why", widget=forms.Textarea(attrs={"rows": 2}))


class CallInForm(forms.Form):
    reasons = forms.CharField(
        label="Your reasons for calling the decision in", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What the committee decided", choices=Notice.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConveneForm(MeetingForm):
    """A special meeting of the scrutiny committee to hear a call-in: its date, time and venue."""

    board = None  # the committee that scrutinises the decision
    venue = forms.CharField(
        label="Venue", max_length=300, required=False, help_text="Leave blank for the committee's usual venue."
    )
    urgency_reason = forms.CharField(
        label="Why it is urgent (only for a meeting at less than five clear working days' notice)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
