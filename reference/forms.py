"""The add and edit forms of each reference list: they tidy and check what was typed; the service saves it."""

from django import forms
from django.db.models import Q

from accounts.models import User
from reports.models import ConsulteeKind, CorePurpose, Directorate, ImplicationType, Portfolio, Post, Ward


class EntryForm(forms.ModelForm):
    """An entry's name (or a post's title): one line, not empty, not another entry's in any case."""

    def __init__(self, *args, ref, **kwargs):
        super().__init__(*args, **kwargs)
        self.ref = ref
        field = self.fields[ref.name_field]
        field.error_messages["required"] = f"Enter the {ref.noun}'s {field.label.lower()}."

    def clean(self):
        data = super().clean()
        name_field = self.ref.name_field
        value = " ".join(data.get(name_field, "").split())
        if name_field in data:
            data[name_field] = value
        if value:
            twin = self.ref.model.objects.filter(**{f"{name_field}__iexact": value}).exclude(pk=self.instance.pk)
            twin = twin.first()
            if twin is not None:
                state = "" if twin.is_active else " (retired: restore it instead)"
                self.add_error(name_field, f"There is already {self.ref.a_noun} called “{twin}”{state}.")
        return data

    def validate_unique(self):
        # clean() says which entry has the name, in any case; the service checks again under its lock.
        pass


class NameForm(EntryForm):
    class Meta:
        fields = ["name"]
        labels = {"name": "Name"}


def name_form(model):
    return type(f"{model.__name__}Form", (NameForm,), {"Meta": type("Meta", (NameForm.Meta,), {"model": model})})


class PostForm(EntryForm):
    directorate = forms.ModelChoiceField(Directorate.objects.none(), required=False, label="Directorate")
    holder = forms.ModelChoiceField(
        User.objects.filter(is_active=True, councillor__isnull=True).order_by("last_name", "first_name", "username"),
        required=False,
        label="Holder",
        empty_label="No one",
        help_text="Approves the reports made in this post's name. It is recorded in their history on the People screen.",
    )

    class Meta:
        model = Post
        fields = ["title", "directorate"]
        labels = {"title": "Title"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Directorates in use, and the post's own even if retired since.
        self.fields["directorate"].queryset = Directorate.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.directorate_id)
        ).order_by("position", "name")
        self.fields["holder"].initial = self.instance.holder_id


class ConsulteeKindForm(EntryForm):
    class Meta:
        model = ConsulteeKind
        fields = ["name", "officer_title", "prefix"]
        labels = {"name": "Name", "officer_title": "Officer's title", "prefix": "Reference prefix"}
        help_texts = {
            "officer_title": "Printed in the report: “The Chief Legal and Democratic Officer (LD.5132/22)”.",
            "prefix": "One to five capital letters, e.g. FD. References already issued keep the prefix they had.",
        }

    def clean_prefix(self):
        prefix = self.cleaned_data["prefix"].strip().upper()
        twin = ConsulteeKind.objects.filter(prefix=prefix).exclude(pk=self.instance.pk).first()
        if twin is not None:
            raise forms.ValidationError(f"{twin.name} already uses the prefix {prefix}.")
        return prefix

    def clean_officer_title(self):
        return " ".join(self.cleaned_data["officer_title"].split())


FORMS = {
    Ward: name_form(Ward),
    Portfolio: name_form(Portfolio),
    Directorate: name_form(Directorate),
    ImplicationType: name_form(ImplicationType),
    CorePurpose: name_form(CorePurpose),
    Post: PostForm,
    ConsulteeKind: ConsulteeKindForm,
}


def form_for(ref, *args, **kwargs):
    """The add or edit form of `ref`'s entries."""
    return FORMS[ref.model](*args, ref=ref, **kwargs)
