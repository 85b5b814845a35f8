from django.contrib.auth.models import AbstractUser
from django.db import models


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
        """What this person does, in words, for the admin: author, consultee, approver, and so on."""
        roles = ["Report author"] if self.is_author else []
        roles += [f"Consultee: {kind.name} ({kind.prefix})" for kind in self.consultee_kinds.all()]
        roles += [f"Approver: {post.title}" for post in self.posts.all()]
        if self.is_democratic_services:
            roles.append("Democratic services")
        if self.is_monitoring_officer:
            roles.append("Monitoring officer")
        roles += [f"Board member: {m.board}" for m in self.memberships.current().select_related("board")]
        if self.is_superuser:
            roles.append("Administrator")
        return roles

    @property
    def sees_everything(self):
        """Democratic services and administrators may see every report, exempt ones included."""
        return self.is_superuser or self.is_democratic_services
