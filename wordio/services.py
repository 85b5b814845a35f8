"""Making a draft from a Word document (issue 18): the one writer of what wordio imports.

The draft is made by the reports app's own writer (reports.services.report_save_draft), so it is
versioned, indexed and recorded as "Created" like a report started in the editor.
"""

import io
import re
from html import escape

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from boards import selectors as boards
from reports import services as report_services
from reports.forms import FIGURE_ALT_MAX, TEXT_MAX, Row
from reports.imagecheck import ImageProblem, check_image
from reports.models import CorePurpose, ImplicationType, Portfolio, Post, Report, Ward
from wordio import reader
from wordio.models import WordImport
from wordio.safety import Refused, check_docx

HEADER_NAMES = {
    "board": "Report to",
    "meeting": "Date of Meeting",
    "subject": "Subject",
    "report_of": "Report of",
    "wards": "Wards Affected",
    "portfolio": "Portfolio",
    "is_key_decision": "Is this a Key Decision",
    "in_forward_plan": "Included in Forward Plan",
    "is_exempt": "Exempt / Confidential Report",
}
FIELD_NAMES = {name: Report._meta.get_field(name).verbose_name for name in [
    "summary", "reasons", "alternatives", "revenue_costs", "capital_costs", "external_consultations",
    "implementation_date", "contact_officer", "contact_phone", "contact_email", "background_papers",
]}  # fmt: skip
FIELD_NAMES["alternatives"] = "Alternative Options Considered and Rejected"

# The fewest template labels a document must have to be taken as written on the template.
TEMPLATE_LABELS = 3


def _yes_no(text):
    key = reader.norm(text)
    if key in {"y", "yes"} or key.startswith("y "):
        return True
    if key in {"n", "no"} or key.startswith("n "):
        return False
    return None


def _by_name(queryset, attribute, text):
    key = reader.norm(text)
    if not key:
        return None
    return next((obj for obj in queryset if reader.norm(getattr(obj, attribute)) == key), None)


