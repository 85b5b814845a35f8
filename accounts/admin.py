from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from accounts.models import User
from boards.models import Membership
from reports.models import ConsulteeKind, Post


class CouncilUserChangeForm(UserChangeForm):
    """The user form with the roles that live on other records: consultee kinds and posts held."""

    consultee_kinds = forms.ModelMultipleChoiceField(
        ConsulteeKind.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("consultees", is_stacked=False),
        label="Consultee for",
        help_text="Signs reports off for these consultees; each sign-off is issued a reference with its prefix.",
    )
    posts_held = forms.ModelMultipleChoiceField(
        Post.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("posts", is_stacked=False),
        label="Approver for (posts held)",
        help_text="Approves the reports that are “Report of” these posts. A post held by someone else moves to "
        "this person.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["consultee_kinds"].initial = list(self.instance.consultee_kinds.all())
            self.fields["posts_held"].initial = list(self.instance.posts.all())


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    verbose_name = "board membership"


@admin.register(User)
class CouncilUserAdmin(UserAdmin):
    form = CouncilUserChangeForm
    list_display = ["username", "first_name", "last_name", "job_title", "role_summary", "is_active"]
    list_filter = [
        "is_author",
        "is_democratic_services",
        "is_monitoring_officer",
        "is_superuser",
        "is_active",
        "consultee_kinds",
    ]
    fieldsets = UserAdmin.fieldsets + (
        ("Council", {"fields": ["job_title", "phone"]}),
        (
            "Roles",
            {
                "fields": [
                    "is_author",
                    "consultee_kinds",
                    "posts_held",
                    "is_democratic_services",
                    "is_monitoring_officer",
                ],
                "description": "Board membership is below; administrators are the superusers (Permissions above).",
            },
        ),
    )
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("consultee_kinds", "posts", "memberships__board")

    @admin.display(description="Roles")
    def role_summary(self, user):
        return "; ".join(user.roles) or "none"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if "consultee_kinds" in form.cleaned_data:
            user.consultee_kinds.set(form.cleaned_data["consultee_kinds"])
        if "posts_held" in form.cleaned_data:
            chosen = {post.pk for post in form.cleaned_data["posts_held"]}
            for post in Post.objects.filter(holder=user).exclude(pk__in=chosen):
                post.holder = None
                post.save(update_fields=["holder"])
            for post in Post.objects.filter(pk__in=chosen).exclude(holder=user):
                post.holder = user
                post.save(update_fields=["holder"])
