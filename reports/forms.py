import copy
import functools
import json
import math

from django import forms
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from django_prose_editor.widgets import ProseEditorWidget

from boards import selectors
from config.numbers import whole_number
from reports.html import body_images, sanitize_html
from reports.imagecheck import ImageProblem, check_image
from reports.models import (
    SCHEDULE_12A_CHOICES,
    CorePurpose,
    ImplicationType,
    Portfolio,
    Post,
    Report,
    Ward,
)
from reports.officeconvert import OFFICE_EXTENSIONS, OfficeProblem, precheck, sniff_is_pdf
from reports.pdfcheck import PdfProblem, disarm_pdf

# Generous, but bounded: a report block is prose, not a data dump.
TEXT_MAX = 20_000
BODY_MAX = 500_000
YES_NO = [("True", "Yes"), ("False", "No")]

# The body editor offers exactly what the sanitiser keeps (reports/html.py).
_SECTION_WIDGET = ProseEditorWidget(
    config={
        "extensions": {
            "Bold": True,
            "Italic": True,
            "Underline": True,
            "Subscript": True,
            "Superscript": True,
            "Heading": {"levels": [3, 4]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "Blockquote": True,
            "HardBreak": True,
            "Table": True,
            "TableRow": True,
            "TableHeader": True,
            "TableCell": True,
            "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
            # Figures: the library's Figure, with our upload dialog (static/js/report-figure.js).
            "ReportFigure": True,
            "Image": True,
            "Caption": True,
            # Word's headings and list paragraphs, pasted, as the headings and lists above (static/js/report-paste.js).
            "WordPaste": True,
            "History": True,
        }
    },
    preset="configurable",
)
# Worked out when first shown, not at import: it names the figure module's static URL, which needs
# the static files' manifest in production.
# Both are the same for the life of the process (the manifest is read once), so each is worked out once.
SECTION_EDITOR_CONFIG = lazy(
    functools.cache(lambda: json.dumps(_SECTION_WIDGET.get_config(), separators=(",", ":"), cls=DjangoJSONEncoder)),
    str,
)()


@functools.cache
def section_editor_media():
    """The editor's scripts and styles (served from the django-prose-editor package, no CDN), as HTML."""
    return mark_safe(str(_SECTION_WIDGET.media))  # noqa: S308 - the widget's own tags, with static URLs


def _yes_no(value):
    if isinstance(value, bool):
        return value
    return {"True": True, "False": False}.get(value)


class YesNoField(forms.TypedChoiceField):
    """A Y/N question answered with two radio buttons; unanswered is allowed while drafting."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO, coerce=_yes_no, empty_value=None, required=False, **kwargs)

    def prepare_value(self, value):
        return "" if value is None else str(value)


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        return f"{meeting.date_display} ({meeting.board})"


# The report's fields written as prose: a few lines each, in a textarea.
PROSE_FIELDS = [
    "summary",
    "reasons",
    "alternatives",
    "revenue_costs",
    "capital_costs",
    "climate_explanation",
    "external_consultations",
    "implementation_date",
    "background_papers",
]


# What a report that is not exempt holds for the exemption's questions (ReportForm.clean).
EXEMPTION_FOLLOWERS = {"exempt_paragraphs": [], "release_review_on": None, "release_condition": ""}

# An autosave from the editor's script posts only what changed since its last save: this field names
# them, comma-separated (the report's own fields by name, "recommendations" and "sections" for a whole
# list). Without it a post is the whole form, as a form posted without the script is.
PARTIAL_FIELD = "_changed"


def partial_names(data):
    """The names an autosave of changed fields posted (a set), or None for a post of the whole form."""
    if PARTIAL_FIELD not in data:
        return None
    return {name.strip() for name in data[PARTIAL_FIELD].split(",") if name.strip()}


def _posted_pks(only, prefix):
    """The ids in `only`'s names that start with `prefix` (a partial post), or None (the whole form)."""
    if only is None:
        return None
    return {pk for name in only if name.startswith(prefix) and (pk := whole_number(name[len(prefix) :]))}


def _items_offered(model, report, texts, key, pks):
    """The implication types or core purposes the form offers: those in use, and those retired that
    `report` has words for (its `texts`); of them only `pks` when given (an autosave of changed fields).
    Read from the texts the editor prefetched where it did (a plain query of a short list), else in one
    query with them."""
    if pks is not None and not pks:
        return []
    items = model.objects.all() if pks is None else model.objects.filter(pk__in=pks)
    if not report.pk:
        return [item for item in items if item.is_active]
    if texts in getattr(report, "_prefetched_objects_cache", {}):
        written = {getattr(text, f"{key}_id") for text in getattr(report, texts).all() if text.text}
        return [item for item in items if item.is_active or item.pk in written]
    used = getattr(report, texts).exclude(text="").values(key)
    return list(items.filter(Q(is_active=True) | Q(pk__in=used)))


def _ward_pks(report):
    """The report's wards' ids: from the wards the editor prefetched, else a subquery."""
    if "wards" in getattr(report, "_prefetched_objects_cache", {}):
        return [ward.pk for ward in report.wards.all()]
    return Report.wards.through.objects.filter(report=report).values("ward")


def _retired_marked(entry):
    return str(entry) if entry.is_active else f"{entry} (retired)"


class ReportForm(forms.ModelForm):
    """The report's own fields, the implications matrix and the core purpose texts.

    Recommendations and body sections are ordered lists the editor posts as parallel rows; they
    are read by `read_rows` below.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The autosaves folded into that version the page has seen: with `version`, what a save is based on.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    board = forms.ModelChoiceField(selectors.active_boards(), required=False, label="Report to")
    meeting = MeetingChoiceField(
        selectors.meetings_for_reports(),
        required=False,
        label="Date of Meeting",
    )
    report_of = forms.ModelChoiceField(Post.objects.filter(is_active=True), required=False, label="Report of")
    wards = forms.ModelMultipleChoiceField(
        Ward.objects.filter(is_active=True), required=False, widget=forms.CheckboxSelectMultiple, label="Wards Affected"
    )
    portfolio = forms.ModelChoiceField(Portfolio.objects.filter(is_active=True), required=False, label="Portfolio")
    is_key_decision = YesNoField(label="Is this a Key Decision")
    in_forward_plan = YesNoField(label="Included in Forward Plan")
    forward_plan_date = forms.DateField(
        required=False,
        label="Date it entered the Forward Plan",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date, like 14/09/2022"},
    )
    is_exempt = YesNoField(label="Exempt / Confidential Report")
    exempt_paragraphs = forms.TypedMultipleChoiceField(
        choices=SCHEDULE_12A_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Schedule 12A paragraph(s)",
    )
    release_review_on = forms.DateField(
        required=False,
        label="Review for release on",
        help_text="The date democratic services look again at whether the report can be published.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date, like 14/09/2022"},
    )
    climate_impact = forms.ChoiceField(
        choices=Report.ClimateImpact.choices,
        required=False,
        widget=forms.RadioSelect,
        label="The recommendations within this report will",
    )
    climate_training = YesNoField(label="The Author has undertaken the Climate Emergency training for report authors")
    contact_phone = forms.CharField(
        required=False,
        max_length=40,
        label="Telephone Number",
        validators=[RegexValidator(r"^\+?[0-9 ()\-]{6,40}$", "Enter a telephone number, like 0151 934 2000")],
    )

    class Meta:
        model = Report
        fields = [
            "board",
            "meeting",
            "subject",
            "report_of",
            "all_wards",
            "wards",
            "portfolio",
            "is_key_decision",
            "in_forward_plan",
            "forward_plan_date",
            "is_exempt",
            "exempt_paragraphs",
            "release_review_on",
            "release_condition",
            "summary",
            "reasons",
            "alternatives",
            "revenue_costs",
            "capital_costs",
            "climate_impact",
            "climate_training",
            "climate_explanation",
            "external_consultations",
            "implementation_date",
            "contact_officer",
            "contact_phone",
            "contact_email",
            "background_papers",
        ]
        labels = {"climate_explanation": "Explanation", "all_wards": "All Wards"}
        help_texts = {
            "release_condition": "When the report can be published, for example “after the contract is awarded”."
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in [*PROSE_FIELDS, "release_condition"]}

    def __init__(self, *args, only=None, **kwargs):
        """`only`: the names of the fields an autosave of changed fields posted (PARTIAL_FIELD); the form
        then reads, checks and saves those alone, and every other field keeps its stored value."""
        self.partial = only is not None
        if self.partial:
            # Copied for this form by the constructor: only those posted, not all forty.
            kept = {*only, "version", "revision"}
            self.base_fields = {name: f for name, f in type(self).base_fields.items() if name in kept}
            # And only those read from the report as their initial values (its wards are a query).
            self._meta = copy.copy(type(self)._meta)
            self._meta.fields = [name for name in self._meta.fields if name in kept]
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.validators.append(MaxLengthValidator(TEXT_MAX))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["revision"].initial = self.instance.revision
        self._keep_retired_choices()
        # The rows in use, and those retired since that this report has written in (kept, and shown to edit).
        self.implication_types = _items_offered(
            ImplicationType, self.instance, "implications", "type", _posted_pks(only, "implication_")
        )
        self.core_purposes = _items_offered(
            CorePurpose, self.instance, "core_purposes", "purpose", _posted_pks(only, "core_purpose_")
        )
        existing_implications = {}
        existing_purposes = {}
        if self.instance.pk and not self.is_bound:  # a bound form shows and saves what was posted
            existing_implications = {i.type_id: i.text for i in self.instance.implications.all()}
            existing_purposes = {c.purpose_id: c.text for c in self.instance.core_purposes.all()}
        for kind in self.implication_types:
            self.fields[f"implication_{kind.pk}"] = forms.CharField(
                label=kind.name,
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing_implications.get(kind.pk, ""),
            )
        for purpose in self.core_purposes:
            self.fields[f"core_purpose_{purpose.pk}"] = forms.CharField(
                label=purpose.name,
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=existing_purposes.get(purpose.pk, ""),
            )

    def _keep_retired_choices(self):
        """A report keeps the post, portfolio and wards it has even once they are retired: they stay
        offered on its own form (marked retired), so saving it does not drop them. New reports are
        offered only the entries in use."""
        report = self.instance
        if not report.pk:
            return
        querysets = {
            "report_of": lambda: Post.objects.filter(Q(is_active=True) | Q(pk=report.report_of_id)),
            "portfolio": lambda: Portfolio.objects.filter(Q(is_active=True) | Q(pk=report.portfolio_id)),
            "wards": lambda: Ward.objects.filter(Q(is_active=True) | Q(pk__in=_ward_pks(report))),
        }
        for name, queryset in querysets.items():
            if name in self.fields:  # an autosave of changed fields has only those
                self.fields[name].queryset = queryset()
                self.fields[name].label_from_instance = _retired_marked

    def _get_validation_exclusions(self):
        # Each choice of a record was checked against its field's queryset already; the model's
        # own check would look each one up again (a query per choice on every autosave).
        exclude = super()._get_validation_exclusions()
        exclude.update(name for name, field in self.fields.items() if isinstance(field, forms.ModelChoiceField))
        return exclude

    @property
    def implication_fields(self):
        return [self[f"implication_{kind.pk}"] for kind in self.implication_types]

    @property
    def core_purpose_fields(self):
        return [self[f"core_purpose_{purpose.pk}"] for purpose in self.core_purposes]

    def clean_subject(self):
        # One line: it heads the report, names the PDF and goes in the subject of emails.
        return " ".join(self.cleaned_data["subject"].split())

    def _current(self, data, name):
        """A field's value as this save leaves it: as posted, or as stored when a partial post left it out."""
        if name in self.fields:
            return data.get(name)
        return getattr(self.instance, name)

    def clean(self):
        data = super().clean()
        posted = set(self.fields)
        # A field that follows another is set with it, posted or not (`following`: those not posted).
        self.following = {}

        def follow(name, value):
            (data if name in posted else self.following)[name] = value

        if {"board", "meeting"} & posted:
            board, meeting = self._current(data, "board"), self._current(data, "meeting")
            if meeting and board and meeting.board_id != board.pk:
                where = "meeting" if "meeting" in posted else "board"
                self.add_error(where, f"That meeting is of the {meeting.board}, not the {board} chosen in Report to.")
            if meeting and not board:
                follow("board", meeting.board)
        if {"is_exempt", *EXEMPTION_FOLLOWERS} & posted and not self._current(data, "is_exempt"):
            # A public report is never reviewed for release: what was typed for it goes with the exemption.
            for name, value in EXEMPTION_FOLLOWERS.items():
                follow(name, value)
        if {"all_wards", "wards"} & posted and self._current(data, "all_wards"):
            follow("wards", Ward.objects.none())
        return data

    def draft(self):
        """What a draft save applies, as plain data (reports.services.report_save_draft): the report's
        own valid fields, and the implication and core purpose texts by their type and purpose."""
        fields = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"version", "revision"} and not name.startswith(("implication_", "core_purpose_"))
        } | getattr(self, "following", {})
        return {"fields": fields, "implications": self.implication_texts(), "core_purposes": self.core_purpose_texts()}

    def implication_texts(self):
        """Implication texts by type; a type whose text failed validation is left out (kept as it was)."""
        return {
            kind: self.cleaned_data[f"implication_{kind.pk}"]
            for kind in self.implication_types
            if f"implication_{kind.pk}" in self.cleaned_data
        }

    def core_purpose_texts(self):
        return {
            purpose: self.cleaned_data[f"core_purpose_{purpose.pk}"]
            for purpose in self.core_purposes
            if f"core_purpose_{purpose.pk}" in self.cleaned_data
        }


