"""Actions arising from decisions: who does what by when, and how it stands.

Councils keep these as recommendation trackers in report annexes. Here each action hangs off the
agenda item whose decision it arises from; democratic services (or the board's clerk) record it,
its owner reports progress, and every change is an ActionUpdate row. The public see the actions
of Part 1 items; an exempt item's actions are read only by those who may read the item.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.models import AgendaItem, Meeting

# A meeting whose decisions may have actions arising: held, or with its minutes approved.
HELD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)


class ActionQuerySet(models.QuerySet):
    def public(self):
        """Actions anyone may see: on a Part 1 item, issued on a published agenda of a meeting not cancelled.

        An item for a report is Part 1 when its report is not exempt, read now (a report not yet
        classified counts as exempt, as `AgendaItem.is_exempt` says); any other item by its own flag.
        """
        part_1 = Q(item__report__isnull=False, item__report__is_exempt=False) | Q(
            item__report__isnull=True, item__own_is_exempt=False
        )
        issued = Q(item__supplement__isnull=True) | Q(item__supplement__published_at__isnull=False)
        return self.filter(part_1, issued, item__meeting__agenda_published_at__isnull=False).exclude(
            item__meeting__status=Meeting.Status.CANCELLED
        )

    def visible_to(self, user):
        """Actions `user` may see: the public ones, and for the signed in those of exempt items they may read
        (democratic services, the board's clerk and members) and their own."""
        if not user.is_authenticated:
            return self.public()
        if user.sees_everything:
            return self.all()
        boards = user.memberships.current().values("board")
        return self.filter(
            Q(pk__in=Action.objects.public().values("pk"))
            | Q(owner=user)
            | Q(item__meeting__board__clerk=user)
            | Q(item__meeting__board__in=boards)
        )

    def unfinished(self):
        return self.filter(status__in=Action.UNFINISHED)

    def overdue(self, today=None):
        """Unfinished actions past their due date."""
        return self.unfinished().filter(due_on__lt=today or timezone.localdate())


class Action(models.Model):
    """Something to be done because of a decision: what, by whom, by when, and where it stands."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    UNFINISHED = (Status.NOT_STARTED, Status.IN_PROGRESS)

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField("what is to be done")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions_owned")
    due_on = models.DateField("due date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text="When its status or notes last changed.")

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="action_has_a_description"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done", "dropped"]), name="action_status_known"
            ),
        ]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status not in self.UNFINISHED

    @property
    def is_overdue(self):
        """Past its due date and neither done nor dropped."""
        return not self.is_finished and self.due_on < timezone.localdate()

    @property
    def owner_display(self):
        """The owner as other pages print an officer: "Eleanor Moulton, Consultant in Public Health"."""
        title = self.owner.job_title
        return f"{self.owner}, {title}" if title else str(self.owner)

    @property
    def decision_url(self):
        """The decision it arises from, on the meeting's page."""
        return f"{self.item.meeting.get_absolute_url()}#item-{self.item_id}"


class ActionUpdate(models.Model):
    """One entry in an action's history: who, when, the status from and to, and a note."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True, choices=Action.Status.choices)
    to_status = models.CharField(max_length=20, choices=Action.Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action}: {self.from_status or 'recorded'} to {self.to_status}"
