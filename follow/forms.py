"""The Follow form: it tidies what was typed and says plainly what is wrong, beside the field."""

from django import forms

from boards.models import Board
from follow.models import Subscription
from reports.models import Ward

KEYWORD_MAX = 100


class NameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FollowForm(forms.Form):
    """An address, what to follow (a board, a ward, a keyword: at least one), and how often."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
            "max_length": "An email address has at most %(limit_value)d characters (you typed %(show_value)d).",
        },
    )
    board = NameChoiceField(
        queryset=Board.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label="(none)",
        label="A board or committee",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choose a board from the list."},
    )
    ward = NameChoiceField(
        queryset=Ward.objects.filter(is_active=True),
        required=False,
        empty_label="(none)",
        label="A ward",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choose a ward from the list."},
    )
    keyword = forms.CharField(
        label="A keyword or phrase",
        required=False,
        strip=False,  # the check below tells a keyword of spaces from none
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="Matched as a whole word, in any case, in the titles and summaries of public reports.",
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often to be sent emails.",
            "invalid_choice": "Choose how often to be sent emails.",
        },
    )

    def clean_keyword(self):
        typed = self.cleaned_data["keyword"]
        keyword = " ".join(typed.split())
        if typed and not keyword:
            raise forms.ValidationError("Enter a word or phrase to follow, not only spaces.")
        if len(keyword) > KEYWORD_MAX:
            raise forms.ValidationError(
                f"A keyword has at most {KEYWORD_MAX} characters (you typed {len(keyword)}): "
                "choose a shorter word or phrase."
            )
        if keyword and not any(character.isalnum() for character in keyword):
            raise forms.ValidationError("Enter a word or phrase with letters or numbers in it.")
        return keyword

    def clean(self):
        data = super().clean()
        chosen = data.get("board") or data.get("ward") or data.get("keyword")
        if not chosen and not self.has_error("board") and not self.has_error("ward") and not self.has_error("keyword"):
            self.add_error("board", "Choose a board, a ward or a keyword to follow (one or more).")
        return data

    def things(self):
        """What to follow, as follow.services.follow_subscribe takes it."""
        data = self.cleaned_data
        things = []
        if data.get("board"):
            things.append((Subscription.Kind.BOARD, data["board"], None, ""))
        if data.get("ward"):
            things.append((Subscription.Kind.WARD, None, data["ward"], ""))
        if data.get("keyword"):
            things.append((Subscription.Kind.KEYWORD, None, None, data["keyword"]))
        return things
