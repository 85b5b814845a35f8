from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class User(AbstractUser):
    """A person who signs in: an officer, a councillor or an administrator.

    Roles that belong to one record live there: a consultee is an officer of a ConsulteeKind, an
    approver holds a Post, a board member has a Membership. The flags below are the roles that
    belong to the person alone.
    """

    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField("telephone number", max_length=40, blank=True)
    is_author = models.BooleanField(
        "report author", default=False, help_text="May draft reports and submit them for sign-off."
    )
    is_democratic_services = models.BooleanField(
        "democratic services",
        default=False,
        help_text="Runs boards and meetings, compiles and publishes agendas; may see every report.",
    )
    # db_default too: code (and migration tests) that predate the role can still insert users.
    is_monitoring_officer = models.BooleanField(
        "monitoring officer",
        default=False,
        db_default=False,
        help_text="Keeps the register of members' interests (Localism Act 2011 s. 29): accepts or returns the "
        "changes members propose, and sees who has not registered.",
    )

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def roles(self):
        """What this person does, in words: author, consultee, approver, and so on.

        Reads `current_memberships` and `stand_ins_in_force` when a list prefetched them
        (accounts.selectors.people), so a page of people costs the same queries however long.
        """
        roles = ["Report author"] if self.is_author else []
        roles += [f"Consultee: {kind.name} ({kind.prefix})" for kind in self.consultee_kinds.all()]
        roles += [f"Approver: {post.title}" for post in self.posts.all()]
        if self.is_democratic_services:
            roles.append("Democratic services")
        if self.is_monitoring_officer:
            roles.append("Monitoring officer")
        memberships = getattr(self, "current_memberships", None)
        if memberships is None:
            memberships = self.memberships.current().select_related("board")
        roles += [f"Board member: {m.board}" for m in memberships]
        if self.is_superuser:
            roles.append("Administrator")
        stand_ins = getattr(self, "stand_ins_in_force", None)
        if stand_ins is None:
            stand_ins = self.stand_ins.in_force().select_related("post", "holder")
        roles += [f"Standing in for {s.holder} ({s.post}) until {s.ends_on:%-d %B %Y}" for s in stand_ins]
        return roles

    @property
    def is_councillor(self):
        """Whether this person is a councillor (has a members.Councillor record)."""
        return hasattr(self, "councillor")

    @property
    def sees_everything(self):
        """Democratic services and administrators may see every report, exempt ones included."""
        return self.is_superuser or self.is_democratic_services


class StandInQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Stand-ins that hold on a day (today by default): not ended, within their dates, and named by
        the post's present holder (a stand-in lapses when the post passes to someone else)."""
        on = on or timezone.localdate()
        return self.filter(ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on, post__holder=F("holder"))


class StandIn(models.Model):
    """A deputy named by a post's holder to approve (and return) the post's reports in their place, for dates."""

    post = models.ForeignKey("reports.Post", on_delete=models.CASCADE, related_name="stand_ins")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stand_ins_named",
        help_text="The post's holder who named the deputy, for whom the deputy acts.",
    )
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stand_ins")
    starts_on = models.DateField("from")
    ends_on = models.DateField("to")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Ended early by the holder.")

    objects = StandInQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="stand_in_ends_after_start"),
            models.CheckConstraint(condition=~Q(deputy=F("holder")), name="stand_in_not_oneself"),
        ]

    def __str__(self):
        return f"{self.deputy} for {self.holder} ({self.post}), {self.starts_on} to {self.ends_on}"


class PersonEvent(models.Model):
    """A step in a person's account: invited, roles changed, deactivated, a stand-in named; who did it, when."""

    LABELS = {
        "invited": "Invited",
        "invitation_sent": "Invitation sent again",
        "password_set": "Set their password from the invitation",
        "roles_changed": "Roles changed",
        "deactivated": "Deactivated",
        "reactivated": "Reactivated",
        "stand_in_named": "Stand-in named",
        "stand_in_ended": "Stand-in ended",
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.user} {self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())
