import datetime
import functools
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import connections, models, router
from django.db.models import Exists, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from simple_history import signals
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from accounts.models import StandIn
from config.periods import in_force_on
from config.rows import read_row
from reports.html import numbered_sections, sanitize_html

# Schedule 12A to the Local Government Act 1972, Part 1 (England): descriptions of exempt information.
SCHEDULE_12A_PARAGRAPHS = {
    1: "Information relating to any individual.",
    2: "Information which is likely to reveal the identity of an individual.",
    3: "Information relating to the financial or business affairs of any particular person "
    "(including the authority holding that information).",
    4: "Information relating to any consultations or negotiations, or contemplated consultations or "
    "negotiations, in connection with any labour relations matter arising between the authority or a "
    "Minister of the Crown and employees of, or office holders under, the authority.",
    5: "Information in respect of which a claim to legal professional privilege could be maintained in "
    "legal proceedings.",
    6: "Information which reveals that the authority proposes to give under any enactment a notice under "
    "or by virtue of which requirements are imposed on a person; or to make an order or direction under "
    "any enactment.",
    7: "Information relating to any action taken or to be taken in connection with the prevention, "
    "investigation or prosecution of crime.",
}


def paragraphs_display(paragraphs):
    """Paragraphs of Schedule 12A as printed: "paragraph 3", "paragraphs 1, 2 and 3", or "" for none."""
    paragraphs = [str(p) for p in paragraphs]
    if not paragraphs:
        return ""
    if len(paragraphs) == 1:
        return f"paragraph {paragraphs[0]}"
    return "paragraphs " + ", ".join(paragraphs[:-1]) + f" and {paragraphs[-1]}"


def internal_consultations_sentence(sign_offs):
    """Block (A) Internal Consultations as printed: who signed off, with their references."""
    parts = [f"the {s.officer_title} ({s.reference})" for s in sign_offs]
    if not parts:
        return ""
    parts[0] = parts[0][0].upper() + parts[0][1:]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb = "has" if len(parts) == 1 else "have"
    return f"{joined} {verb} been consulted and any comments have been incorporated into the report."


def is_internal_consultations_sentence(text):
    """Whether `text` is the sentence internal_consultations_sentence writes, as printed on any report
    (its officers and references aside): an imported report's (A) block, written again from its own sign-offs."""
    flat = " ".join((text or "").split()).lower()
    return bool(
        re.match(
            r"^the .{3,400} (?:has|have) been consulted and any comments have been incorporated into the report\.?$",
            flat,
        )
    )


def appendix_letter(index):
    """The letter of the appendix at `index` (0 first): A, B, C ... Z, then 27, 28 ..."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


# Where the grounds for excluding the public are written: every sentence naming them ends with this.
SCHEDULE_12A = "Part 1 of Schedule 12A of the Local Government Act 1972"


def exempt_grounds(paragraphs):
    """The grounds for not publishing, as every notice prints them after "not for publication":
    "by virtue of paragraph 3 of Part 1 of Schedule 12A of the Local Government Act 1972"."""
    which = paragraphs_display(paragraphs)
    return f"by virtue of {which + ' of ' if which else ''}{SCHEDULE_12A}"


SCHEDULE_12A_CHOICES = [(n, f"Paragraph {n}: {text}") for n, text in SCHEDULE_12A_PARAGRAPHS.items()]


class ReferenceItem(models.Model):
    """Common shape of an administrator-maintained list: a name, a place in the list, active or not."""

    name = models.CharField(max_length=200, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Ward(ReferenceItem):
    """An electoral ward of the council's area."""

    class Meta(ReferenceItem.Meta):
        ordering = ["name"]


class Portfolio(ReferenceItem):
    """A Cabinet portfolio under which a decision falls."""


class Directorate(ReferenceItem):
    """A directorate of the council (Public Health, Corporate Resources, ...)."""


