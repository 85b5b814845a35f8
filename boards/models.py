import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards import clock
from config.periods import in_force_on
from reports.models import Report, exempt_grounds, paragraphs_display


class Board(models.Model):
    """A decision-making body: a board, committee or the Cabinet."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    default_venue = models.CharField(max_length=300, blank=True)
    default_time = models.TimeField(
        "usual time",
        default=datetime.time(14, 0),
        help_text="When its meetings usually start: the programme and a new meeting start from it.",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clerked_boards",
        help_text="The democratic services officer who runs this board's meetings.",
    )
    is_active = models.BooleanField(default=True)
    report_deadline_days = models.PositiveSmallIntegerField(
        "report deadline (working days)",
        default=5,
        help_text="How many working days before the publication deadline reports must be ready.",
    )
    contact_email = models.EmailField(blank=True, help_text="Printed on agendas for enquiries.")
    contact_phone = models.CharField(max_length=40, blank=True)
    quorum = models.PositiveSmallIntegerField(
        default=3,
        help_text="How many voting members (substitutes attending in a member's place count) must be present "
        "for the meeting to be quorate, as the council's constitution sets it.",
    )
    is_executive = models.BooleanField(
        "executive",
        default=False,
        help_text="The Cabinet or a Cabinet Member's decision session: each of its decisions gets a decision "
        "notice and takes effect after the call-in period (Executive Arrangements Regulations 2012, reg. 12).",
    )
    scrutinises = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="scrutinised_by",
        help_text="For an overview and scrutiny committee: the executive boards whose decisions its members may call in.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save; a new name or default venue is a change to every calendar event of its meetings."""
        before = Board.objects.filter(pk=self.pk).values_list("name", "default_venue").first() if self.pk else None
        super().save(*args, **kwargs)
        if before is not None and before != (self.name, self.default_venue):
            self.meetings.update(
                calendar_sequence=models.F("calendar_sequence") + 1, calendar_changed_at=timezone.now()
            )

    def get_absolute_url(self):
        return reverse("boards:detail", args=[self.slug])


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Memberships in force on a date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(in_force_on(on))

    def past(self, on=None):
        """Memberships that ended before a date (today by default)."""
        return self.filter(ends_on__lt=on or timezone.localdate())

    def future(self, on=None):
        """Memberships that start after a date (today by default)."""
        return self.filter(starts_on__gt=on or timezone.localdate())

    def overlapping(self, starts_on, ends_on):
        """Memberships whose period shares a day with `starts_on`..`ends_on` (either end open)."""
        rows = self
        if ends_on is not None:
            rows = rows.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=ends_on))
        if starts_on is not None:
            rows = rows.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        return rows

    def in_role_order(self):
        """Chair, vice-chair, members, then substitutes, each by surname: the order agendas print them."""
        order = models.Case(
            *[models.When(role=role, then=rank) for rank, role in enumerate(Membership.Role.values)],
            output_field=models.IntegerField(),
        )
        return self.order_by(order, "user__last_name", "user__first_name")


class Membership(models.Model):
    """A person's seat on a board, for a period."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-Chair"
        MEMBER = "member", "Member"
        SUBSTITUTE = "substitute", "Substitute"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["board", "role", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.board})"


class BoardEvent(models.Model):
    """A change to a board's settings or membership: who did what, when (seats are ended, never deleted)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="events")
    # The seat changed, if any; the note names it, so the row reads on its own.
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    LABELS = {
        "created": "Board added",
        "settings_changed": "Settings changed",
        "retired": "Retired",
        "reinstated": "Reinstated",
        "member_added": "Member added",
        "role_changed": "Role changed",
        "membership_ended": "Membership ended",
    }

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.board}: {self.label}"

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())


def published_meeting(through=""):
    """The condition that a meeting's agenda is published and the meeting not cancelled, as a Q on the
    meeting reached by `through` ("agenda_item__meeting__", "meeting__"; "" for meetings themselves).

    A query about reports or items tests the meeting it joins, rather than `meeting__in=` every
    published meeting, which SQLite lists whole for each query: a cost that grows with the meetings
    (0.34 against 0.18 ms for a search's gate at 10,000 reports)."""
    return Q(**{f"{through}agenda_published_at__isnull": False}) & ~Q(**{f"{through}status": Meeting.Status.CANCELLED})


