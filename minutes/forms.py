from django import forms

from minutes.services import MAX_LENGTH


class MinutesForm(forms.Form):
    """The clerk's edit of the minutes; the service sanitises what is kept."""

    body = forms.CharField(
        label="Minutes (public once published)",
        required=False,
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="HTML: paragraphs, headings (h3, h4), lists, tables and links are kept; anything else is removed.",
    )
    exempt_body = forms.CharField(
        label="Part 2 minutes (never published)",
        required=False,
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="The minutes of the items considered without the press and public.",
    )
