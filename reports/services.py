"""Everything that changes a report: one function per action, each in one transaction.

Editing (`report_save_draft`, appendices) and the workflow (`report_submit`, `report_sign_off`,
`report_return`, `report_approve`, `report_withdraw_approval`, `report_publish`) follow the rules
of DESIGN.md section 3. Views call these functions and never save reports themselves.

Each workflow step locks the report's row, checks its state and who is acting, changes it, writes
a ReportEvent and queues its emails to go once the transaction commits. A step that may not
happen raises TransitionRefused with a message for the person who tried; nothing is changed.
"""

import logging
from datetime import timedelta

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import StandIn
from config.rows import save_fields
from reports import notifications
from reports.content import report_blocks
from reports.history import blocks_at_version
from reports.html import sanitize_html
from reports.models import (
    Appendix,
    ConsulteeKind,
    CorePurposeContribution,
    Correction,
    Figure,
    Implication,
    Recommendation,
    ReferenceSequence,
    Report,
    ReportEvent,
    ReportReading,
    Section,
    SignOff,
    paragraphs_display,
    report_row,
)
from reports.searchindex import reindex_report
from reports.tasks import queue_report_pdf

log = logging.getLogger(__name__)


class ReportLocked(Exception):
    """The report is approved or published and cannot be edited."""


class StaleEdit(Exception):
    """Someone saved the report after this editor loaded it.

    `changes` lists the blocks they changed: (label, their text) pairs.
    """

    def __init__(self, report, changes):
        super().__init__("The report was changed by someone else")
        self.report = report
        self.changes = changes


class BaseVersionMissing(Exception):
    """A save of an existing report that does not say which version it was based on.

    Without it a save cannot tell whether it would undo someone else's newer change, so it is
    refused; `report` is the report as it stands now.
    """

    def __init__(self, report):
        super().__init__("The save did not say which version of the report it was based on")
        self.report = report


def _changes_since(report, base_version, base_revision=0):
    """The blocks that differ between `base_version` (at `base_revision`) and the report as it stands now."""
    before = blocks_at_version(report, base_version, base_revision)
    now = report_blocks(report)
    if before is None:
        return [(b.label, b.text) for b in now]
    old = {b.key: b.text for b in before}
    return [(b.label, b.text) for b in now if old.get(b.key) != b.text]


def _as_stored(model, report, field, value):
    """`value` as the model's save() will store it: a section's body is sanitised there (again), so a
    row is compared with what saving it would write, not with what was posted."""
    if model is Section and field == "body":
        return sanitize_html(value, report_id=report.pk)
    return value


def _sync_rows(model, report, rows, fields):
    """Make the report's rows of `model` exactly the non-blank `rows`, in order: (the rows kept, whether
    any was written). Only a row whose text or place changed is written.

    Sets each row's pk to the saved object's, so the editor can learn the ids of new rows.
    """
    existing = {obj.pk: obj for obj in model.objects.filter(report=report)}
    for obj in existing.values():
        obj.report = report  # held, not read again: what a save's receivers ask of it (boards.public_cache)
    kept, written = [], False
    for row in rows:
        if row.is_blank:
            row.pk = None
    # A row posted without its id (a page from before the row was saved) that says what a stored row
    # no other posted row claims already says is that row, not a new one: the text is unchanged.
    claimed = {row.pk for row in rows if row.pk}
    spare = sorted((obj for obj in existing.values() if obj.pk not in claimed), key=lambda obj: (obj.position, obj.pk))
    for position, row in enumerate((r for r in rows if not r.is_blank), start=1):
        obj = existing.pop(row.pk, None) if row.pk else None
        if obj is None and not row.pk:
            same = next(
                (
                    o
                    for o in spare
                    if o.pk in existing and all(getattr(o, f) == _as_stored(model, report, f, row[f]) for f in fields)
                ),
                None,
            )
            obj = existing.pop(same.pk) if same else None
        if obj is None:
            obj = model(report=report)
        changed = obj.pk is None or obj.position != position
        for field in fields:
            if getattr(obj, field) != _as_stored(model, report, field, row[field]):
                setattr(obj, field, row[field])
                changed = True
        obj.position = position
        if changed:
            obj.save()
            written = True
        row.pk = obj.pk
        kept.append(obj)
    for obj in existing.values():
        obj.delete()
        written = True
    return kept, written


def _sync_texts(model, report, key, texts):
    """Upsert one text per reference item (implication type or core purpose); whether any was written."""
    if not texts:
        return False
    existing = {getattr(obj, f"{key}_id"): obj for obj in model.objects.filter(report=report).order_by()}
    written = False
    for item, text in texts.items():
        obj = existing.get(item.pk)
        if obj is None:
            if text:
                model.objects.create(report=report, **{key: item}, text=text)
                written = True
        elif obj.text != text:
            obj.text = text
            obj.save()
            written = True
    return written


def void_sign_offs(report, *, reason, user=None):
    """Void the report's live sign-offs; they stay recorded, and their references are never reused."""
    now = timezone.now()
    voided = []
    for sign_off in report.sign_offs.filter(voided_at__isnull=True):
        sign_off.voided_at = now
        sign_off.void_reason = reason
        sign_off.save(update_fields=["voided_at", "void_reason"])
        voided.append(sign_off)
    if voided:
        _note(report, user, "sign_offs_voided", reason + ": " + ", ".join(s.reference for s in voided), notify=True)
    return voided


def _apply_fields(report, fields):
    """Set the report's own fields (and its wards) to `fields`: the names of those whose stored value changed.

    Compared for the names the save brings, not from a list kept here, so that a field added to
    the editor is compared the day it is added: a save that changes only that field is then saved.
    """
    changed = set()
    for name, value in fields.items():
        field = Report._meta.get_field(name)
        if field.many_to_many:
            continue
        before = field.value_from_object(report)
        setattr(report, name, value)
        if field.value_from_object(report) != before:
            changed.add(name)
    if "wards" in fields:
        wards = list(fields["wards"] or [])
        if set(report.wards.values_list("pk", flat=True)) != {w.pk for w in wards}:
            report.wards.set(wards)
            changed.add("wards")
    return changed


# The columns report_save_draft may change besides the fields the editor sent.
SAVE_DRAFT_KEEPS = [
    "status", "version", "revision", "autosaved_at", "autosaved_by", "updated_at", "editor_page",
    "forward_plan_accepted_on", "forward_plan_accepted_by",
]  # fmt: skip


def _kept_values(report):
    return [getattr(report, Report._meta.get_field(name).attname) for name in SAVE_DRAFT_KEEPS]


def _kept_changed(report, before):
    """Of SAVE_DRAFT_KEEPS, those whose value differs from `before` (_kept_values as the report was read)."""
    return [name for name, now, was in zip(SAVE_DRAFT_KEEPS, _kept_values(report), before, strict=True) if now != was]


# What the search document is made of (reports.searchindex.document_parts), of the report's own fields.
SEARCHED_FIELDS = {"subject", "summary"}