class MeetingQuerySet(models.QuerySet):
    def published(self):
        """Meetings whose agenda the public may see."""
        return self.filter(published_meeting())

    def upcoming(self):
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")


class Meeting(models.Model):
    """One sitting of a board, on a date, at a venue."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        AGENDA_PUBLISHED = "agenda_published", "Agenda published"
        HELD = "held", "Held"
        MINUTES_APPROVED = "minutes_approved", "Minutes approved"
        CANCELLED = "cancelled", "Cancelled"

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField("date and time")
    venue = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    is_special = models.BooleanField(
        "special meeting", default=False, help_text="Convened for particular business (a call-in), outside the cycle."
    )
    agenda_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    agenda_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    agenda_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every change to the agenda; packs are built for a version."
    )
    # Calendars tell a changed event from its older copy by SEQUENCE and DTSTAMP (RFC 5545): these
    # count and date every change a calendar shows besides the agenda's version (time, venue, board,
    # its name, publication, cancellation), kept by save() below and Board.save() whoever makes the change (a service, the admin, a rename).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    calendar_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.board}, {self.date_display}"

    def save(self, *args, **kwargs):
        """Save; a change a calendar shows raises `calendar_sequence` and dates `calendar_changed_at`.

        Kept here rather than in each service because any writer of a meeting (the admin too) would
        otherwise leave calendar apps showing the old time or venue for good.
        """
        loaded = getattr(self, "_calendar_as_loaded", None)
        if loaded is not None:
            now = self._calendar_view()
            details_changed = now[0] != loaded[0] or (now[1] is not None and now[1] != loaded[1])
            if details_changed or now[2] != loaded[2]:
                if details_changed:
                    self.calendar_sequence += 1
                self.calendar_changed_at = timezone.now()
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "calendar_sequence", "calendar_changed_at"}
        super().save(*args, **kwargs)
        self._calendar_as_loaded = self._calendar_view()

    def get_absolute_url(self):
        return reverse("boards:meeting", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        meeting = super().from_db(db, field_names, values)
        meeting._calendar_as_loaded = meeting._calendar_view()
        return meeting

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._calendar_as_loaded = self._calendar_view()

    def _calendar_view(self):
        """What a calendar event of this meeting shows, as far as this row holds it."""
        fields = self.__dict__
        return (
            tuple(fields.get(name) for name in ("starts_at", "venue", "board_id", "agenda_published_at")),
            fields.get("status") == self.Status.CANCELLED if "status" in fields else None,
            fields.get("agenda_version"),
        )

    @property
    def ical_sequence(self):
        """SEQUENCE of its calendar event: rises with every change to the agenda and every other change a calendar shows."""
        return self.agenda_version + self.calendar_sequence

    @property
    def date(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def date_display(self):
        """The date as the council prints it: "Wednesday 14 September 2022"."""
        return clock.in_words(self.date)

    @property
    def time_display(self):
        """The time as the council prints it: "2.00 pm"."""
        t = timezone.localtime(self.starts_at)
        return f"{t.hour % 12 or 12}.{t:%M} {'am' if t.hour < 12 else 'pm'}"

    @property
    def is_published(self):
        return self.agenda_published_at is not None

    @property
    def publication_deadline(self):
        """The last working day the agenda can be published: 5 clear working days before the meeting."""
        return clock.publication_deadline(self.date)

    @property
    def report_deadline(self):
        """The day reports must be ready: the board's number of working days before publication."""
        return clock.working_days_before(self.publication_deadline, self.board.report_deadline_days)

    @property
    def clear_days_left(self):
        """Clear working days between today and the meeting: what publishing the agenda today would give."""
        return clock.clear_working_days_between(timezone.localdate(), self.date)

    @property
    def approval_due(self):
        """The day a report for this meeting must be approved by: REPORT_APPROVAL_DUE_WORKING_DAYS working
        days before the report deadline (on it, by default)."""
        return clock.working_days_before(self.report_deadline, settings.REPORT_APPROVAL_DUE_WORKING_DAYS)

    @property
    def sign_off_due(self):
        """The day a report for this meeting must be signed off by: REPORT_SIGN_OFF_DUE_WORKING_DAYS working
        days before its approval is due."""
        return clock.working_days_before(self.approval_due, settings.REPORT_SIGN_OFF_DUE_WORKING_DAYS)