class Row:
    """One posted row of an ordered list (a recommendation or a body section)."""

    def __init__(self, pk, values):
        self.pk = pk
        self.values = values
        self.errors = {}

    def __getitem__(self, name):
        return self.values[name]

    @property
    def is_blank(self):
        return not any(v.strip() for v in self.values.values())


def read_rows(data, prefix, names, existing_pks, limits):
    """Read an ordered list posted as parallel fields `<prefix>-id`, `<prefix>-<name>`, ...

    Returns (rows, error). Blank rows are dropped. An id that is not one of `existing_pks`
    (tampered, or removed by someone else) is treated as a new row rather than touching
    another report's data.
    """
    ids = data.getlist(f"{prefix}-id")
    columns = {name: data.getlist(f"{prefix}-{name}") for name in names}
    if any(len(column) != len(ids) for column in columns.values()):
        return [], "The list could not be read; reload the page and try again."
    rows = []
    for index, raw_id in enumerate(ids):
        pk = whole_number(raw_id)
        pk = pk if pk in existing_pks else None
        values = {name: columns[name][index] for name in names}
        row = Row(pk, values)
        if name_limit := [n for n in names if len(values[n]) > limits[n]]:
            for name in name_limit:
                row.errors[name] = (
                    f"This is too long: at most {limits[name]:,} characters (it has {len(values[name]):,})."
                )
        rows.append(row)
    return rows, None


