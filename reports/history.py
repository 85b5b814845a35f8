"""Reading a report as it stood at an earlier version, from django-simple-history's records.

Every save of the report raises its version and writes a historical row of the report after its
parts (recommendations, sections, ...), so the parts as they stood at the time of the last row
of a version are that version's parts.
"""

from reports.content import report_blocks
from reports.models import Appendix, CorePurposeContribution, Implication, Recommendation, Section, SignOff


def version_record(report, version, revision=None):
    """The last historical row of `report` at `version` (at `revision` of it, when given), or None.

    Autosaves of one editing session update a version in place (reports.services), each raising
    its revision: the last row of a version is the version as it stands, a row of a revision is
    the version as an editor page saw it.
    """
    rows = report.history.filter(version=version)
    if revision is not None:
        rows = rows.filter(revision=revision)
    return rows.order_by("-history_date", "-history_id").first()


def blocks_at_version(report, version, revision=None):
    """The report's blocks as they stood at `version` (at `revision`), or None if that version is unknown."""
    record = version_record(report, version, revision)
    if record is None:
        return None
    when = record.history_date

    def parts(model):
        return list(model.history.as_of(when).filter(report_id=report.pk))

    old = record.instance
    recommendations = sorted(parts(Recommendation), key=lambda r: (r.position, r.pk))
    sections = sorted(parts(Section), key=lambda s: (s.position, s.pk))
    appendices = sorted(parts(Appendix), key=lambda a: (a.position, a.pk))
    implications = sorted(parts(Implication), key=lambda i: (i.type.position, i.type.name))
    core_purposes = sorted(parts(CorePurposeContribution), key=lambda c: (c.purpose.position, c.purpose.name))
    sign_offs = [s for s in parts(SignOff) if s.voided_at is None]
    wards = sorted(w.ward.name for w in record.wards.all()) if hasattr(record, "wards") else []
    return report_blocks(
        old,
        recommendations=recommendations,
        implications=implications,
        core_purposes=core_purposes,
        sections=sections,
        sign_offs=sign_offs,
        appendices=appendices,
        wards=wards,
    )