class Supplement(models.Model):
    """A supplementary agenda: items added after the agenda was published, issued together with their own packs.

    The published agenda's packs never take in a later item; it waits in the meeting's open
    supplement (not yet public) until democratic services publish that supplement.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="supplements")
    number = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_supplement_per_number")]

    def __str__(self):
        return f"{self.title}: {self.meeting}"

    @property
    def title(self):
        return f"Supplementary agenda {self.number}"

    @property
    def is_published(self):
        return self.published_at is not None


class AgendaItemQuerySet(models.QuerySet):
    def issued(self):
        """Items on the agenda as published: not those waiting for their supplement to be published."""
        return self.filter(Q(supplement__isnull=True) | Q(supplement__published_at__isnull=False))


class AgendaItem(models.Model):
    """One numbered item on a meeting's agenda: a standard item, a report, or another item.

    An item for a report has no exemption of its own: whether it is exempt, under which
    paragraphs, and so its part of the agenda, are read from the report each time (DESIGN 6).
    Other items (and a cancelled meeting's item whose report was deferred) keep their own.
    """

    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard item"
        REPORT = "report", "Report"
        OTHER = "other", "Other item"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    report = models.OneToOneField(
        "reports.Report", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_item"
    )
    own_is_exempt = models.BooleanField(
        "exempt (Part 2)",
        default=False,
        help_text="For an item without a report only: the press and public are excluded. "
        "An item for a report is exempt when its report is.",
    )
    own_exempt_paragraph = models.PositiveSmallIntegerField(
        "Schedule 12A paragraph",
        null=True,
        blank=True,
        choices=[(n, f"Paragraph {n}") for n in range(1, 8)],
        help_text="For an exempt item without a report only.",
    )
    is_late = models.BooleanField(default=False, editable=False)
    supplement = models.ForeignKey(
        Supplement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        editable=False,
        help_text="Added after the agenda was published: the supplementary agenda it is issued in.",
    )
    urgency_reason = models.TextField(
        "reason for urgency", blank=True, help_text="Why a late item cannot wait for the next meeting."
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decision = models.TextField(
        blank=True, help_text="What the board resolved on the item, recorded by democratic services after the meeting."
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        # The agenda's numbering (Part 1, then Part 2) depends on the reports' exemption as it is
        # now: boards.selectors.numbered_items works it out; this is only the order of positions.
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(own_exempt_paragraph__isnull=True)
                | Q(own_exempt_paragraph__gte=1, own_exempt_paragraph__lte=7),
                name="item_paragraph_of_schedule_12a",
            ),
            models.CheckConstraint(
                condition=Q(report__isnull=True) | Q(own_is_exempt=False, own_exempt_paragraph__isnull=True),
                name="report_item_has_no_exemption_of_its_own",
                violation_error_message="An item for a report takes its exemption from the report.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_exempt(self):
        """Whether the item is in Part 2, read from its report now; a report not yet classified counts as exempt."""
        if self.report_id:
            return self.report.is_exempt is not False
        return self.own_is_exempt

    @property
    def exempt_paragraphs(self):
        """The Schedule 12A paragraphs the item is exempt under (from its report now), [] when public."""
        if not self.is_exempt:
            return []
        if self.report_id:
            return self.report.exempt_paragraph_list
        return [self.own_exempt_paragraph] if self.own_exempt_paragraph else []

    @property
    def exempt_paragraphs_display(self):
        """ "paragraph 3" or "paragraphs 1 and 3", as the agenda and notices print it; "" when none is named."""
        return paragraphs_display(self.exempt_paragraphs)

    @property
    def exempt_grounds(self):
        """ "by virtue of paragraph 3 of Part 1 of Schedule 12A ...", as every notice prints it."""
        return exempt_grounds(self.exempt_paragraphs)

    @property
    def part(self):
        return 2 if self.is_exempt else 1


class MeetingEvent(models.Model):
    """A step in a meeting's life or a change to its agenda: who did what, when, and to which item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    # The item changed, while it exists; the note names it, so the row still reads once it is removed.
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    LABELS = {
        "scheduled": "Scheduled",
        "moved": "Moved (date, time or venue)",
        "report_added": "Report placed on the agenda",
        "item_added": "Item added to the agenda",
        "item_removed": "Item taken off the agenda",
        "reordered": "Agenda reordered",
        "agenda_published": "Agenda published",
        "cancelled": "Cancelled",
        "held": "Recorded as held",
        "decision_recorded": "Decision recorded",
        "minutes_approved": "Minutes approved",
    }

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.meeting}: {self.label}"

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())


