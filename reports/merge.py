"""Bringing a refused (stale) edit up to date without losing anyone's work.

When a save is refused because someone else saved first, the editor is shown again with the
refused text. A field the refused editor did not touch (it still holds what they loaded) takes
the other person's newer value, so saving again cannot undo their change; a field both changed
keeps the refused editor's text, and the page lists the other person's version beside it.
"""

from reports.forms import ReportForm
from reports.history import version_record
from reports.models import CorePurposeContribution, Implication, Recommendation, Section


def _rows_as_of(model, report, when, fields):
    rows = sorted(model.history.as_of(when).filter(report_id=report.pk), key=lambda r: (r.position, r.pk))
    return [[str(r.pk)] + [getattr(r, f) for f in fields] for r in rows]


def _posted_rows(data, prefix, fields):
    columns = [data.getlist(f"{prefix}-id")] + [data.getlist(f"{prefix}-{f}") for f in fields]
    rows = [list(row) for row in zip(*columns, strict=False)]
    return [row for row in rows if any(value.strip() for value in row[1:])]


def merge_stale_post(*, report, base_version, data, base_revision=0):
    """`data` (the refused POST) with every field its sender left unchanged brought up to date.

    `base_revision` is the revision of `base_version` the sender saw (autosaves fold into a version).
    Returns (merged data, names of the fields both people changed).
    """
    record = version_record(report, base_version, base_revision)
    if record is None:
        return data, []
    when = record.history_date
    base = record.instance
    base_initial = {}
    base_form = ReportForm(instance=base)
    for name in ReportForm.Meta.fields:
        if name != "wards":
            base_initial[name] = base_form[name].initial
    base_initial["wards"] = [w.ward_id for w in record.wards.all()] if hasattr(record, "wards") else []
    for implication in Implication.history.as_of(when).filter(report_id=report.pk):
        base_initial[f"implication_{implication.type_id}"] = implication.text
    for contribution in CorePurposeContribution.history.as_of(when).filter(report_id=report.pk):
        base_initial[f"core_purpose_{contribution.purpose_id}"] = contribution.text

    current = ReportForm(instance=report)
    merged = data.copy()
    conflicts = []
    for name, field in current.fields.items():
        if name in {"version", "revision"}:
            continue
        posted = field.widget.value_from_datadict(data, {}, name)
        if name.startswith(("implication_", "core_purpose_")):
            base_value = base_initial.get(name, "")
        else:
            base_value = base_initial.get(name)
        now_value = current[name].initial
        if not field.has_changed(base_value, posted):
            value = field.prepare_value(now_value)
            if isinstance(value, list | tuple):
                merged.setlist(name, [str(v) for v in value])
            else:
                merged[name] = "" if value is None else str(value)
        elif field.has_changed(base_value, field.prepare_value(now_value)):
            conflicts.append(name)

    for prefix, model, fields in [
        ("recommendation", Recommendation, ["text"]),
        ("section", Section, ["heading", "body"]),
    ]:
        posted = _posted_rows(data, prefix, fields)
        if posted == _rows_as_of(model, report, when, fields):
            rows = [[str(r.pk)] + [getattr(r, f) for f in fields] for r in model.objects.filter(report=report)]
            merged.setlist(f"{prefix}-id", [row[0] for row in rows])
            for index, field_name in enumerate(fields, start=1):
                merged.setlist(f"{prefix}-{field_name}", [row[index] for row in rows])
    return merged, conflicts
