"""Everything that changes a report: one function per action, each in one transaction.

The workflow (submit, sign off, return, approve, withdraw) builds on these; the rules are in
DESIGN.md section 3. Views call these functions and never save reports themselves.
"""

import logging

from django.db import transaction
from django.utils import timezone

from reports.content import report_blocks
from reports.history import blocks_at_version
from reports.models import Appendix, CorePurposeContribution, Implication, Recommendation, Report, ReportEvent, Section

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


def _changes_since(report, base_version):
    """The blocks that differ between `base_version` and the report as it stands now."""
    before = blocks_at_version(report, base_version)
    now = report_blocks(report)
    if before is None:
        return [(b.label, b.text) for b in now]
    old = {b.key: b.text for b in before}
    return [(b.label, b.text) for b in now if old.get(b.key) != b.text]


def _sync_rows(model, report, rows, fields):
    """Make the report's rows of `model` exactly the non-blank `rows`, in order.

    Sets each row's pk to the saved object's, so the editor can learn the ids of new rows.
    """
    existing = {obj.pk: obj for obj in model.objects.filter(report=report)}
    kept = []
    for row in rows:
        if row.is_blank:
            row.pk = None
    for position, row in enumerate((r for r in rows if not r.is_blank), start=1):
        obj = existing.pop(row.pk, None) if row.pk else None
        if obj is None:
            obj = model(report=report)
        changed = obj.pk is None or obj.position != position
        for field in fields:
            if getattr(obj, field) != row[field]:
                setattr(obj, field, row[field])
                changed = True
        obj.position = position
        if changed:
            obj.save()
        row.pk = obj.pk
        kept.append(obj)
    for obj in existing.values():
        obj.delete()
    return kept


def _sync_texts(model, report, key, texts):
    """Upsert one text per reference item (implication type or core purpose)."""
    existing = {getattr(obj, f"{key}_id"): obj for obj in model.objects.filter(report=report)}
    for item, text in texts.items():
        obj = existing.get(item.pk)
        if obj is None:
            if text:
                model.objects.create(report=report, **{key: item}, text=text)
        elif obj.text != text:
            obj.text = text
            obj.save()


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
        ReportEvent.objects.create(
            report=report,
            actor=user,
            action="sign_offs_voided",
            from_status=report.status,
            to_status=report.status,
            comment=reason + ": " + ", ".join(s.reference for s in voided),
        )
    return voided


def report_save_draft(*, report, form, recommendations, sections, user, expected_version):
    """Save the editor's content as the report's next version.

    Only the form's valid fields are applied (an invalid one keeps its stored value), so an
    autosave never loses the rest of what was typed; `recommendations` or `sections` of None
    leave that list untouched.

    Refuses with StaleEdit when the report moved on since `expected_version`, and with
    ReportLocked once it is approved. Saving an unchanged form writes nothing. Editing a
    signed-off report voids its sign-offs and returns it to consultation.
    Returns (report, changed).
    """
    is_new = report.pk is None
    with transaction.atomic():
        if is_new:
            report.author = user
            report.save()
            locked = report
        else:
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if not locked.is_editable:
                raise ReportLocked()
            if expected_version is not None and locked.version != expected_version:
                raise StaleEdit(locked, _changes_since(locked, expected_version))
        before = report_blocks(locked)

        for name, value in form.cleaned_data.items():
            if name in {"version", "wards"} or name.startswith(("implication_", "core_purpose_")):
                continue
            setattr(locked, name, value)
        # A list with a row in error is left as it was; the editor shows the error by the row.
        if recommendations is not None:
            _sync_rows(Recommendation, locked, recommendations, ["text"])
        if sections is not None:
            _sync_rows(Section, locked, sections, ["heading", "body"])
        _sync_texts(Implication, locked, "type", form.implication_texts())
        _sync_texts(CorePurposeContribution, locked, "purpose", form.core_purpose_texts())
        if "wards" in form.cleaned_data:
            wards = list(form.cleaned_data["wards"] or [])
            if set(locked.wards.all()) != set(wards):
                locked.wards.set(wards)

        after = report_blocks(locked)
        changed = is_new or before != after
        if changed:
            if locked.active_sign_offs():
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
            if not is_new:
                locked.version += 1
            locked.updated_at = timezone.now()
            locked._history_user = user
            locked.save()
            if is_new:
                ReportEvent.objects.create(report=locked, actor=user, action="created", to_status=locked.status)
    return locked, changed


def appendix_add(*, report, title, upload, page_count, user):
    """Attach a checked PDF to the report as its last appendix."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable:
            raise ReportLocked()
        position = (locked.appendices.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        appendix = Appendix(
            report=locked,
            title=title,
            position=position,
            original_filename=(upload.name or "")[:255],
            size=upload.size,
            page_count=page_count,
        )
        appendix.file.save("appendix.pdf", upload, save=False)
        appendix._history_user = user
        appendix.save()
        _bump(locked, user, reason="Appendix added")
    return appendix


def appendix_remove(*, appendix, user):
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
        _bump(locked, user, reason="Appendix removed")


def _bump(report, user, *, reason):
    """Record a change made outside the editor form as a new version."""
    if report.active_sign_offs():
        void_sign_offs(report, reason=reason + " after sign-off", user=user)
        if report.status == Report.Status.SIGNED_OFF:
            report.status = Report.Status.CONSULTATION
    report.version += 1
    report.updated_at = timezone.now()
    report._history_user = user
    report.save()