STANDARD_ITEMS = [
    ("Apologies for Absence", ""),
    (
        "Declarations of Interest",
        "Members are requested at a meeting where a disclosable pecuniary interest or personal interest "
        "arises, which is not already included in their Register of Members' Interests, to declare any "
        "interests that relate to an item on the agenda.",
    ),
    ("Minutes of the Previous Meeting", "Minutes of the meeting held on the previous occasion."),
]

EXCLUSION_RESOLUTION = (
    "That, under Section 100(A) of the Local Government Act 1972, the press and public be excluded from "
    "the meeting for the following items of business on the grounds that they involve the likely "
    "disclosure of exempt information as defined in the paragraphs of Part 1 of Schedule 12A to the Act "
    "shown against each item, and that the public interest in maintaining the exemption outweighs the "
    "public interest in disclosing the information."
)


class AgendaPack(models.Model):
    """A built agenda pack PDF: the public edition or the members' edition of a meeting's papers.

    The file is the last good build; while a newer one builds, it is still offered.
    """

    class Edition(models.TextChoices):
        PUBLIC = "public", "Public pack"
        MEMBERS = "members", "Members' pack"
        FRONT_SHEET = "front", "Agenda front sheet"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to build"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    supplement = models.ForeignKey(
        Supplement, on_delete=models.CASCADE, null=True, blank=True, related_name="packs", editable=False
    )
    edition = models.CharField(max_length=10, choices=Edition.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent of the current build done.")
    file = models.FileField(upload_to="packs/", blank=True)
    content_key = models.CharField(max_length=64, blank=True, help_text="What the stored file was built from.")
    wanted_key = models.CharField(max_length=64, blank=True, help_text="What the next build must reflect.")
    page_count = models.PositiveIntegerField(default=0)
    front_pages = models.PositiveSmallIntegerField(default=1, help_text="The front sheet's length last time.")
    size = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Builds started for what is wanted now; after PACK_BUILD_ATTEMPTS it is failed."
    )
    lease_token = models.CharField(max_length=32, blank=True, editable=False, help_text="The build at work on it.")
    lease_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Renewed while its build runs; once past, it is taken back."
    )
    reports_in_full = models.JSONField(
        default=list, blank=True, help_text="The reports whose text the stored file holds (not as exempt notices)."
    )
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="The published edition's number: raised by each correction after publication."
    )
    revisions = models.JSONField(
        default=list, blank=True, help_text="Each correction after publication: [date, what changed]."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "edition"], condition=Q(supplement__isnull=True), name="one_pack_per_edition"
            ),
            models.UniqueConstraint(
                fields=["supplement", "edition"],
                condition=Q(supplement__isnull=False),
                name="one_supplement_pack_per_edition",
            ),
        ]

    def __str__(self):
        where = f"{self.supplement.title}, " if self.supplement_id else ""
        return f"{self.get_edition_display()}: {where}{self.meeting}"

    @property
    def is_stale(self):
        return self.content_key != self.wanted_key

    @property
    def revision_notes(self):
        """The corrections since publication as (date, edition, what changed), oldest first."""
        return [(datetime.date.fromisoformat(on), revision, change) for on, revision, change in self.revisions]

    @property
    def is_retrying(self):
        """Waiting to be built again after a build that failed or stopped."""
        return self.state in {self.State.QUEUED, self.State.BUILDING} and bool(self.error)

    @property
    def attempt_now(self):
        """The number of the build under way, or of the next one while it waits."""
        return self.attempts if self.state == self.State.BUILDING else self.attempts + 1

    @property
    def max_attempts(self):
        return settings.PACK_BUILD_ATTEMPTS

    def holds_exempt_text(self):
        """Whether the stored file holds the text of a report that is exempt now (or not yet classified).

        A public edition built while a report was public is never served once the report is
        exempt, even while the rebuild that replaces it is waiting or running.
        """
        if self.edition == self.Edition.MEMBERS or not self.reports_in_full:
            return False
        return Report.objects.filter(pk__in=self.reports_in_full).exclude(is_exempt=False).exists()