# Typing that pauses longer than this ends an editing session: the next autosave makes a new version.
AUTOSAVE_SESSION = timedelta(minutes=10)


def _continues_session(report, *, user, page, now):
    """Whether an autosave from editor `page` by `user` folds into the report's current version.

    An editing session is one editor page (a browser tab) of one user on a draft (or a correction), whose autosave
    made or last updated the current version less than AUTOSAVE_SESSION ago. An explicit save, an
    appendix, any workflow step (submitting, a return) or another page's save closes it. Only the
    session's own page updates a version in place, so its later saves never undo anyone else's.
    """
    return bool(
        page
        and report.status in {Report.Status.DRAFT, Report.Status.CORRECTION}
        and report.autosaved_at is not None
        and report.editor_page == page
        and report.autosaved_by_id == user.pk
        and now - report.autosaved_at < AUTOSAVE_SESSION
    )


def _close_session(report):
    """The current version will not be updated in place again (fields to save with the report)."""
    report.autosaved_at, report.autosaved_by = None, None
    return ["autosaved_at", "autosaved_by"]


def _is_stale(locked, *, expected_version, expected_revision, page):
    """Whether a save based on `expected_version` at `expected_revision` would undo someone else's change.

    A page can cross its own saves: the text it sends as it is left, while its last autosave (or
    an appendix it added) is still on the way, carries the version before that save, or the
    revision before an autosave folded into the version. If that save is the only one since and
    the same page made it, the newer text is the page's own.
    """
    own_page = bool(page) and locked.editor_page == page
    if locked.version == expected_version:
        # Only the session's own page updates a version in place (_continues_session).
        return (expected_revision or 0) != locked.revision and not own_page
    return not (own_page and expected_version == locked.version - 1)


def report_save_draft(
    *,
    report,
    fields,
    recommendations,
    sections,
    user,
    expected_version,
    expected_revision=None,
    implications=None,
    core_purposes=None,
    page="",
    autosave=False,
):
    """Save the editor's content as the report's next version, or fold an autosave into the current one.

    `fields` maps the report's own fields to their new values, `implications` and `core_purposes`
    map an ImplicationType or CorePurpose to its text (ReportForm.draft() gives all three, the
    valid fields only: an invalid one keeps its stored value, so an autosave never loses the rest
    of what was typed). `recommendations` or `sections` of None leave that list untouched.

    Refuses with StaleEdit when the report moved on since `expected_version`, and with
    ReportLocked once it is approved, and with BaseVersionMissing when an existing report's save
    does not say which version it was based on. Saving an unchanged form writes nothing (an
    explicit save of it closes the editing session). Editing a signed-off report voids its
    sign-offs and returns it to consultation.

    `page` names the editor page (a browser tab) the save comes from; `expected_revision` is the
    revision of `expected_version` it saw (None: 0, the version as first made). An `autosave`
    within the page's editing session (_continues_session) updates the current version in place
    and raises its revision; any other save that changes something makes a new version.
    Returns (report, changed).
    """
    is_new = report.pk is None
    with transaction.atomic():
        if is_new:
            report.author = user
            report.save()
            locked = report
        else:
            locked = report_row(report.pk, for_update=True)  # one plain statement: every autosave comes here
            if locked is None:
                raise Report.DoesNotExist()
            kept_before = _kept_values(locked)
            if not locked.is_editable:
                raise ReportLocked()
            if expected_version is None:
                raise BaseVersionMissing(locked)
            if _is_stale(locked, expected_version=expected_version, expected_revision=expected_revision, page=page):
                raise StaleEdit(locked, _changes_since(locked, expected_version, expected_revision or 0))
        now = timezone.now()
        in_place = autosave and not is_new and _continues_session(locked, user=user, page=page, now=now)
        exemption_before = exemption_of(locked)

        # Only what differs from the stored report is written.
        changed_fields = _apply_fields(locked, fields)
        kept = {}
        rows_written = False
        # A list with a row in error is left as it was; the editor shows the error by the row.
        for name, model, rows, row_fields in [
            ("recommendations", Recommendation, recommendations, ["text"]),
            ("sections", Section, sections, ["heading", "body"]),
        ]:
            if rows is not None:
                kept[name], written = _sync_rows(model, locked, rows, row_fields)
                rows_written |= written
        texts_written = _sync_texts(Implication, locked, "type", implications or {})
        texts_written |= _sync_texts(CorePurposeContribution, locked, "purpose", core_purposes or {})

        changed = is_new or bool(changed_fields) or rows_written or texts_written
        if changed:
            if not is_new and locked.live_sign_offs:  # counted as the row was locked (report_row)
                void_sign_offs(locked, reason="Report edited after sign-off", user=user)
                if locked.status == Report.Status.SIGNED_OFF:
                    ReportEvent.objects.create(
                        report=locked,
                        actor=user,
                        action="edited_after_sign_off",
                        from_status=locked.status,
                        to_status=Report.Status.CONSULTATION,
                    )
                    locked.status = Report.Status.CONSULTATION
            if in_place:
                locked.revision += 1
            elif not is_new:
                locked.version += 1
                locked.revision = 0
            if autosave:
                locked.autosaved_at, locked.autosaved_by = now, user
            else:
                _close_session(locked)
            locked.updated_at = now
            locked.editor_page = page
            locked._history_user = user
            if locked.forward_plan_accepted_on and not (locked.is_key_decision and locked.in_forward_plan):
                # Off the plan now: if it comes back, democratic services accept it again.
                locked.forward_plan_accepted_on, locked.forward_plan_accepted_by = None, None
            # Only the columns this save changed are written (an autosave changes a field or two).
            if is_new:
                locked.save()
            else:  # as locked.save(update_fields=...), its UPDATE written plainly (config.rows)
                save_fields(locked, [*(changed_fields - {"wards"}), *_kept_changed(locked, kept_before)])
            if is_new or rows_written or changed_fields & SEARCHED_FIELDS:
                reindex_report(locked, **kept)
            if is_new:
                ReportEvent.objects.create(report=locked, actor=user, action="created", to_status=locked.status)
            else:
                note_exemption_change(locked, exemption_before, user=user)
        elif not autosave and locked.autosaved_at is not None:
            # "Save draft" on what the autosave already stored: the version is now the one saved by hand.
            locked.skip_history_when_saving = True
            locked.save(update_fields=_close_session(locked))
            del locked.skip_history_when_saving
    return locked, changed


def exemption_of(report):
    """Whether a report is exempt and under which paragraphs, as one comparable value."""
    return (report.is_exempt, report.exempt_paragraph_list)


def _exemption_words(exemption):
    is_exempt, paragraphs = exemption
    if is_exempt is None:
        return "not said whether it is exempt (so treated as exempt)"
    if not is_exempt:
        return "not exempt"
    which = paragraphs_display(paragraphs)
    return f"exempt under {which} of Schedule 12A" if which else "exempt, naming no paragraph of Schedule 12A"


