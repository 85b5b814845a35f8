from django import forms
from django.conf import settings
from django.core.files.base import ContentFile

from members.models import Attendance, Councillor, OtherAttendee
from reports.imagecheck import ImageProblem, check_image


class SubstituteChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class AttendanceForm(forms.Form):
    """A status (and a substitute, for apologies with one) for each member expected at the meeting.

    The rules between the fields (a substitute named, not one of the members, not twice) are the
    service's (members.services.attendance_record); its messages are put beside the fields.
    """

    def __init__(self, expected, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = list(expected)
        for membership in self.expected:
            uid = membership.user_id
            self.fields[f"status_{uid}"] = forms.ChoiceField(
                label=str(membership.user),
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose whether they were present, sent apologies or were absent."},
            )
            self.fields[f"substitute_{uid}"] = SubstituteChoice(
                candidates,
                label=f"Substitute for {membership.user}",
                required=False,
                empty_label="No substitute",
                error_messages={"invalid_choice": "Choose one of the board's substitutes or another councillor."},
            )

    def rows(self):
        """(membership, status field, substitute field) for each expected member, for the template."""
        return [(m, self[f"status_{m.user_id}"], self[f"substitute_{m.user_id}"]) for m in self.expected]

    def entries(self):
        return {
            m.user_id: (self.cleaned_data[f"status_{m.user_id}"], self.cleaned_data.get(f"substitute_{m.user_id}"))
            for m in self.expected
        }


class OtherAttendeeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, required=False)
    # Not required: a row without a name is left out whatever its select says (the view reads named rows).
    role = forms.ChoiceField(
        label="Attended as", choices=OtherAttendee.Role.choices, initial=OtherAttendee.Role.OFFICER, required=False
    )
    description = forms.CharField(label="Title or reason", max_length=300, required=False)


OtherAttendeeFormSet = forms.formset_factory(OtherAttendeeForm, extra=2, max_num=40, absolute_max=40)


class ApologyForm(forms.Form):
    """A member's apologies for a coming meeting."""

    reason = forms.CharField(
        label="Reason (optional)",
        max_length=500,
        required=False,
        help_text="Printed in the minutes only as “apologies”; the reason goes to democratic services.",
    )
    substitute = SubstituteChoice(
        None,
        label="Substitute (optional)",
        required=False,
        empty_label="No substitute",
        help_text="A substitute member of the board, or another councillor, who has agreed to attend in your place.",
        error_messages={"invalid_choice": "Choose one of the board's substitutes or another councillor."},
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = candidates


class CouncillorAdminForm(forms.ModelForm):
    """The councillor's profile in the admin: an uploaded photo is checked by content and remade, as figures are."""

    class Meta:
        model = Councillor
        fields = [
            "user", "party", "wards", "photo", "photo_alt", "email", "phone", "postal_address", "took_office_on",
        ]  # fmt: skip

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo  # unchanged or cleared
        limit = settings.FIGURE_MAX_MB * 1024 * 1024
        if photo.size > limit:
            raise forms.ValidationError(f"The photo can be at most {settings.FIGURE_MAX_MB} MB.")
        try:
            image = check_image(photo)
        except ImageProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return ContentFile(image.data, name=f"photo.{image.extension}")