class Post(models.Model):
    """An officer's post that reports are "Report of" (Director of Public Health).

    The post's holder approves its reports.
    """

    title = models.CharField(max_length=200, unique=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.SET_NULL, null=True, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        help_text="Approves the reports made in this post's name.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class ConsulteeKind(models.Model):
    """A statutory consultee who signs reports off with a reference (finance: FD, legal: LD)."""

    name = models.CharField(max_length=100, unique=True)
    officer_title = models.CharField(
        max_length=200, help_text="Printed in the report: 'The Chief Legal and Democratic Officer (LD.5132/22)'."
    )
    prefix = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{1,5}$", "Use one to five capital letters, e.g. FD.")],
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="consultee_kinds", help_text="Who may sign off."
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"


class ImplicationType(ReferenceItem):
    """A row of the report's implications matrix (Legal Implications, Equality Implications, ...)."""


class CorePurpose(ReferenceItem):
    """One of the council's core purposes a report says it contributes to."""


# The report template's blocks in order: (the editor's anchor "block-<key>", the side list's label, the
# fields of Report.missing_items that make the block up). The editor's side list, its ticks and "Check
# completeness" all read this: a block is complete when none of its fields is missing.
TEMPLATE_BLOCKS = [
    (
        "header",
        "Header",
        {
            "id_board",
            "id_meeting",
            "id_subject",
            "id_report_of",
            "id_all_wards",
            "id_portfolio",
            "id_is_key_decision_0",
            "id_in_forward_plan_0",
            "id_forward_plan_date",
            "id_is_exempt_0",
            "id_exempt_paragraphs_0",
            "id_release_review_on",
            "id_release_condition",
        },
    ),
    ("summary", "Summary", {"id_summary"}),
    ("recommendations", "Recommendation(s)", {"recommendations"}),
    ("reasons", "Reasons", {"id_reasons"}),
    ("alternatives", "Alternative options", {"id_alternatives"}),
    ("costs", "Costs", {"id_revenue_costs", "id_capital_costs"}),
    ("implications", "Implications", {"block-implications"}),
    ("climate", "Climate emergency", {"id_climate_impact_0", "id_climate_training_0", "id_climate_explanation"}),
    ("core-purpose", "Core purpose", {"block-core-purpose"}),
    ("consultations", "Consultations", {"id_external_consultations"}),
    ("implementation", "Implementation date", {"id_implementation_date"}),
    ("contact", "Contact", {"id_contact_officer", "id_contact_phone", "id_contact_email"}),
    ("appendices", "Appendices", {"block-appendices"}),  # optional, but none may have failed to convert
    ("background", "Background papers", set()),  # optional: "None" is often left unsaid
    ("body", "Body", {"sections"}),
]


def _visible_condition(user):
    """The rule of `ReportQuerySet.visible_to` for a signed-in user who does not see everything, as a Q on a report."""
    today = timezone.localdate()
    # A correction of a published report is its author's and democratic services' alone, like a draft.
    at_or_after_consultation = ~Q(status__in=[Report.Status.DRAFT, Report.Status.CORRECTION])
    q = Q(author=user)
    q |= Q(report_of__holder=user) & at_or_after_consultation
    q |= Q(report_of__in=StandIn.objects.in_force(today).filter(deputy=user).values("post")) & (
        at_or_after_consultation
    )
    q |= Q(sign_offs__signed_by=user)
    if user.consultee_kinds.exists():
        q |= at_or_after_consultation
    q |= Q(
        status__in=[Report.Status.APPROVED, Report.Status.PUBLISHED],
        board__memberships__user=user,
    ) & in_force_on(today, through="board__memberships__")
    return q


def visible_to_clause(user):
    """Whether the report of the outer query is `visible_to` user, as one correlated clause to filter or
    annotate with: its cost grows with the rows it is asked about, not with every report there is."""
    if not user.is_authenticated:
        return Value(False)
    if user.sees_everything:
        return Value(True)
    return Exists(Report.objects.filter(_visible_condition(user), pk=OuterRef("pk")))


def report_row(pk, *, for_update=False):
    """The report `pk` with its own fields (no related rows) and how many live sign-offs it has
    (`live_sign_offs`), or None; locked when `for_update` (where the database locks rows).

    One plain statement (config.rows): the editor and every autosave read the report this way, where
    a queryset's compiling cost several times the statement's own work (issue 21).
    """
    live = "SELECT COUNT(*) FROM reports_signoff s WHERE s.report_id = t.id AND s.voided_at IS NULL"
    return read_row(Report, "t.id = %s", [pk], extra=[("live_sign_offs", live)], lock=for_update)


class _HistoryDescriptor(HistoryDescriptor):
    """The library's `report.history`, with its manager class made once rather than at every use."""

    @functools.cached_property
    def _manager_class(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager_class(self.model, instance)


class ReportHistory(HistoricalRecords):
    """django-simple-history's records of a report, each change's row copied by the database.

    Every autosave writes a historical row (issue 21). The library builds it in Python, field by
    field, saves it through the ORM, reads the report again for the fields the history leaves out,
    and reads and writes its wards' rows: about half of what an autosave cost. For a change ("~")
    the row is copied here from the report's row as just saved, in one statement, and the wards'
    rows in another; the same columns and values, user, date and reason as the library writes.
    Creation, deletion, and any receiver of the library's signals, go the library's way.
    """

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if sender is self.cls and type(descriptor) is HistoryDescriptor:  # the report's, just made by the library
            setattr(sender, self.manager_name, _HistoryDescriptor(descriptor.model, descriptor.manager_class,
                                                                  descriptor.queryset_class))  # fmt: skip

    def create_historical_record(self, instance, history_type, using=None):
        model = getattr(type(instance), self.manager_name).model
        connection = connections[using or router.db_for_write(model)]
        listened = any(
            signal.has_listeners(sender)
            for signal, sender in [
                (signals.pre_create_historical_record, model),
                (signals.post_create_historical_record, model),
                *((s, m) for m in self.m2m_models.values() for s in
                  (signals.pre_create_historical_m2m_records, signals.post_create_historical_m2m_records)),
            ]
        )  # fmt: skip
        if history_type != "~" or listened or not connection.features.can_return_columns_from_insert:
            return super().create_historical_record(instance, history_type, using=using)
        copy, copy_m2m = self._copy_statements(model, type(instance), connection.alias)
        history_date = getattr(instance, "_history_date", None) or timezone.now()
        user = self.get_history_user(instance)
        reason = self.get_change_reason_for_object(instance, history_type, using)
        with connection.cursor() as cursor:
            cursor.execute(
                copy,
                [connection.ops.adapt_datetimefield_value(history_date), reason, history_type,
                 getattr(user, "pk", user), instance.pk],
            )  # fmt: skip
            history_id = cursor.fetchone()[0]
            for statement in copy_m2m:
                cursor.execute(statement, [history_id, instance.pk])

    @functools.cache  # noqa: B019 - one per model and database alias, for the life of the process
    def _copy_statements(self, model, tracked, alias):
        """The INSERT ... SELECT that copies a row of `tracked` into its history `model`, and one per
        many-to-many field that copies its rows (each takes the history id and the row's pk)."""
        quote = connections[alias].ops.quote_name
        fields = self.fields_included(tracked)
        columns = [model._meta.get_field(field.name).column for field in fields]
        copy = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}, history_date, "  # noqa: S608 - names from the models
            f"history_change_reason, history_type, history_user_id) SELECT "
            f"{', '.join(quote(field.column) for field in fields)}, %s, %s, %s, %s "
            f"FROM {quote(tracked._meta.db_table)} WHERE {quote(tracked._meta.pk.column)} = %s "
            f"RETURNING history_id"
        )
        copy_m2m = []
        for field, m2m_model in self.m2m_models.items():
            through = field.remote_field.through
            copied = [f.column for f in m2m_model._meta.concrete_fields if not f.primary_key and f.name != "history"]
            source = next(f.column for f in through._meta.fields if f.related_model is tracked)
            copy_m2m.append(
                f"INSERT INTO {quote(m2m_model._meta.db_table)} (history_id, {', '.join(map(quote, copied))}) "  # noqa: S608
                f"SELECT %s, {', '.join(map(quote, copied))} FROM {quote(through._meta.db_table)} "
                f"WHERE {quote(source)} = %s"
            )
        return copy, copy_m2m


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports this user may open.

        Authors see their own reports; consultees and approvers see the reports that reach them;
        board members see reports to their boards once approved; democratic services and
        administrators see all. Nobody else sees anything.
        """
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(pk__in=self.model.objects.filter(_visible_condition(user)).values("pk"))

    def in_forward_plan(self):
        """Key decisions their authors say are in the Forward Plan, accepted by democratic services or not
        (a correction's copy aside: the report it corrects is the entry)."""
        return self.filter(is_key_decision=True, in_forward_plan=True, forward_plan_date__isnull=False).exclude(
            status=Report.Status.CORRECTION
        )

    def awaiting_forward_plan_acceptance(self):
        """Forward Plan entries democratic services have not accepted yet: not public until they are."""
        return self.in_forward_plan().filter(forward_plan_accepted_on__isnull=True)

    def exempt_on_published_agendas(self):
        """Published reports still exempt (or never classified) on an issued item of a published agenda:
        the papers democratic services review for release."""
        return (
            self.filter(status=Report.Status.PUBLISHED, agenda_item__meeting__agenda_published_at__isnull=False)
            .exclude(is_exempt=False)
            .exclude(agenda_item__meeting__status="cancelled")
            .filter(Q(agenda_item__supplement__isnull=True) | Q(agenda_item__supplement__published_at__isnull=False))
        )

    def for_release_review(self):
        """With the meeting each is on, the earliest review date first, those with none last."""
        return self.select_related("agenda_item__meeting__board").order_by(
            models.F("release_review_on").asc(nulls_last=True), "agenda_item__meeting__starts_at", "pk"
        )

    def with_parts(self):
        """With everything a report's page and PDF print, fetched in a fixed number of queries."""
        return self.select_related(
            "board", "meeting", "meeting__board", "report_of", "portfolio", "author"
        ).prefetch_related(
            "wards",
            "recommendations",
            "implications__type",
            "core_purposes__purpose",
            "sections",
            "appendices",
            models.Prefetch("sign_offs", queryset=SignOff.objects.select_related("kind")),
        )

    def with_latest_return(self):
        """With each report's return events prefetched, newest first, for `Report.latest_return` to read."""
        returns = (
            ReportEvent.objects.filter(action="returned").select_related("actor", "on_behalf_of").order_by("-at", "-pk")
        )
        return self.prefetch_related(models.Prefetch("events", queryset=returns, to_attr="returns_newest_first"))

    def awaiting_sign_off_by(self, user):
        """Reports in consultation still missing a sign-off from one of `user`'s consultee kinds."""
        kinds = list(user.consultee_kinds.filter(is_active=True)) if user.is_authenticated else []
        if not kinds:
            return self.none()
        missing_one = Q()
        for kind in kinds:
            missing_one |= ~Exists(SignOff.objects.filter(report=OuterRef("pk"), kind=kind, voided_at__isnull=True))
        return self.filter(missing_one, status=Report.Status.CONSULTATION)

    def awaiting_approval_by(self, user):
        """Signed-off reports "Report of" a post `user` holds, or stands in for today (their own reports
        aside: a stand-in never approves what they wrote)."""
        if not user.is_authenticated:
            return self.none()
        standing_in = StandIn.objects.in_force().filter(deputy=user).values("post")
        return self.filter(status=Report.Status.SIGNED_OFF).filter(
            Q(report_of__holder=user) | (Q(report_of__in=standing_in) & ~Q(author=user))
        )

    def on_their_way(self):
        """Reports naming a meeting still to come (not cancelled), not yet approved: those with due dates."""
        start_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
        return self.filter(
            status__in=Report.ON_THE_WAY, meeting__isnull=False, meeting__starts_at__gte=start_of_today
        ).exclude(meeting__status="cancelled")

    def returned(self):
        """Drafts a consultee sent back and the author has not resubmitted yet.

        A return is the only way back to draft and a submission the only way out, so a draft
        with any return in its past is waiting on its author's changes.
        """
        return self.filter(status=Report.Status.DRAFT).filter(
            Exists(ReportEvent.objects.filter(report=OuterRef("pk"), action="returned"))
        )


class Report(models.Model):
    """A committee report on the council's template: the header grid, the blocks and the body."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONSULTATION = "consultation", "In consultation"
        SIGNED_OFF = "signed_off", "Signed off"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        # A copy of a published report being corrected (reports.services.report_open_correction): edited
        # by its author and democratic services, seen by no one else, never on an agenda or in a pack.
        CORRECTION = "correction", "Correction being made"

    # On its way to a meeting: not yet approved (DESIGN section 3), so it has sign-off and approval due dates.
    ON_THE_WAY = (Status.DRAFT, Status.CONSULTATION, Status.SIGNED_OFF)

    class ClimateImpact(models.TextChoices):
        POSITIVE = "positive", "Have a positive impact"
        NEUTRAL = "neutral", "Have a neutral impact"
        NEGATIVE = "negative", "Have a negative impact"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every save; a save from an older version is refused."
    )
    edition = models.PositiveIntegerField(
        default=1, editable=False, help_text="The published edition: 1 when published, raised by each correction."
    )

    # Header grid
    board = models.ForeignKey(
        "boards.Board",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="Report to",
    )
    meeting = models.ForeignKey(
        "boards.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="Date of Meeting",
    )
    subject = models.CharField("Subject", max_length=250, blank=True)
    report_of = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True, verbose_name="Report of")
    all_wards = models.BooleanField("All Wards", default=False)
    wards = models.ManyToManyField(Ward, blank=True, verbose_name="Wards Affected")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, null=True, blank=True, verbose_name="Portfolio")
    is_key_decision = models.BooleanField("Is this a Key Decision", null=True, blank=True)
    in_forward_plan = models.BooleanField("Included in Forward Plan", null=True, blank=True)
    forward_plan_date = models.DateField("Date it entered the Forward Plan", null=True, blank=True)
    is_exempt = models.BooleanField("Exempt / Confidential Report", null=True, blank=True)
    exempt_paragraphs = models.JSONField(
        "Schedule 12A paragraph(s)", default=list, blank=True, help_text="Paragraph numbers 1 to 7."
    )
    # When an exempt report is looked at again for release, and on what condition it may be published
    # (reports.services.report_release); democratic services list the papers due (reports:exempt_papers).
    release_review_on = models.DateField("Review for release on", null=True, blank=True)
    release_condition = models.TextField(
        "Condition for release",
        blank=True,
        help_text="When the report can be published, for example “after the contract is awarded”.",
    )
    # A key decision appears on the public Forward Plan only once democratic services accept it.
    forward_plan_accepted_on = models.DateField(
        "accepted onto the Forward Plan on", null=True, blank=True, editable=False
    )
    forward_plan_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    summary = models.TextField("Summary", blank=True)
    reasons = models.TextField("Reasons for the Recommendation(s)", blank=True)
    alternatives = models.TextField(
        "Alternative Options Considered and Rejected (including any Risk Implications)", blank=True
    )
    revenue_costs = models.TextField("(A) Revenue Costs", blank=True)
    capital_costs = models.TextField("(B) Capital Costs", blank=True)

    climate_impact = models.CharField(
        "The recommendations within this report will", max_length=10, choices=ClimateImpact.choices, blank=True
    )
    climate_training = models.BooleanField(
        "The Author has undertaken the Climate Emergency training for report authors", null=True, blank=True
    )
    climate_explanation = models.TextField("Climate Emergency Implications: explanation", blank=True)

    external_consultations = models.TextField("(B) External Consultations", blank=True)
    implementation_date = models.TextField("Implementation Date for the Decision", blank=True)
    contact_officer = models.CharField("Contact Officer", max_length=200, blank=True)
    contact_phone = models.CharField("Telephone Number", max_length=40, blank=True)
    contact_email = models.EmailField("Email Address", blank=True)
    background_papers = models.TextField("Background Papers", blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    # The stored PDF of an approved report, and the version it was rendered from.
    pdf_file = models.FileField(upload_to="reports/pdf/", blank=True, editable=False)
    pdf_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    pdf_key = models.CharField(max_length=64, blank=True, editable=False, help_text="What the stored PDF prints.")

    # The editor page (one browser tab) that saved the current version: a later save from the same
    # page that crossed it in flight is not someone else's change (reports.services.report_save_draft).
    editor_page = models.CharField(max_length=32, blank=True, editable=False)
    # Autosaves coalesce: within one editing session (one page of one user, typing without a
    # 10-minute pause, on a draft) they update the current version in place, each one raising
    # `revision` instead of `version`; the version and revision a page saw are its lock together.
    revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="Autosaves folded into the current version; 0 when a version is made."
    )
    autosaved_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the current version was last autosaved; None: closed."
    )
    autosaved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    history = ReportHistory(
        excluded_fields=[
            "pdf_file", "pdf_version", "pdf_key", "editor_page", "forward_plan_accepted_on", "forward_plan_accepted_by",
            "autosaved_at", "autosaved_by",
        ],
        m2m_fields=[wards],
    )  # fmt: skip
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exempt_paragraphs__isnull=False), name="report_exempt_paragraphs_not_null"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    def validate_constraints(self, exclude=None):
        # An autosave's form has only the fields typed in: Django would compile the check of the one
        # constraint, on exempt_paragraphs, before finding that field excluded, on every autosave.
        if exclude and "exempt_paragraphs" in exclude:
            return
        super().validate_constraints(exclude=exclude)

    @property
    def title(self):
        return self.subject or "Untitled report"

    @property
    def is_editable(self):
        """Reports can be edited until they are approved; a correction of a published one until it is republished."""
        return self.status in {
            self.Status.DRAFT, self.Status.CONSULTATION, self.Status.SIGNED_OFF, self.Status.CORRECTION,
        }  # fmt: skip

    @property
    def is_correction(self):
        """Whether this is the copy a published report is corrected on (`Correction.draft`)."""
        return self.status == self.Status.CORRECTION

    @property
    def edition_notes(self):
        """Its republished corrections, oldest first (Correction.edition_note): none while in its first edition."""
        if self.edition <= 1 or self.pk is None:
            return []
        return list(self.corrections.filter(status=Correction.Status.REPUBLISHED).order_by("edition"))

    @property
    def open_correction(self):
        """The correction being made of this published report, or None."""
        if self.status != self.Status.PUBLISHED:
            return None
        return self.corrections.filter(status=Correction.Status.OPEN).select_related("draft").first()

    @property
    def exempt_paragraph_list(self):
        return sorted(int(p) for p in self.exempt_paragraphs or [])

    @property
    def exempt_notice(self):
        """The banner printed on every page of an exempt report, or "" when it is public."""
        if not self.is_exempt:
            return ""
        return f"NOT FOR PUBLICATION {exempt_grounds(self.exempt_paragraph_list)}"

    @property
    def is_on_forward_plan(self):
        """Whether the report is a key decision on the Forward Plan that democratic services have accepted."""
        return bool(
            self.is_key_decision and self.in_forward_plan and self.forward_plan_date and self.forward_plan_accepted_on
        )

    @property
    def forward_plan_notice_date(self):
        """The day the public was first given notice: the later of the date typed and the clerk's acceptance."""
        if not self.is_on_forward_plan:
            return None
        return max(self.forward_plan_date, self.forward_plan_accepted_on)

    @property
    def wards_display(self):
        if self.all_wards:
            return "All Wards"
        return ", ".join(w.name for w in self.wards.all())

    @property
    def is_on_its_way(self):
        """Whether it names a meeting still to come (not cancelled) and is not approved yet: it has due dates."""
        return (
            self.status in self.ON_THE_WAY
            and self.meeting_id is not None
            and self.meeting.status != "cancelled"
            and self.meeting.date >= timezone.localdate()
        )

    @property
    def sign_off_due(self):
        """The day its sign-offs are due, from its meeting's report deadline; None when it is not on its way."""
        return self.meeting.sign_off_due if self.is_on_its_way else None

    @property
    def approval_due(self):
        """The day its approval is due, from its meeting's report deadline; None when it is not on its way."""
        return self.meeting.approval_due if self.is_on_its_way else None

    @property
    def next_due(self):
        """The due date of the step it waits for: sign-offs while a draft or in consultation, then approval."""
        if not self.is_on_its_way:
            return None
        return self.approval_due if self.status == self.Status.SIGNED_OFF else self.sign_off_due

    @property
    def is_overdue(self):
        due = self.next_due
        return due is not None and due < timezone.localdate()

    @property
    def meeting_date_display(self):
        return self.meeting.date_display if self.meeting_id else ""

    def is_party(self, user):
        """Whether `user` has a part in making this report: author, consultee, approver or democratic services.

        Board members and the public read the finished report; only a party sees its drafts' history.
        """
        if not user.is_authenticated:
            return False
        return (
            user.sees_everything
            or self.author_id == user.pk
            or (self.report_of_id is not None and self.report_of.holder_id == user.pk)
            or user.consultee_kinds.exists()
        )

    @property
    def latest_return(self):
        """The consultee's return event the author still has to act on, or None."""
        if self.pk is None or self.status != self.Status.DRAFT:
            return None
        if hasattr(self, "returns_newest_first"):  # ReportQuerySet.with_latest_return
            return next(iter(self.returns_newest_first), None)
        return (
            self.events.filter(action="returned").select_related("actor", "on_behalf_of").order_by("-at", "-pk").first()
        )

    def active_sign_offs(self):
        return [s for s in self.sign_offs.all() if s.voided_at is None]

    def internal_consultations_text(self):
        """The sentence of block (A) Internal Consultations, built from the live sign-offs."""
        return internal_consultations_sentence(self.active_sign_offs())

    def numbered_sections(self, *, sanitise=False):
        """The body as shown and printed: (number, section, html), paragraphs and figures numbered."""
        return numbered_sections(self.sections.all(), report_id=self.pk, sanitise=sanitise)

    def implication_rows(self):
        """The implications matrix as printed: a row for every active type, blank where nothing was
        written (as the seed prints them), and any retired type this report has words for."""
        return _a_row_per_item(self.implications.all(), ImplicationType, Implication, "type")

    def core_purpose_rows(self):
        """The core purposes as printed: every active one, and any retired one with words."""
        return _a_row_per_item(self.core_purposes.all(), CorePurpose, CorePurposeContribution, "purpose")

    def missing_items(self):
        """What must be filled in before the report can be submitted: (field id, message) pairs."""
        missing = []

        def need(condition, field, message):
            if not condition:
                missing.append((field, message))

        need(self.board_id, "id_board", "Enter who the report is to (Report to)")
        need(self.meeting_id, "id_meeting", "Choose the Date of Meeting")
        need(self.subject.strip(), "id_subject", "Enter the Subject")
        need(self.report_of_id, "id_report_of", "Choose who the report is of (Report of)")
        if self.report_of_id:
            need(
                self.report_of.holder_id,
                "id_report_of",
                f"No one holds the post of {self.report_of} (Report of), so no one could approve the report: "
                "choose another post, or ask an administrator to name its holder",
            )
        need(self.all_wards or self.wards.exists(), "id_all_wards", "Choose the Wards Affected, or All Wards")
        need(self.portfolio_id, "id_portfolio", "Choose the Portfolio")
        need(self.is_key_decision is not None, "id_is_key_decision_0", "Say whether this is a Key Decision")
        need(self.in_forward_plan is not None, "id_in_forward_plan_0", "Say whether it is Included in Forward Plan")
        if self.is_key_decision and self.in_forward_plan:
            need(self.forward_plan_date, "id_forward_plan_date", "Enter the date it entered the Forward Plan")
        need(self.is_exempt is not None, "id_is_exempt_0", "Say whether this is an Exempt / Confidential Report")
        if self.is_exempt:
            need(self.exempt_paragraphs, "id_exempt_paragraphs_0", "Choose the Schedule 12A paragraph(s)")
            need(
                self.release_review_on,
                "id_release_review_on",
                "Enter the date the exempt report is to be reviewed for release",
            )
            need(
                self.release_condition.strip(),
                "id_release_condition",
                "Say on what condition the exempt report can be published (for example after the contract is awarded)",
            )
        need(self.summary.strip(), "id_summary", "Enter the Summary")
        recommendations = list(self.recommendations.all())
        need(recommendations, "recommendations", "Add at least one Recommendation")
        need(self.reasons.strip(), "id_reasons", "Enter the Reasons for the Recommendation(s)")
        need(self.alternatives.strip(), "id_alternatives", "Enter the Alternative Options Considered and Rejected")
        need(self.revenue_costs.strip(), "id_revenue_costs", "Enter the (A) Revenue Costs")
        need(self.capital_costs.strip(), "id_capital_costs", "Enter the (B) Capital Costs")
        need(
            self.climate_impact,
            "id_climate_impact_0",
            "Say whether the recommendations will have a positive, neutral or negative impact on the climate",
        )
        need(
            self.climate_training is not None,
            "id_climate_training_0",
            "Say whether the Author has undertaken the Climate Emergency training",
        )
        need(self.climate_explanation.strip(), "id_climate_explanation", "Explain the Climate Emergency Implications")
        # A row of either matrix that does not apply may be left empty (the seed's Legal Implications
        # are), but an empty matrix says nothing: at least one row must be written.
        need(
            any(i.text.strip() for i in self.implications.all()),
            "block-implications",
            "Write at least one row of the Implications of the Proposals",
        )
        need(
            any(c.text.strip() for c in self.core_purposes.all()),
            "block-core-purpose",
            "Say what the report contributes to at least one of the Council's Core Purposes",
        )
        need(self.external_consultations.strip(), "id_external_consultations", "Enter the (B) External Consultations")
        need(
            self.implementation_date.strip(), "id_implementation_date", "Enter the Implementation Date for the Decision"
        )
        need(self.contact_officer.strip(), "id_contact_officer", "Enter the Contact Officer")
        need(self.contact_phone.strip(), "id_contact_phone", "Enter the Telephone Number")
        need(self.contact_email.strip(), "id_contact_email", "Enter the Email Address")
        sections = list(self.sections.all())
        need(sections, "sections", "Add at least one section to the body of the report")
        for index, appendix in enumerate(self.appendices.all()):
            need(
                appendix.conversion != Appendix.Conversion.FAILED,
                "block-appendices",
                f"Appendix {appendix_letter(index)} ({appendix.title}) could not be converted to PDF: "
                "remove it, or save it as PDF and upload that",
            )
        return missing

    def completed_blocks(self):
        """The keys of TEMPLATE_BLOCKS with none of their fields missing: the editor's ticks."""
        missing = {field for field, _ in self.missing_items()}
        return {key for key, _, fields in TEMPLATE_BLOCKS if not fields & missing}


class Recommendation(models.Model):
    """One numbered recommendation: "(1) The Board are asked to note the contents of the report"."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text[:80]


class Implication(models.Model):
    """The report's entry in one row of the implications matrix."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="implications")
    type = models.ForeignKey(ImplicationType, on_delete=models.PROTECT)
    text = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["type__position", "type__name"]
        constraints = [models.UniqueConstraint(fields=["report", "type"], name="one_implication_per_type")]

    def __str__(self):
        return f"{self.type}: {self.text[:60]}"


class CorePurposeContribution(models.Model):
    """What the report contributes to one of the council's core purposes."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="core_purposes")
    purpose = models.ForeignKey(CorePurpose, on_delete=models.PROTECT)
    text = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["purpose__position", "purpose__name"]
        constraints = [models.UniqueConstraint(fields=["report", "purpose"], name="one_contribution_per_purpose")]

    def __str__(self):
        return f"{self.purpose}: {self.text[:60]}"


class Section(models.Model):
    """A numbered section of the report's body: "1. Introduction" and its rich text.

    Numbered paragraphs (1.1, 1.2, ...) are the section's top-level ordered-list items; the
    number is worked out when the report is shown, so moving sections renumbers everything.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=250)
    body = models.TextField(blank=True, help_text="Sanitised HTML.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        # Whatever the route (editor, admin, fixtures), only allow-listed HTML is ever stored.
        self.body = sanitize_html(self.body, report_id=self.report_id)
        super().save(*args, **kwargs)


def appendix_upload_to(appendix, filename):
    # The stored name never carries what the user called the file: it may hold exempt words.
    return f"reports/appendices/{appendix.report_id}/{timezone.now():%Y%m%d%H%M%S%f}.pdf"


OFFICE_FORMAT_NAMES = {
    "docx": "Word",
    "doc": "Word 97-2003",
    "xlsx": "Excel",
    "xls": "Excel 97-2003",
    "pptx": "PowerPoint",
    "odt": "OpenDocument text",
    "ods": "OpenDocument spreadsheet",
    "odp": "OpenDocument presentation",
}


def appendix_original_upload_to(appendix, filename):
    # The office file as uploaded, under a name of ours with its format's extension.
    return f"reports/appendices/{appendix.report_id}/originals/{timezone.now():%Y%m%d%H%M%S%f}.{appendix.source_format}"


def appendix_thumbnail_upload_to(appendix, filename):
    return f"reports/appendices/{appendix.report_id}/thumbnails/{timezone.now():%Y%m%d%H%M%S%f}.png"


class Appendix(models.Model):
    """A PDF appended to the report, with its title; an office file is kept too, converted to that PDF."""

    class Conversion(models.TextChoices):
        NOT_NEEDED = "", "Uploaded as PDF"
        PENDING = "pending", "Waiting to be converted to PDF"
        CONVERTING = "converting", "Being converted to PDF"
        DONE = "done", "Converted to PDF"
        FAILED = "failed", "Could not be converted to PDF"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="appendices")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=250)
    file = models.FileField(
        upload_to=appendix_upload_to, blank=True, help_text="The PDF; empty while an office file is converted."
    )
    original = models.FileField(
        upload_to=appendix_original_upload_to,
        blank=True,
        help_text="The office file as uploaded (reports.officeconvert).",
    )
    source_format = models.CharField(max_length=10, blank=True, help_text="docx, xlsx, ... ; empty for a PDF.")
    conversion = models.CharField(max_length=12, choices=Conversion.choices, blank=True, default=Conversion.NOT_NEEDED)
    thumbnail = models.FileField(
        upload_to=appendix_thumbnail_upload_to, blank=True, help_text="The converted PDF's first page, as PNG."
    )
    original_filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)
    disarmed_version = models.PositiveSmallIntegerField(
        default=0, help_text="The version of the rules the stored file was rebuilt by (reports/pdfdisarm.py); 0: never."
    )
    problem = models.CharField(max_length=500, blank=True, help_text="Why the stored file could not be rebuilt.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "appendices"

    def __str__(self):
        return self.title

    @property
    def is_disarmed(self):
        """The stored file was rebuilt by the current rules: only then is it served or joined into a pack."""
        from reports.pdfdisarm import RULES_VERSION

        return self.disarmed_version >= RULES_VERSION

    @property
    def letter(self):
        """Appendices are lettered A, B, C ... in their order.

        Read from the report's appendices as prefetched when they were (a page listing them all),
        so each letter is not a query of its own.
        """
        index = [appendix.pk for appendix in self.report.appendices.all()].index(self.pk)
        return appendix_letter(index)

    @property
    def is_converting(self):
        """An office file still on its way to PDF: the editor's page asks again until it is not."""
        return self.conversion in (self.Conversion.PENDING, self.Conversion.CONVERTING)

    @property
    def format_name(self):
        """What the officer uploaded, in words ("Word", "Excel"); "PDF" for a PDF."""
        return OFFICE_FORMAT_NAMES.get(self.source_format, "PDF")


def figure_upload_to(figure, filename):
    # As for appendices, the stored name never carries what the user called the file.
    return f"reports/figures/{figure.report_id}/{timezone.now():%Y%m%d%H%M%S%f}.{filename.rsplit('.', 1)[-1]}"


class SearchDocument(models.Model):
    """A report's stored search document on PostgreSQL (SQLite keeps an FTS5 table instead): reports.searchindex."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    text = models.TextField(blank=True, help_text="Summary, recommendations and bodies: what extracts are cut from.")
    document = SearchVectorField(null=True)

    def __str__(self):
        return f"Search document of report {self.report_id}"


class Figure(models.Model):
    """An image in a report's body (a chart, a map, a photograph), checked and remade as PNG or JPEG.

    The body refers to it by its address (`url`), with its alternative text and caption in the
    body's own HTML; the file never changes, so a new picture is a new Figure and old versions of
    the report keep theirs.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="figures")
    file = models.FileField(upload_to=figure_upload_to)
    content_type = models.CharField(max_length=20, help_text="image/png or image/jpeg, as this app wrote it.")
    source_format = models.CharField(max_length=10, help_text="What was uploaded: png, jpeg or svg.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Figure file {self.pk} of report {self.report_id}"

    @property
    def url(self):
        return reverse("reports:figure", args=[self.report_id, self.pk])


class ReferenceSequence(models.Model):
    """The last reference number issued for a prefix in a year; locked while a number is issued."""

    prefix = models.CharField(max_length=5)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_year")]

    def __str__(self):
        return f"{self.prefix} {self.year}: {self.last_number}"


class SignOff(models.Model):
    """A consultee's sign-off of one version of a report, with the reference the system issued.

    Editing the report afterwards voids the sign-off; the row stays, so the reference is never reused.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sign_offs")
    kind = models.ForeignKey(ConsulteeKind, on_delete=models.PROTECT)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    officer_title = models.CharField(max_length=200)
    prefix = models.CharField(max_length=5)
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=30, unique=True)
    report_version = models.PositiveIntegerField(default=0)
    signed_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind__position", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "number"], name="reference_never_reused"),
            models.UniqueConstraint(
                fields=["report", "kind"], condition=Q(voided_at__isnull=True), name="one_live_sign_off_per_kind"
            ),
        ]

    def __str__(self):
        return self.reference

    @staticmethod
    def format_reference(prefix, number, year):
        return f"{prefix}.{number}/{year % 100:02d}"


class ReportEvent(models.Model):
    """A step in a report's life: who did what, when, from which state to which, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The post holder a stand-in (accounts.StandIn) acted for: “approved by X for Y”.",
    )

    # What each action is called on the report's timeline; other apps may record actions of their own.
    LABELS = {
        "created": "Created",
        "submitted": "Submitted for sign-off",
        "signed_off": "Signed off",
        "returned": "Returned to the author",
        "approved": "Approved",
        "approval_withdrawn": "Approval withdrawn",
        "published": "Published",
        "sign_offs_voided": "Sign-offs voided",
        "edited_after_sign_off": "Edited after sign-off: back to consultation",
        "exemption_changed": "Exemption changed while on an agenda",
        "forward_plan_accepted": "Accepted onto the Forward Plan",
        "released": "Released for publication",
        "release_terms_changed": "Review date or condition for release changed",
        "correction_opened": "Correction opened",
        "republished": "Corrected and republished",
        "correction_abandoned": "Correction abandoned",
    }

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.report_id} {self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())

    @property
    def by(self):
        """Who took the step, as the record says it: "Jo Bloggs", or "Jo Bloggs for Margaret Ashworth
        (Director of Public Health)" when a stand-in acted; "" when the system did."""
        if self.actor_id is None:
            return ""
        if self.on_behalf_of_id is None:
            return str(self.actor)
        post = f" ({self.report.report_of})" if self.report.report_of_id else ""
        return f"{self.actor} for {self.on_behalf_of}{post}"

    @property
    def status_change(self):
        """ "Signed off → Approved", or "" when the step left the status as it was."""
        if not self.to_status or self.from_status == self.to_status:
            return ""
        names = dict(Report.Status.choices)
        return f"{names.get(self.from_status, 'New')} → {names.get(self.to_status, self.to_status)}"