def note_exemption_change(report, before, *, user):
    """Record that a report on an agenda changed its exemption, and tell democratic services.

    Its agenda item reads the exemption from the report, so it changes part by itself; this
    tells the clerk (an email, and a warning on the meeting page from the event) and has the
    agenda's packs built again once the change commits. `before` is `exemption_of(report)` as
    it was. Returns the event, or None when nothing changed or the report is on no agenda.
    """
    from boards.selectors import agenda_item_of

    after = exemption_of(report)
    if after == before:
        return None
    item = agenda_item_of(report)
    if item is None:
        return None
    event = _note(
        report,
        user,
        "exemption_changed",
        f"Was {_exemption_words(before)}; now {_exemption_words(after)}.",
        notify=True,
    )
    _agenda_follows_on_commit(item, f"“{item.title}” is now {_exemption_words(after)}.")
    return event


def _agenda_follows_on_commit(item, change):
    """Have the agenda of `item` (its numbering, its packs, the public stamp) follow its report's new
    exemption once the change commits; `change` is the note a published pack's new edition prints."""
    meeting_id = item.meeting_id
    transaction.on_commit(lambda: _agenda_follows(meeting_id, change), robust=True)


def _agenda_follows(meeting_id, change):
    # After the commit, in its own transaction: the meeting's row is locked after the report's
    # would be otherwise, the opposite order to placing a report, which could deadlock.
    from boards.tasks import agenda_report_changed

    agenda_report_changed(meeting_id=meeting_id, change=change)


def _locked_for_a_new_appendix(report):
    """The report locked for adding an appendix (ReportLocked when it is not editable), and the new
    appendix's position, after its last."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not locked.is_editable:
        raise ReportLocked()
    return locked, (locked.appendices.order_by("-position").values_list("position", flat=True).first() or 0) + 1


def appendix_add(*, report, title, pdf, filename, user, page=""):
    """Attach a disarmed PDF (reports.pdfcheck.disarm_pdf) to the report as its last appendix."""
    with transaction.atomic():
        locked, position = _locked_for_a_new_appendix(report)
        appendix = Appendix(
            report=locked,
            title=title,
            position=position,
            original_filename=(filename or "")[:255],
            size=pdf.size,
            page_count=pdf.pages,
            disarmed_version=pdf.rules_version,
        )
        appendix.file.save("appendix.pdf", File(pdf.file), save=False)
        appendix._history_user = user
        appendix.save()
        _bump(locked, user, reason="Appendix added", page=page)
        reindex_report(locked)
    return appendix


def appendix_add_office(*, report, title, upload, source_format, filename, user, page=""):
    """Attach an office file (checked by reports.officeconvert.precheck) as the report's last appendix,
    kept as uploaded, and queue its conversion to PDF once the transaction commits."""
    from reports.tasks import convert_appendix_task

    with transaction.atomic():
        locked, position = _locked_for_a_new_appendix(report)
        appendix = Appendix(
            report=locked,
            title=title,
            position=position,
            original_filename=(filename or "")[:255],
            source_format=source_format,
            conversion=Appendix.Conversion.PENDING,
            size=upload.size,
        )
        upload.seek(0)
        appendix.original.save(f"original.{source_format}", File(upload), save=False)
        appendix._history_user = user
        appendix.save()
        _bump(locked, user, reason="Appendix added", page=page)
        reindex_report(locked)
        appendix_id = appendix.pk
        transaction.on_commit(lambda: convert_appendix_task.enqueue(appendix_id))
    return appendix


def appendix_remove(*, appendix, user, page=""):
    """Remove an appendix from its report (it stays in the report's history)."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=appendix.report_id)
        if not locked.is_editable:
            raise ReportLocked()
        appendix._history_user = user
        appendix.delete()
        for position, other in enumerate(locked.appendices.all(), start=1):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])
        _bump(locked, user, reason="Appendix removed", page=page)
        reindex_report(locked)


def appendix_disarm(*, appendix):
    """Rebuild a stored appendix's file by the current rules, keep only the rebuilt file; True if done.

    For files stored before the rules existed or changed (`manage.py disarm_appendices`). The report
    does not change: its words are the same, and a sign-off stays valid. A file that cannot be
    rebuilt keeps its place with the reason recorded, and is neither served nor joined into packs.
    """
    from reports.pdfcheck import PdfProblem, disarm_pdf

    old_name = appendix.file.name
    try:
        with appendix.file.open("rb") as handle:
            pdf = disarm_pdf(handle)
    except (PdfProblem, OSError) as exc:
        problem = str(exc) if isinstance(exc, PdfProblem) else "The stored file is missing."
        with transaction.atomic():
            locked = Appendix.objects.select_for_update().get(pk=appendix.pk)
            locked.problem = problem[:500]
            locked.skip_history_when_saving = True
            locked.save(update_fields=["problem"])
        appendix.problem = locked.problem
        return False
    with transaction.atomic():
        locked = Appendix.objects.select_for_update().get(pk=appendix.pk)
        if locked.file.name != old_name:
            return locked.is_disarmed  # rebuilt meanwhile, by another run
        locked.file.save("appendix.pdf", File(pdf.file), save=False)
        locked.size, locked.page_count = pdf.size, pdf.pages
        locked.disarmed_version, locked.problem = pdf.rules_version, ""
        locked.skip_history_when_saving = True  # the same appendix, made safe: not an edit of the report
        locked.save(update_fields=["file", "size", "page_count", "disarmed_version", "problem"])
        # The report's history names the old file too: point it at the rebuilt one, as the old goes. So does
        # the copy of a report being corrected (report_open_correction), whose appendices share its files.
        Appendix.history.filter(file=old_name).update(file=locked.file.name)
        Appendix.objects.filter(file=old_name).update(
            file=locked.file.name, size=locked.size, page_count=locked.page_count,
            disarmed_version=locked.disarmed_version, problem="",
        )  # fmt: skip
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    appendix.refresh_from_db()
    return True


def figure_add(*, report, image, user):
    """Keep a checked image (reports.imagecheck.CheckedImage) as one of the report's figures.

    The report itself does not change: its body shows the figure once the editor puts it there
    and saves, which makes the new version.
    """
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable:
            raise ReportLocked()
        figure = Figure(
            report=locked,
            content_type=image.content_type,
            source_format=image.source_format,
            width=image.width,
            height=image.height,
            size=len(image.data),
            uploaded_by=user,
        )
        figure.file.save(f"figure.{image.extension}", ContentFile(image.data), save=False)
        figure.save()
    return figure


def _bump(report, user, *, reason, page=""):
    """Record a change made outside the editor form as a new version (made by the editor `page`)."""
    if report.active_sign_offs():
        void_sign_offs(report, reason=reason + " after sign-off", user=user)
        if report.status == Report.Status.SIGNED_OFF:
            ReportEvent.objects.create(
                report=report,
                actor=user,
                action="edited_after_sign_off",
                from_status=report.status,
                to_status=Report.Status.CONSULTATION,
                comment=reason,
            )
            report.status = Report.Status.CONSULTATION
    report.version += 1
    report.revision = 0
    _close_session(report)
    report.updated_at = timezone.now()
    report.editor_page = page
    report._history_user = user
    report.save()