def read_recommendations(data, report):
    """All posted recommendation rows, blank ones included (the editor maps saved ids back by row)."""
    existing = set(report.recommendations.values_list("pk", flat=True)) if report.pk else set()
    return read_rows(data, "recommendation", ["text"], existing, {"text": TEXT_MAX})


def read_sections(data, report):
    existing = set(report.sections.values_list("pk", flat=True)) if report.pk else set()
    rows, error = read_rows(data, "section", ["heading", "body"], existing, {"heading": 250, "body": BODY_MAX})
    for row in rows:
        if not row.errors and (problem := image_problem(row.values["body"], report)):
            row.errors["body"] = problem
        row.values["body"] = (
            sanitize_html(row.values["body"], report_id=report.pk) if not row.errors else row.values["body"]
        )
        if row.values["body"] and not row.values["heading"].strip() and not row.errors:
            row.errors["heading"] = "Give this section a heading, like Introduction."
    return rows, error


def image_problem(body, report):
    """Why a figure in a section's text cannot be kept, in words for the field, or "".

    A figure of this report without alternative text would be dropped by the sanitiser; the editor
    says so instead and keeps the text. Images from anywhere else are dropped as any other markup
    the allow-list does not keep (the editor leaves them out of a paste already).
    """
    for number, (report_id, _, _, alt) in enumerate(body_images(body), start=1):
        if report.pk and report_id == report.pk and not alt.strip():
            return (
                f"Image {number} in this section has no alternative text. Select it, choose Insert figure and "
                "describe it for someone who cannot see it."
            )
    return ""