class WorkerQuerySet(models.QuerySet):
    def live(self, now=None):
        """Workers whose last heartbeat is recent enough that their work is theirs."""
        now = now or timezone.now()
        return self.filter(seen_at__gte=now - timezone.timedelta(seconds=settings.WORKER_LOST_AFTER))


class Worker(models.Model):
    """A background worker process (`manage.py run_worker`) as its last heartbeat left it."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, help_text="Its last heartbeat.")
    task_id = models.CharField(max_length=64, blank=True, help_text="The task it is running, if any.")
    last_error = models.TextField(blank=True, help_text="The last error its loop met, for the health check.")
    last_error_at = models.DateTimeField(null=True, blank=True)

    objects = WorkerQuerySet.as_manager()

    def __str__(self):
        return f"{self.host} pid {self.pid} ({self.worker_id})"


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000


def validate_logo(file):
    """A logo must be a PNG or JPEG image of sensible size, checked by its content, not its name."""
    from PIL import Image, UnidentifiedImageError

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(f"The logo is {file.size / 1024 / 1024:.1f} MB; it can be at most 1 MB.")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        raise ValidationError("The logo must be a PNG or JPEG image.")
    try:
        with Image.open(file) as image:
            width, height = image.size
            if max(width, height) > LOGO_MAX_SIDE:
                raise ValidationError(
                    f"The logo is {width} x {height} pixels; it can be at most {LOGO_MAX_SIDE} pixels on a side."
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("The logo could not be read as an image; it may be damaged.") from None
    finally:
        file.seek(0)


class Council(models.Model):
    """The council's branding on every report, front sheet and pack: one row, edited by an administrator."""

    name = models.CharField(
        max_length=200, blank=True, help_text="As printed on every PDF. Blank: the COUNCIL_NAME setting."
    )
    address = models.TextField(blank=True, help_text="Printed on agenda front sheets.")
    logo = models.FileField(
        upload_to="council/",
        blank=True,
        validators=[validate_logo],
        help_text="A PNG or JPEG of at most 1 MB, printed beside the council's name. Optional.",
    )
    logo_alt = models.CharField(
        "logo's alternative text",
        max_length=200,
        blank=True,
        help_text="What the logo says or shows, for people who cannot see it (required with a logo).",
    )
    democratic_services_name = models.CharField(
        "democratic services contact", max_length=200, blank=True, help_text="A person or a team."
    )
    democratic_services_phone = models.CharField("democratic services telephone", max_length=40, blank=True)
    democratic_services_email = models.EmailField("democratic services email", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "council branding"
        verbose_name_plural = "council branding"

    def __str__(self):
        return self.display_name

    @classmethod
    def current(cls):
        """The council's branding: the saved row, or the defaults (COUNCIL_NAME, no logo) until one is saved."""
        return cls.objects.order_by("pk").first() or cls()

    def clean(self):
        if self.logo and not self.logo_alt.strip():
            raise ValidationError({"logo_alt": "Say what the logo shows, for people who cannot see it."})

    @property
    def display_name(self):
        return self.name.strip() or settings.COUNCIL_NAME

    @property
    def fingerprint(self):
        """Everything of the branding that a PDF prints, for the keys of stored PDFs."""
        return [
            self.display_name,
            self.address,
            self.logo.name if self.logo else "",
            self.logo_alt,
            self.democratic_services_name,
            self.democratic_services_phone,
            self.democratic_services_email,
        ]