# The workflow -------------------------------------------------------------------------------------


class TransitionRefused(Exception):
    """A workflow step that may not happen now: wrong state, wrong person, or something missing.

    The message is written for the person who tried, and views show it as it is.
    """


STEP_NAMES = {
    "submit": "submit",
    "sign_off": "sign off",
    "return": "return",
    "approve": "approve",
    "withdraw_approval": "withdraw the approval of",
    "publish": "publish",
}


# "it is ...": each status as the end of a sentence.
STATUS_PHRASES = {
    Report.Status.DRAFT: "a draft",
    Report.Status.CONSULTATION: "in consultation",
    Report.Status.SIGNED_OFF: "signed off",
    Report.Status.APPROVED: "approved",
    Report.Status.PUBLISHED: "published",
}


def _status_label(status):
    return STATUS_PHRASES.get(status, str(status))


def _consultee_kinds_of(user):
    """The active consultee kinds `user` signs for (finance, legal, ...)."""
    if not user.is_authenticated:
        return []
    return list(user.consultee_kinds.filter(is_active=True))


def _outstanding_kinds(report):
    """Active consultee kinds with no live sign-off on `report` yet."""
    signed = report.sign_offs.filter(voided_at__isnull=True).values("kind")
    return list(ConsulteeKind.objects.filter(is_active=True).exclude(pk__in=signed))


def holds_report_of(report, user):
    """Whether `user` holds the post the report is "Report of"."""
    return bool(user.is_authenticated and report.report_of_id and report.report_of.holder_id == user.pk)


def stand_in_for(report, user):
    """The stand-in in force today by which `user` acts for the holder of the report's "Report of" post, or None."""
    if not (user.is_authenticated and report.report_of_id):
        return None
    return StandIn.objects.in_force().filter(post_id=report.report_of_id, deputy=user).select_related("holder").first()


def is_approver(report, user):
    """Whether `user` may approve (or return) the report in its approver's name: the holder of its
    "Report of" post, or a stand-in the holder has named for today."""
    return holds_report_of(report, user) or stand_in_for(report, user) is not None


def _acting_for(report, user):
    """The post holder `user` acts for on `report` (a stand-in), or None when they act as themselves."""
    if holds_report_of(report, user):
        return None
    stand_in = stand_in_for(report, user)
    return stand_in.holder if stand_in else None


def _require_status(report, action, *statuses):
    if report.status not in statuses:
        wanted = " or ".join(_status_label(s) for s in statuses)
        raise TransitionRefused(
            f"You cannot {STEP_NAMES[action]} this report now: it is {_status_label(report.status)}, "
            f"and that can only be done while it is {wanted}. Nothing was changed."
        )


def check_submit(report, user):
    """Only the author submits, and only a draft."""
    _require_status(report, "submit", Report.Status.DRAFT)
    if report.author_id != user.pk:
        raise TransitionRefused("Only the report's author can submit it for sign-off.")


def check_sign_off(report, user):
    """An officer of a consultee kind that has not signed this report off yet, while it is in consultation.

    Returns the kinds `user` may still sign off for.
    """
    _require_status(report, "sign_off", Report.Status.CONSULTATION)
    mine = _consultee_kinds_of(user)
    if not mine:
        raise TransitionRefused("Only the finance and legal consultees can sign reports off.")
    live = {s.kind_id: s for s in report.sign_offs.filter(voided_at__isnull=True)}
    open_kinds = [k for k in mine if k.pk not in live]
    if not open_kinds:
        references = ", ".join(live[k.pk].reference for k in mine)
        raise TransitionRefused(f"This report is already signed off ({references}). Nothing was changed.")
    return open_kinds


def check_return(report, user):
    """A consultee may send a report in consultation back to its author; its approver (or their
    stand-in, the report's author aside), one signed off."""
    if report.status == Report.Status.SIGNED_OFF and is_approver(report, user):
        if not holds_report_of(report, user) and report.author_id == user.pk:
            raise TransitionRefused(
                f"You wrote this report, so you cannot act on it for {report.report_of.holder}: "
                "it goes to them or another stand-in."
            )
        return
    _require_status(report, "return", Report.Status.CONSULTATION)
    if not _consultee_kinds_of(user):
        raise TransitionRefused("Only the finance and legal consultees can return a report to its author.")


def check_approve(report, user):
    """The holder of the post the report is "Report of" approves it once it is signed off, or a stand-in
    they named for today, unless the stand-in wrote the report."""
    _require_status(report, "approve", Report.Status.SIGNED_OFF)
    if not is_approver(report, user):
        who = f"the {report.report_of}" if report.report_of_id else "the officer named in Report of"
        raise TransitionRefused(f"Only {who} (or a stand-in they have named) can approve this report.")
    if not holds_report_of(report, user) and report.author_id == user.pk:
        raise TransitionRefused(
            f"You wrote this report, so you cannot approve it for {report.report_of.holder}: "
            "its approval must come from them or another stand-in."
        )


def check_withdraw_approval(report, user):
    """The approver (the post's holder) or democratic services may withdraw an approval before publication."""
    _require_status(report, "withdraw_approval", Report.Status.APPROVED)
    if not (holds_report_of(report, user) or getattr(user, "is_democratic_services", False)):
        raise TransitionRefused("Only the report's approver or democratic services can withdraw its approval.")


def check_publish(report, user):
    """Democratic services publish an approved report (with its meeting's agenda)."""
    _require_status(report, "publish", Report.Status.APPROVED)
    if not getattr(user, "is_democratic_services", False):
        raise TransitionRefused("Only democratic services can publish a report.")


CHECKS = {
    "submit": check_submit,
    "sign_off": check_sign_off,
    "return": check_return,
    "approve": check_approve,
    "withdraw_approval": check_withdraw_approval,
    "publish": check_publish,
}


def available_actions(report, user):
    """The workflow steps `user` may take on `report` as it stands (for showing buttons, never for access)."""
    allowed = set()
    for action, check in CHECKS.items():
        try:
            check(report, user)
        except TransitionRefused:
            continue
        allowed.add(action)
    return allowed


def _lock_and_expect(report, expected_status, expected_version, expected_revision=None):
    """Lock the report's row, and refuse a step taken from a page showing an older state.

    A double-clicked button or a replayed form carries the status and version the page showed
    (and the revision: autosaves fold into a version); once the first click has moved the
    report on, the second is refused and changes nothing.
    """
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if expected_status and locked.status != expected_status:
        raise TransitionRefused(
            f"Nothing was changed: this report is now {_status_label(locked.status)}, not "
            f"{_status_label(expected_status)} as on the page you used (perhaps the button was pressed twice, "
            "or someone else acted first)."
        )
    if expected_version is not None and locked.version != expected_version:
        raise TransitionRefused(
            f"Nothing was changed: the report was edited since you opened it (it was version {expected_version}, "
            f"it is now version {locked.version}). Read it again first."
        )
    if expected_version is not None and expected_revision is not None and locked.revision != expected_revision:
        raise TransitionRefused(
            f"Nothing was changed: the report was edited since you opened it (version {locked.version} has been "
            "saved again since). Read it again first."
        )
    return locked