APPENDIX_ACCEPT = ",".join(["application/pdf", ".pdf", *(f".{extension}" for extension in OFFICE_EXTENSIONS)])


class AppendixForm(forms.Form):
    """An appendix upload: a title and a PDF or an office file, checked by its content.

    Once valid, either `self.disarmed` is the rebuilt PDF (reports.pdfcheck.DisarmedPdf), the one to
    keep, or `self.office` names the office format ("docx", "xlsx", ...) of a file that passed
    reports.officeconvert.precheck and is to be kept and converted to PDF in the background.
    """

    title = forms.CharField(label="Appendix title", max_length=250)
    file = forms.FileField(
        label="File (PDF, Word, Excel, PowerPoint or OpenDocument)",
        widget=forms.ClearableFileInput(attrs={"accept": APPENDIX_ACCEPT}),
    )

    disarmed = None
    office = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.APPENDIX_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {math.ceil(upload.size / 1024 / 1024 * 10) / 10:.1f} MB; appendices can be at most "
                f"{settings.APPENDIX_MAX_MB} MB."
            )
        if not sniff_is_pdf(upload):  # by content: a Word file named .pdf is converted too
            try:
                self.office = precheck(upload, upload.name)
            except OfficeProblem as problem:
                raise forms.ValidationError(str(problem)) from None
            return upload
        try:
            self.disarmed = disarm_pdf(upload)
        except PdfProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return upload


