"""The People screens' forms: inviting someone, the role picker, naming a stand-in, setting a password."""

from django import forms

from accounts.models import User
from reports.models import ConsulteeKind, Post

# What each role may do, in the words the role picker prints beside it.
ROLE_HELP = {
    "is_author": "Drafts reports on the council's template, previews them and submits them for sign-off.",
    "consultee_kinds": "Reads submitted reports, comments, and signs them off (the system issues the reference, "
    "e.g. FD.6932/22) or returns them to the author.",
    "posts": "Approves the reports made in the post's name (“Report of”), or returns them to the author; may name a "
    "stand-in to approve in their place while away. A post held by someone else moves to this person.",
    "is_democratic_services": "Runs boards and meetings: compiles, publishes and records agendas, packs, minutes "
    "and decisions; sees every report, exempt ones included; adds and deactivates councillors here.",
    "board_member": "Reads their boards' papers, exempt ones included, declares interests and sends apologies.",
    "is_monitoring_officer": "Keeps the register of members' interests: accepts or returns the changes members "
    "propose and sees who has not registered.",
    "is_superuser": "Manages people, roles and the reference lists, sees every report, and uses the Django admin.",
}


class InviteForm(forms.Form):
    """A new person's name and email; they choose their own password from the emailed link."""

    email = forms.EmailField(label="Email address", help_text="The invitation to set a password is sent here.")
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    job_title = forms.CharField(label="Job title", max_length=200, required=False)
    username = forms.RegexField(
        label="User name (optional)",
        regex=r"^[\w.@+-]+$",
        max_length=150,
        required=False,
        help_text="What they sign in with. Leave it empty to use the part of the email address before the @.",
        error_messages={"invalid": "Use letters, digits and . @ + - _ only."},
    )
    councillor = forms.BooleanField(
        label="This person is a councillor",
        required=False,
        help_text="Councillors sit on boards and read their papers; they do not write or approve reports.",
    )

    def __init__(self, *args, councillors_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        if councillors_only:
            del self.fields["councillor"]


class PostChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, post):
        held = f" (now held by {post.holder})" if post.holder_id else " (vacant)"
        return f"{post.title}{held}"


class RolesForm(forms.Form):
    """The role picker: each role with what it may do."""

    is_author = forms.BooleanField(label="Report author", required=False, help_text=ROLE_HELP["is_author"])
    consultee_kinds = forms.ModelMultipleChoiceField(
        ConsulteeKind.objects.filter(is_active=True),
        label="Consultee for",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ROLE_HELP["consultee_kinds"],
    )
    posts = PostChoiceField(
        Post.objects.filter(is_active=True).select_related("holder"),
        label="Holder of a post (approver)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ROLE_HELP["posts"],
    )
    is_democratic_services = forms.BooleanField(
        label="Democratic services", required=False, help_text=ROLE_HELP["is_democratic_services"]
    )
    is_monitoring_officer = forms.BooleanField(
        label="Monitoring officer", required=False, help_text=ROLE_HELP["is_monitoring_officer"]
    )
    is_superuser = forms.BooleanField(label="Administrator", required=False, help_text=ROLE_HELP["is_superuser"])

    @classmethod
    def initial_for(cls, user):
        return {
            "is_author": user.is_author,
            "consultee_kinds": list(user.consultee_kinds.all()),
            "posts": list(user.posts.all()),
            "is_democratic_services": user.is_democratic_services,
            "is_monitoring_officer": user.is_monitoring_officer,
            "is_superuser": user.is_superuser,
        }


class DeputyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user} ({user.job_title})" if user.job_title else str(user)


class StandInForm(forms.Form):
    """A post holder names a deputy for dates."""

    post = forms.ModelChoiceField(Post.objects.none(), label="Post", empty_label=None)
    deputy = DeputyChoiceField(
        User.objects.none(),
        label="Stand-in",
        help_text="They may approve and return the post's reports in your place on these days, "
        "but never a report they wrote.",
    )
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="To (the last day, included)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, holder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(holder=holder)
        # Officers who can sign in; the service gives the reason for anyone else (oneself, a councillor).
        self.fields["deputy"].queryset = (
            User.objects.filter(is_active=True, councillor__isnull=True)
            .exclude(pk=holder.pk)
            .order_by("last_name", "first_name", "username")
        )