def _move(locked, user, action, to_status, comment="", on_behalf_of=None):
    """Record one step: the new status, an event row, and the emails to send on commit.

    The report is saved even when its status stays (a first sign-off), so its history has a row
    after the step: the version as it stood then includes the sign-off. `on_behalf_of` is the post
    holder a stand-in acted for.
    """
    from_status = locked.status
    locked.status = to_status
    locked._history_user = user
    locked._change_reason = action
    locked.save(update_fields=["status", *_close_session(locked)])  # a step ends any editing session
    event = ReportEvent.objects.create(
        report=locked,
        actor=user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        on_behalf_of=on_behalf_of,
    )
    notifications.queue(event)
    return event


def _note(report, user, action, comment="", *, notify=False):
    """Record a step that leaves the report's status as it was: an event row from and to its status,
    whose people are told on commit when `notify`. Returns the event."""
    event = ReportEvent.objects.create(
        report=report, actor=user, action=action, from_status=report.status, to_status=report.status, comment=comment
    )
    if notify:
        notifications.queue(event)
    return event


def next_reference_number(prefix, year):
    """Issue the next number of `prefix`'s sequence for `year`, holding its row lock until commit.

    The year's row is created on first use; INSERT ... ON CONFLICT DO NOTHING lets two first
    sign-offs of a year race safely, and the row lock then hands out the numbers one at a time.
    Must run inside a transaction.
    """
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(prefix=prefix, year=year, last_number=0)], ignore_conflicts=True
    )
    sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def report_submit(*, report, user, expected_status=None, expected_version=None, expected_revision=None):
    """The author sends a complete draft to the consultees: draft -> in consultation."""
    with transaction.atomic():
        locked = _lock_and_expect(report, expected_status, expected_version, expected_revision)
        check_submit(locked, user)
        missing = locked.missing_items()
        if missing:
            raise TransitionRefused(
                "The report cannot be submitted until it is complete: " + "; ".join(m for _, m in missing) + "."
            )
        _move(locked, user, "submitted", Report.Status.CONSULTATION)
    return locked


COMMENT_MAX = 20_000  # characters in a comment or a reason: a few pages


def _comment(text):
    """A comment or reason as recorded: trimmed, and refused when longer than COMMENT_MAX."""
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise TransitionRefused(f"Keep the comment to {COMMENT_MAX:,} characters; it has {len(text):,}.")
    return text


def report_sign_off(
    *, report, user, kind=None, comment="", expected_status=None, expected_version=None, expected_revision=None
):
    """A consultee signs the report off and is issued the next reference (FD.<n>/<yy>).

    When every active consultee kind has a live sign-off, the report becomes signed off.
    `kind` is needed only when `user` signs for more than one kind. Returns the SignOff.
    """
    comment = _comment(comment)
    with transaction.atomic():
        locked = _lock_and_expect(report, expected_status, expected_version, expected_revision)
        open_kinds = check_sign_off(locked, user)
        if kind is None:
            if len(open_kinds) > 1:
                names = " or ".join(k.name for k in open_kinds)
                raise TransitionRefused(f"Choose whom you are signing off for: {names}.")
            kind = open_kinds[0]
        elif kind.pk not in {k.pk for k in open_kinds}:
            raise TransitionRefused(f"You cannot sign this report off for {kind.name}.")
        now = timezone.now()
        year = timezone.localtime(now).year
        number = next_reference_number(kind.prefix, year)
        sign_off = SignOff(
            report=locked,
            kind=kind,
            signed_by=user,
            officer_title=kind.officer_title,
            prefix=kind.prefix,
            year=year,
            number=number,
            reference=SignOff.format_reference(kind.prefix, number, year),
            report_version=locked.version,
            signed_at=now,
            comment=comment,
        )
        sign_off._history_user = user
        sign_off.save()
        done = not _outstanding_kinds(locked)
        to_status = Report.Status.SIGNED_OFF if done else Report.Status.CONSULTATION
        note = f"{kind.name} sign-off {sign_off.reference}" + (f". {comment}" if comment else "")
        _move(locked, user, "signed_off", to_status, note)
    return sign_off


def report_return(*, report, user, comment, expected_status=None, expected_version=None, expected_revision=None):
    """A consultee (in consultation) or its approver (signed off) sends the report back to its author
    with comments: -> draft.

    Any sign-offs already given are voided (they stay on record); the author sees the comments
    on the editor and on My work.
    """
    comment = _comment(comment)
    with transaction.atomic():
        locked = _lock_and_expect(report, expected_status, expected_version, expected_revision)
        check_return(locked, user)
        if not comment:
            raise TransitionRefused("Say what the author needs to change: returning a report needs a comment.")
        acting_for = _acting_for(locked, user) if locked.status == Report.Status.SIGNED_OFF else None
        void_sign_offs(locked, reason="Report returned to the author", user=user)
        _move(locked, user, "returned", Report.Status.DRAFT, comment, on_behalf_of=acting_for)
    return locked


def report_approve(*, report, user, comment="", expected_status=None, expected_version=None, expected_revision=None):
    """The approver (holder of the "Report of" post) approves a signed-off report: signed off -> approved."""
    with transaction.atomic():
        locked = _lock_and_expect(report, expected_status, expected_version, expected_revision)
        check_approve(locked, user)
        outstanding = _outstanding_kinds(locked)
        if outstanding:  # only if a consultee kind was added after the report was signed off
            raise TransitionRefused(
                "The report still needs signing off by " + ", ".join(k.name for k in outstanding) + "."
            )
        _move(
            locked, user, "approved", Report.Status.APPROVED, _comment(comment), on_behalf_of=_acting_for(locked, user)
        )
        queue_report_pdf(locked)  # stored by the worker, so the first download is served from storage
    return locked


def report_withdraw_approval(
    *, report, user, reason, expected_status=None, expected_version=None, expected_revision=None
):
    """The approver or democratic services withdraw an approval: approved -> signed off.

    The report goes back to signed off, not draft: its sign-offs were given to this very version
    and stay valid, so it can be approved again as it is; any edit then voids them and returns it
    to consultation, as for every signed-off report. A reason is required and recorded.
    """
    reason = _comment(reason)
    with transaction.atomic():
        locked = _lock_and_expect(report, expected_status, expected_version, expected_revision)
        check_withdraw_approval(locked, user)
        if not reason:
            raise TransitionRefused("Say why the approval is withdrawn: a reason is required.")
        _move(locked, user, "approval_withdrawn", Report.Status.SIGNED_OFF, reason)
    return locked


def report_publish(*, report, user, comment="", expected_status=None, expected_version=None, expected_revision=None):
    """Democratic services publish an approved report: approved -> published.

    Called by the agenda when its meeting's agenda is published.
    """
    with transaction.atomic():
        locked = _lock_and_expect(report, expected_status, expected_version, expected_revision)
        check_publish(locked, user)
        _move(locked, user, "published", Report.Status.PUBLISHED, (comment or "").strip())
    return locked