FIGURE_ALT_MAX = 1_000
FIGURE_CAPTION_MAX = 500


class FigureForm(forms.Form):
    """A figure for the body: a PNG, JPEG or SVG file, checked by its content, with its words."""

    file = forms.FileField(
        label="Image file (PNG, JPEG or SVG)",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml,.png,.jpg,.jpeg,.svg"}),
        error_messages={"required": "Choose the image file: a PNG, JPEG or SVG."},
    )
    alt_text = forms.CharField(
        label="Alternative text",
        max_length=FIGURE_ALT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the figure shows, for someone who cannot see it: for a chart, what it says.",
        error_messages={"required": "Describe the figure for someone who cannot see it: alternative text is required."},
    )
    caption = forms.CharField(
        label="Caption (optional)",
        required=False,
        max_length=FIGURE_CAPTION_MAX,
        help_text="Printed under the figure after its number: “Figure 1: …”.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.FIGURE_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {math.ceil(upload.size / 1024 / 1024 * 10) / 10:.1f} MB; figures can be at most "
                f"{settings.FIGURE_MAX_MB} MB."
            )
        try:
            self.image = check_image(upload)
        except ImageProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return upload


class ReleaseTermsForm(forms.Form):
    """When an exempt report is reviewed for release and on what condition: democratic services change them."""

    release_review_on = ReportForm.base_fields["release_review_on"]
    release_condition = forms.CharField(
        label="Condition for release",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="When the report can be published, for example “after the contract is awarded”.",
    )


class ReleaseForm(forms.Form):
    """Release an exempt report: a reason, required before its review date (the service says so)."""

    reason = forms.CharField(
        label="Reason for releasing it",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when it is released before its review date. Recorded in the report's history.",
    )