def _header(reading, fields, filled, unplaced):
    """The header grid's values as the report's fields; what names nothing known is not placed."""
    header = reading.header

    def fail(name, why):
        unplaced.append((f"{HEADER_NAMES[name]} ({why})", header[name]))

    if header.get("subject"):
        if len(header["subject"]) <= Report._meta.get_field("subject").max_length:
            fields["subject"] = header["subject"]
        else:
            fail("subject", "too long for the Subject")
    board = None
    if header.get("board"):
        board = _by_name(boards.active_boards(), "name", header["board"])
        if board:
            fields["board"] = board
        else:
            fail("board", "no board of that name")
    if header.get("meeting"):
        day = reader.parse_date(header["meeting"])
        meetings = [m for m in boards.meetings_for_reports() if day and m.date == day]
        meeting = next((m for m in meetings if board is None or m.board_id == board.pk), None)
        if meeting:
            fields["meeting"] = meeting
            fields.setdefault("board", meeting.board)
        else:
            fail("meeting", "no meeting of the board on that date")
    for field, entries, attribute, missing in (
        ("report_of", Post.objects.filter(is_active=True), "title", "no post of that title"),
        ("portfolio", Portfolio.objects.filter(is_active=True), "name", "no portfolio of that name"),
    ):
        if header.get(field):
            entry = _by_name(entries, attribute, header[field])
            if entry:
                fields[field] = entry
            else:
                fail(field, missing)
    if header.get("wards"):
        if "all wards" in reader.norm(header["wards"]):
            fields["all_wards"] = True
        else:
            wards, unknown = [], []
            active = list(Ward.objects.filter(is_active=True))
            for name in header["wards"].replace(";", ",").split(","):
                if name.strip():
                    ward = _by_name(active, "name", name)
                    (wards.append(ward) if ward else unknown.append(name.strip()))
            if wards:
                fields["wards"] = wards
            if unknown:
                unplaced.append(("Wards Affected (no ward of that name)", ", ".join(unknown)))
    for name in ("is_key_decision", "in_forward_plan", "is_exempt"):
        if header.get(name):
            value = _yes_no(header[name])
            if value is None:
                fail(name, "neither yes nor no")
            else:
                fields[name] = value
    if fields.get("is_exempt") and "paragraph" in header["is_exempt"].lower():
        listed = re.search(r"paragraphs?\s+([\d,\sand]+)", header["is_exempt"], re.I)
        numbers = sorted({int(n) for n in re.findall(r"\b([1-7])\b", listed.group(1))}) if listed else []
        if numbers:
            fields["exempt_paragraphs"] = numbers
    for name, value in fields.items():
        label = HEADER_NAMES.get(name, "All Wards" if name == "all_wards" else name)
        if name == "wards":
            value = ", ".join(w.name for w in value)
        elif name == "meeting":
            value = value.date_display
        elif name == "exempt_paragraphs":
            label, value = "Schedule 12A paragraph(s)", ", ".join(str(n) for n in value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        filled.append((label, str(value)))


def import_docx(*, data, filename, user):
    """Check and read the .docx `data`, make a draft by `user` of what it says: the WordImport kept with it.

    Raises Refused (with the officer's message) when the file is not one to read; then nothing is made.
    """
    check_docx(data, filename)
    reading = reader.read(reader.open_document(data))
    if not (reading.labels_found or reading.sections or reading.unplaced):
        raise Refused("The document has no text to import.")
    fields, filled, unplaced = {}, [], list(reading.unplaced)
    _header(reading, fields, filled, unplaced)
    for name, value in reading.fields.items():
        value = value.strip("\n")
        model_field = Report._meta.get_field(name)
        limit = model_field.max_length or TEXT_MAX
        if len(value) > limit:
            unplaced.append((f"{FIELD_NAMES[name]} (too long for the field)", value))
            continue
        if name == "contact_email" and value:
            try:
                validate_email(value)
            except ValidationError:
                unplaced.append((f"{FIELD_NAMES[name]} (not an email address)", value))
                continue
        fields[name] = value
        if value:
            filled.append((FIELD_NAMES[name], value))
    climate = reading.climate
    if "climate_impact" in climate:
        fields["climate_impact"] = climate["climate_impact"]
        filled.append(
            (
                "The recommendations within this report will",
                dict(Report.ClimateImpact.choices)[climate["climate_impact"]],
            )
        )
    if "climate_training" in climate:
        fields["climate_training"] = climate["climate_training"]
        filled.append(("Climate Emergency training", "Yes" if climate["climate_training"] else "No"))
    if climate.get("climate_explanation"):
        fields["climate_explanation"] = climate["climate_explanation"]
        filled.append(("Climate Emergency Implications: explanation", climate["climate_explanation"]))

    implications, core_purposes = {}, {}
    for rows, model, target, what in [
        (reading.implications, ImplicationType, implications, "Implications"),
        (reading.core_purposes, CorePurpose, core_purposes, "Core Purpose"),
    ]:
        known = {reader.norm(item.name): item for item in model.objects.filter(is_active=True)}
        for key, (name, text) in rows.items():
            item = known.get(key)
            if item is None:
                unplaced.append((f"{what}: {name} (not one of the council's list)", text or name))
            elif text:
                target[item] = text
                filled.append((f"{item.name}", text))

    if reading.internal_consultations:
        filled.append(
            (
                "(A) Internal Consultations",
                "The system's standard sentence, recognised; it is written again from this report's own sign-offs "
                "(references are issued at sign-off, never typed).",
            )
        )
    recommendations = [Row(None, {"text": text}) for text in reading.recommendations if text]
    filled += [(f"Recommendation ({n})", row["text"]) for n, row in enumerate(recommendations, start=1)]
    sections = []
    for heading, body in reading.sections:
        sections.append(Row(None, {"heading": heading[:250], "body": body}))
        filled.append((f"Section {len(sections)}", heading))
    with transaction.atomic():
        # The body's pictures become the draft's figures, which need the draft to belong to: the
        # draft is made first, then its body, with the figures in it, is its second version.
        report, _ = report_services.report_save_draft(
            report=Report(author=user),
            fields=fields,
            recommendations=recommendations,
            sections=None if reading.pictures else sections,
            implications=implications,
            core_purposes=core_purposes,
            user=user,
            expected_version=None,
        )
        if reading.pictures:
            figures = _figures(report, reading.pictures, user, filled, unplaced)
            for row in sections:
                for token, html in figures.items():
                    row.values["body"] = row.values["body"].replace(token, html)
            report, _ = report_services.report_save_draft(
                report=report,
                fields={},
                recommendations=None,
                sections=sections,
                user=user,
                expected_version=report.version,
            )
        return WordImport.objects.create(
            report=report,
            imported_by=user,
            filename=filename[:255],
            on_template=reading.labels_found >= TEMPLATE_LABELS,
            filled=[list(row) for row in filled],
            unplaced=[list(row) for row in unplaced],
        )


def _figures(report, pictures, user, filled, unplaced):
    """Keep each (alt, bytes) picture, checked as an uploaded figure is, as one of the report's figures:
    {its token in the body: its <figure> HTML}; a picture that fails the check is not placed, with why."""
    out = {}
    for index, (alt, blob) in enumerate(pictures):
        token = reader.FIGURE_TOKEN.format(index)
        try:
            image = check_image(io.BytesIO(blob))
        except ImageProblem as problem:
            out[token] = ""
            unplaced.append((f"Picture {index + 1} (not kept: {problem})", f"[Picture: {alt}]"))
            continue
        figure = report_services.figure_add(report=report, image=image, user=user)
        out[token] = f'<figure><img src="{escape(figure.url)}" alt="{escape(alt[:FIGURE_ALT_MAX])}"></figure>'
        filled.append((f"Figure {sum(1 for html in out.values() if html)}", alt))
    return out