def report_record_past_publication(*, report, user, at):
    """Record a report published before it was in this system (the demo's history of past meetings):
    draft -> published as of `at`, the day its agenda was, with no consultation, approval or sign-off
    here (those happened outside). Nothing else may skip the lifecycle."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        before = locked.status
        locked.status = Report.Status.PUBLISHED
        locked._history_user = user
        locked.save(update_fields=["status"])
        ReportEvent.objects.create(
            report=locked, actor=user, action="published", from_status=before, to_status=locked.status, at=at
        )
    return locked


def report_defer(*, report, user, comment):
    """The meeting a report was placed for is cancelled: published -> approved (any other state
    stays), to wait for another agenda. Its author is told. Called by boards.services.meeting_cancel."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        published = locked.status == Report.Status.PUBLISHED
        _move(locked, user, "deferred", Report.Status.APPROVED if published else locked.status, comment)
    return locked


def report_place_on_agenda(*, report, meeting, user, comment=""):
    """The report is placed on `meeting`'s agenda: its header names that meeting, and an event says so.

    Called by boards.services.agenda_add_report, which decides whether the report may go there."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.meeting_id != meeting.pk:
            # The report's header prints the date of the meeting it goes to.
            locked.meeting = meeting
            locked.version += 1
            locked.revision = 0
            locked.updated_at = timezone.now()
            locked._history_user = user
            locked.save(update_fields=["meeting", "version", "revision", "updated_at", *_close_session(locked)])
            if locked.status in {Report.Status.APPROVED, Report.Status.PUBLISHED}:
                queue_report_pdf(locked)  # its header now prints this meeting's date
        _note(locked, user, "placed_on_agenda", comment)
    return locked


def report_take_off_agenda(*, report, meeting, user):
    """The report is taken off `meeting`'s agenda before publication: an event says so.

    Called by boards.services.agenda_remove_item; the report keeps its status and its meeting."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _note(locked, user, "removed_from_agenda", str(meeting))
    return locked


def report_accept_for_forward_plan(*, report, user):
    """Democratic services accept a key decision onto the Forward Plan: from today it is public there."""
    if not (user.is_authenticated and user.sees_everything):
        raise TransitionRefused("Only democratic services can accept entries onto the Forward Plan.")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.forward_plan_accepted_on:
            raise TransitionRefused(
                f"“{locked.title}” was accepted onto the Forward Plan on {locked.forward_plan_accepted_on:%-d %B %Y}. "
                "Nothing was changed."
            )
        if not Report.objects.awaiting_forward_plan_acceptance().filter(pk=locked.pk).exists():
            raise TransitionRefused(
                f"“{locked.title}” is not a key decision in the Forward Plan with the date it entered, "
                "so there is nothing to accept. Nothing was changed."
            )
        locked.forward_plan_accepted_on = timezone.localdate()
        locked.forward_plan_accepted_by = user
        locked.skip_history_when_saving = True  # not a change to the report's text: the event records it
        locked.save(update_fields=["forward_plan_accepted_on", "forward_plan_accepted_by"])
        del locked.skip_history_when_saving
        _note(locked, user, "forward_plan_accepted", notify=True)
    return locked


# Exempt papers released ---------------------------------------------------------------------------

RELEASE_CONDITION_MAX = 2_000  # characters: a sentence or two, as the agenda's notices print


def _require_democratic_services(user, doing):
    if not (user.is_authenticated and user.sees_everything):
        raise TransitionRefused(f"Only democratic services can {doing}.")


def _refuse_while_correcting(report):
    """Refuse a change to a published report while a correction of it is open: republishing would undo it."""
    if report.corrections.filter(status=Correction.Status.OPEN).exists():
        raise TransitionRefused(
            f"A correction of “{report.title}” is open: republish or abandon it first, so that republishing it "
            "does not undo this change. Nothing was changed."
        )


def check_release(report):
    """The published agenda item of an exempt report that may be released, or a refusal saying why not."""
    from boards.selectors import agenda_item_of

    if report.is_exempt is False:
        raise TransitionRefused(f"“{report.title}” is not exempt: it is public already. Nothing was changed.")
    _refuse_while_correcting(report)
    item = agenda_item_of(report)
    published = (
        item is not None
        and report.status == Report.Status.PUBLISHED
        and item.meeting.is_published
        and item.meeting.status != item.meeting.Status.CANCELLED
        and (item.supplement_id is None or item.supplement.is_published)
    )
    if not published:
        raise TransitionRefused(
            f"“{report.title}” is not on a published agenda, so there is nothing to release yet: it is made public "
            "by publishing its agenda once it is no longer exempt. Nothing was changed."
        )
    return item


def report_set_release_terms(*, report, user, review_on, condition):
    """Democratic services set when an approved or published exempt report is reviewed for release and on
    what condition (until it is approved they are the editor's fields)."""
    _require_democratic_services(user, "change when an exempt report is reviewed for release")
    condition = " ".join((condition or "").split())
    if len(condition) > RELEASE_CONDITION_MAX:
        raise TransitionRefused(
            f"Keep the condition for release to {RELEASE_CONDITION_MAX:,} characters; it has {len(condition):,}."
        )
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.is_exempt is False:
            raise TransitionRefused(f"“{locked.title}” is not exempt, so it is not reviewed for release.")
        _refuse_while_correcting(locked)
        if locked.is_editable:
            # Here they would not raise the version, and an editor open on the report would put them back.
            raise TransitionRefused(
                f"“{locked.title}” is not approved yet: change its review date and condition in the editor."
            )
        if (locked.release_review_on, locked.release_condition) == (review_on, condition):
            return locked
        before = f"{locked.release_review_on or 'no date'}, {locked.release_condition or 'no condition'}"
        locked.release_review_on, locked.release_condition = review_on, condition
        locked._history_user = user
        locked._change_reason = "release_terms_changed"
        # Not a new version: the report's words, its sign-offs and its approval are those they were.
        locked.save(update_fields=["release_review_on", "release_condition"])
        _note(
            locked,
            user,
            "release_terms_changed",
            f"Was {before}; now {review_on or 'no date'}, {condition or 'no condition'}.",
        )
    return locked