class Correction(models.Model):
    """A correction of a published report before its meeting: made on a copy (`draft`, a report of its own
    with its own versions), whose content replaces the report's when democratic services republish it.

    Until then the public, the members and the packs read the report as published. Once closed, the row
    stays as the record of the edition it made (`edition`, `what_changed`) or of its abandonment.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Being made"
        REPUBLISHED = "republished", "Republished"
        ABANDONED = "abandoned", "Abandoned"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    draft = models.OneToOneField(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="correction_of",
        help_text="The copy being edited, while the correction is open.",
    )  # fmt: skip
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    edition = models.PositiveIntegerField(null=True, blank=True, help_text="The edition its republication made.")
    what_changed = models.TextField(blank=True)
    # The copy's rows that stand for the report's: {copy's pk: report's pk}. A section kept by the
    # correction keeps its pk when republished (members' notes are tied to it); so does a figure.
    sections = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report"], condition=Q(status="open"), name="one_open_correction"),
            models.UniqueConstraint(
                fields=["report", "edition"], condition=Q(edition__isnull=False), name="one_correction_per_edition"
            ),
        ]

    def __str__(self):
        return f"Correction of {self.report_id} ({self.get_status_display()})"

    @property
    def edition_note(self):
        """ "Corrected edition 2, 6 December 2026: <what changed>", as the report's page and PDF print it."""
        return f"Corrected edition {self.edition}, {timezone.localtime(self.closed_at):%-d %B %Y}: {self.what_changed}"


class ReportReading(models.Model):
    """The version of a report a person last read in the consultee's view, to show what changed since."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_readings")
    version = models.PositiveIntegerField()
    changes_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version they had read before this one: what changed is shown from it."
    )
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="one_reading_per_person")]

    def __str__(self):
        return f"{self.user} read {self.report_id} at version {self.version}"


def _a_row_per_item(entries, reference, model, key):
    """`entries` (implications or core purpose contributions) completed with an empty, unsaved one for
    each active reference item the report has none for, in the reference list's order."""
    by_item = {getattr(entry, f"{key}_id"): entry for entry in entries}
    rows = []
    for item in reference.objects.all():
        entry = by_item.get(item.pk)
        if entry is None and item.is_active:
            entry = model(**{key: item}, text="")
        if entry is not None and (item.is_active or entry.text):
            rows.append(entry)
    return rows