def report_release(*, report, user, reason="", today=None):
    """Democratic services release an exempt report on a published agenda: from now it is public.

    Before its review date (or with none set) a reason is required. The report stops being exempt
    (its item moves to Part 1), an event records who, when and why, and what the public reads follows
    as for any change of exemption on an agenda: the meeting's packs are built again (the public pack
    gains the report), its PDF loses the exempt banner, its search document is written again, and the
    public stamp (the exempt count of published reports) moves, so caches and the open data follow.
    """
    _require_democratic_services(user, "release an exempt report")
    reason = _comment(reason)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        item = check_release(locked)
        due = locked.release_review_on is not None and locked.release_review_on <= today
        if not due and not reason:
            when = (
                f"before its review date of {locked.release_review_on:%-d %B %Y}"
                if locked.release_review_on
                else "without a review date"
            )
            raise TransitionRefused(
                f"Say why “{locked.title}” is released {when}: a reason is required. Nothing was changed."
            )
        grounds = _exemption_words(exemption_of(locked))
        locked.is_exempt, locked.exempt_paragraphs = False, []
        locked.updated_at = timezone.now()
        locked._history_user = user
        locked._change_reason = "released"
        locked.save(update_fields=["is_exempt", "exempt_paragraphs", "updated_at"])
        terms = f"Review date {locked.release_review_on:%-d %B %Y}" if locked.release_review_on else "No review date"
        if locked.release_condition:
            terms += f"; condition: {locked.release_condition}"
        _note(
            locked, user, "released", f"Was {grounds}. {terms}." + (f" Reason: {reason}" if reason else ""), notify=True
        )
        reindex_report(locked)
        queue_report_pdf(locked)  # the stored PDF printed the exempt banner
        _agenda_follows_on_commit(item, f"“{item.title}” was released for publication and is now in Part 1.")
    return locked


def report_record_reading(*, report, user):
    """Remember that `user` has read `report` as it stands; returns (their ReportReading, whether it is their first).

    `reading.changes_from` is the version they had read before the current one: it stays the
    starting point of "what changed" until the report changes again, so reloading the page keeps
    showing what changed since their previous visit.
    """
    reading, first = ReportReading.objects.get_or_create(report=report, user=user, defaults={"version": report.version})
    if not first and reading.version != report.version:
        reading.changes_from = reading.version
        reading.version = report.version
    reading.read_at = timezone.now()
    reading.save()
    return reading, first


# Correcting a published report ------------------------------------------------------------------------

WHAT_CHANGED_MAX = 1_000  # characters: printed on the report, its PDF and the packs' front sheets

# The report's own fields a correction does not carry: who wrote it, its place in the workflow, the
# meeting its agenda item is on (a correction does not move a report), and the review date and
# condition for release, which democratic services keep once a report is approved
# (report_set_release_terms, refused while a correction is open).
NOT_CORRECTED = {"id", "author", "status", "version", "board", "meeting", "release_review_on", "release_condition"}


def _corrected_fields():
    """The names of the report's own fields a correction carries: the header's and every text block's."""
    return [
        f.name for f in Report._meta.concrete_fields if f.editable and f.name not in NOT_CORRECTED
    ]  # fmt: skip


def _figure_address(report_id, figure_id):
    return f"/reports/{report_id}/figures/{figure_id}/"


def _repoint_figures(html, *, from_report, to_report, figures):
    """`html` with each of `from_report`'s figures shown as `to_report`'s figure `figures[id]` stands for."""
    for old, new in figures.items():
        html = html.replace(_figure_address(from_report, old), _figure_address(to_report, new))
    return html


def check_correction(report, user, *, opening):
    """The published agenda item of a report democratic services may correct now (`opening`: open a
    correction; else republish one), or a refusal saying why not."""
    from boards.selectors import agenda_item_of

    _require_democratic_services(user, "correct a published report")
    if report.status != Report.Status.PUBLISHED:
        raise TransitionRefused(
            f"“{report.title}” is {_status_label(report.status)}, not published: only a published report is corrected "
            "and republished (before publication, change it in the editor). Nothing was changed."
        )
    item = agenda_item_of(report)
    meeting = item.meeting if item else None
    if meeting is None or not meeting.is_published or (item.supplement_id and not item.supplement.is_published):
        raise TransitionRefused(f"“{report.title}” is not on a published agenda. Nothing was changed.")
    held = meeting.status in {meeting.Status.HELD, meeting.Status.MINUTES_APPROVED, meeting.Status.CANCELLED}
    if held or meeting.starts_at <= timezone.now():
        done = "was cancelled" if meeting.status == meeting.Status.CANCELLED else "has taken place"
        raise TransitionRefused(
            f"The meeting of {meeting.date_display} {done}, so “{report.title}” is the paper it had before it and can "
            "no longer be corrected. Nothing was changed."
        )
    open_one = report.corrections.filter(status=Correction.Status.OPEN).exists()
    if opening and open_one:
        raise TransitionRefused(
            f"A correction of “{report.title}” is open already: finish it (republish it) or abandon it first. "
            "Nothing was changed."
        )
    if not opening and not open_one:
        raise TransitionRefused(f"No correction of “{report.title}” is open. Nothing was changed.")
    return item


def _locked_open_correction(report):
    correction = Correction.objects.select_for_update().filter(report=report, status=Correction.Status.OPEN).first()
    if correction is None:
        raise TransitionRefused(f"No correction of “{report.title}” is open. Nothing was changed.")
    return correction


def report_open_correction(*, report, user):
    """Democratic services open a correction of a published report whose meeting is still to come.

    The report's content is copied, through this module, to a report of its own (status correction,
    the same author) that its author and democratic services edit in the ordinary editor, with its
    own versions; the published report and everything made from it stay as they are until
    `report_republish`. Returns the Correction; its `draft` is the copy.
    """
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        check_correction(locked, user, opening=True)
        copy = Report(
            author=locked.author,
            status=Report.Status.CORRECTION,
            board=locked.board,
            meeting=locked.meeting,
            # Shown in the editor as the report has them; republishing leaves the report's own.
            release_review_on=locked.release_review_on,
            release_condition=locked.release_condition,
            **{name: getattr(locked, name) for name in _corrected_fields()},
        )
        copy._history_user = user
        copy.save()
        copy.wards.set(locked.wards.all())
        figures = {}
        for figure in locked.figures.all():
            kept = Figure.objects.create(
                report=copy,
                file=figure.file.name,  # the same stored file: a figure's file never changes
                content_type=figure.content_type,
                source_format=figure.source_format,
                width=figure.width,
                height=figure.height,
                size=figure.size,
                uploaded_by=figure.uploaded_by,
                uploaded_at=figure.uploaded_at,
            )
            figures[figure.pk] = kept.pk
        for row in locked.recommendations.all():
            rec = Recommendation(report=copy, position=row.position, text=row.text)
            rec._history_user = user
            rec.save()
        sections = {}
        for row in locked.sections.all():
            body = _repoint_figures(row.body, from_report=locked.pk, to_report=copy.pk, figures=figures)
            section = Section(report=copy, position=row.position, heading=row.heading, body=body)
            section._history_user = user
            section.save()
            sections[str(section.pk)] = row.pk
        for model, key in [(Implication, "type"), (CorePurposeContribution, "purpose")]:
            for row in model.objects.filter(report=locked):
                model.objects.create(report=copy, **{key: getattr(row, key)}, text=row.text)
        for row in locked.appendices.all():
            appendix = Appendix(report=copy)
            for field in Appendix._meta.concrete_fields:
                if field.name not in {"id", "report"}:
                    setattr(appendix, field.attname, getattr(row, field.attname))  # the same stored files
            appendix._history_user = user
            appendix.save()
        reindex_report(copy)
        correction = Correction.objects.create(
            report=locked,
            draft=copy,
            opened_by=user,
            sections=sections,
            figures={str(c): o for o, c in figures.items()},
        )
        note = f"Edition {locked.edition} as published is unchanged until the correction is republished."
        _note(locked, user, "correction_opened", note, notify=True)
    return correction


def _apply_rows_by_position(model, report, rows, fields, user):
    """Make the report's rows of `model` the texts of `rows` (the copy's), position by position."""
    existing = list(model.objects.filter(report=report).order_by("position", "pk"))
    for index, row in enumerate(rows):
        obj = existing[index] if index < len(existing) else model(report=report)
        values = {"position": index + 1, **{f: getattr(row, f) for f in fields}}
        if obj.pk is None or any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            obj._history_user = user
            obj.save()
    for obj in existing[len(rows) :]:
        obj._history_user = user
        obj.delete()


def _apply_correction(locked, copy, correction, user):
    """Put the copy's content into the published report, keeping the report's rows where the copy kept them."""
    for name in _corrected_fields():
        setattr(locked, name, getattr(copy, name))
    if locked.forward_plan_accepted_on and not (locked.is_key_decision and locked.in_forward_plan):
        locked.forward_plan_accepted_on, locked.forward_plan_accepted_by = None, None
    wards = set(copy.wards.values_list("pk", flat=True))
    if set(locked.wards.values_list("pk", flat=True)) != wards:
        locked.wards.set(wards)
    # Figures: those the copy was given stand for the report's own; one added to the copy becomes the report's.
    figures = {int(c): o for c, o in correction.figures.items()}
    for figure in copy.figures.all():
        if figure.pk not in figures:
            Figure.objects.filter(pk=figure.pk).update(report=locked)
            figures[figure.pk] = figure.pk
    # Sections: one the copy kept is updated in place (same pk); a new one is added; one it removed goes.
    mapping = {int(c): o for c, o in correction.sections.items()}
    existing = {s.pk: s for s in Section.objects.filter(report=locked)}
    for position, row in enumerate(copy.sections.all(), start=1):
        section = existing.pop(mapping.get(row.pk), None) or Section(report=locked)
        body = _repoint_figures(row.body, from_report=copy.pk, to_report=locked.pk, figures=figures)
        if section.pk is None or (section.position, section.heading, section.body) != (position, row.heading, body):
            section.position, section.heading, section.body = position, row.heading, body
            section._history_user = user
            section.save()
    for section in existing.values():
        section._history_user = user
        section.delete()
    _apply_rows_by_position(Recommendation, locked, list(copy.recommendations.all()), ["text"], user)
    for model, key in [(Implication, "type"), (CorePurposeContribution, "purpose")]:
        texts = {getattr(row, key): row.text for row in model.objects.filter(report=copy).select_related(key)}
        _sync_texts(model, locked, key, texts)
    # Appendices: the copy's rows share the report's stored files, so a file names the appendix it is.
    own = {a.file.name: a for a in Appendix.objects.filter(report=locked)}
    for position, row in enumerate(copy.appendices.all(), start=1):
        appendix = own.pop(row.file.name, None) or row  # one added to the copy moves to the report
        if appendix.report_id != locked.pk or (appendix.position, appendix.title) != (position, row.title):
            appendix.report, appendix.position, appendix.title = locked, position, row.title
            appendix._history_user = user
            appendix.save()
    for appendix in own.values():
        appendix._history_user = user
        appendix.delete()  # the row only: its file stays, as the report's history names it


def _correction_changes(locked, copy):
    """Whether the copy says anything the published report does not (its words, or its appendices)."""

    def words(report):
        return [(b.key, b.text) for b in report_blocks(report, sign_offs=[])]

    appendices = [[(a.file.name, a.title) for a in r.appendices.all()] for r in (locked, copy)]
    return words(locked) != words(copy) or appendices[0] != appendices[1]


def report_republish(*, report, user, what_changed):
    """Democratic services republish a published report with its open correction: a new edition.

    In one transaction the copy's content replaces the report's (its sections updated in place, so
    their pks stay), the report's version and `edition` are raised, the correction is closed with
    `what_changed` (required) and the copy is deleted; an event records it. After the commit the
    meeting's packs become a new edition noting what changed, the report's PDF is made again, and
    the public pages, the API and the feeds, whose stamps read the version, show the new edition.
    """
    what_changed = " ".join((what_changed or "").split())
    if not what_changed:
        raise TransitionRefused(
            "Say what the correction changed: it is printed on the report as its new edition’s note."
        )
    if len(what_changed) > WHAT_CHANGED_MAX:
        raise TransitionRefused(f"Keep what changed to {WHAT_CHANGED_MAX:,} characters; it has {len(what_changed):,}.")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        item = check_correction(locked, user, opening=False)
        correction = _locked_open_correction(locked)
        copy = Report.objects.select_for_update().get(pk=correction.draft_id)
        for appendix in copy.appendices.all():
            if appendix.is_converting or appendix.conversion == Appendix.Conversion.FAILED or not appendix.file:
                raise TransitionRefused(
                    f"Appendix “{appendix.title}” of the correction is not a PDF yet "
                    f"({appendix.get_conversion_display().lower()}): wait for it, or remove it. Nothing was changed."
                )
        if not _correction_changes(locked, copy):
            raise TransitionRefused(
                "The correction is the same as the published report: change it in the editor first, or abandon it. "
                "Nothing was changed."
            )
        exemption_before = exemption_of(locked)
        _apply_correction(locked, copy, correction, user)
        locked.edition += 1
        locked.version += 1
        locked.revision = 0
        locked.updated_at = timezone.now()
        locked._history_user = user
        locked._change_reason = "republished"
        _close_session(locked)
        locked.save()
        reindex_report(locked)
        correction.status = Correction.Status.REPUBLISHED
        correction.closed_by, correction.closed_at = user, timezone.now()
        correction.edition, correction.what_changed = locked.edition, what_changed
        correction.draft = None
        correction.save()
        copy.delete()  # its content is the report's now; its versions stay in the history tables
        _note(locked, user, "republished", f"Edition {locked.edition}: {what_changed}", notify=True)
        note_exemption_change(locked, exemption_before, user=user)
        queue_report_pdf(locked)
        # The packs' note says what changed only of a report public before and after: a public pack printing
        # it with another change must not carry the words of an exempt one.
        public = exemption_before[0] is False and locked.is_exempt is False
        change = f"“{item.title}” was corrected (edition {locked.edition})"
        _agenda_follows_on_commit(item, f"{change}: {what_changed}" if public else f"{change}.")
    return locked


def report_abandon_correction(*, report, user):
    """Democratic services abandon a report's open correction: the copy is deleted, the published
    report is left exactly as it was, and an event records it."""
    _require_democratic_services(user, "abandon a correction")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        correction = _locked_open_correction(locked)
        copy = correction.draft
        correction.status = Correction.Status.ABANDONED
        correction.closed_by, correction.closed_at = user, timezone.now()
        correction.draft = None
        correction.save()
        if copy is not None:
            copy.delete()
        _note(locked, user, "correction_abandoned", f"Edition {locked.edition} stays as published.")
    return locked
