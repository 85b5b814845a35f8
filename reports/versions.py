"""A report's versions: the timeline of who changed what and when, and any two versions side by side.

Built on django-simple-history's rows (every save of a report or one of its parts) read through
`reports.history.blocks_at_version`, and on the workflow's event rows.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from reports.content import report_blocks
from reports.history import blocks_at_version

# Words, runs of spaces and single punctuation marks: a change to one word highlights that word.
TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass
class Version:
    number: int
    saved_at: object
    saved_by: object
    is_current: bool


@dataclass
class ComparedBlock:
    key: str
    label: str
    old_label: str  # differs from `label` when a section's heading changed
    old_html: str
    new_html: str
    changed: bool


def report_versions(report):
    """Each version of `report`, newest first: when it was saved and by whom."""
    versions, revisions = {}, {}
    rows = report.history.order_by("history_date", "history_id").select_related("history_user")
    for row in rows.only("version", "revision", "history_date", "history_user"):
        if row.version not in versions or row.revision > revisions[row.version]:
            # The first row of a version is the save that made it, and the first of each later
            # revision an autosave folded into it (reports.services.report_save_draft): the version
            # was last saved then. Other rows at the same revision are workflow steps (status
            # changes), shown on the timeline as events.
            versions[row.version] = Version(row.version, row.history_date, row.history_user, False)
            revisions[row.version] = row.revision
    result = sorted(versions.values(), key=lambda v: v.number, reverse=True)
    if result and result[0].number == report.version:
        result[0].is_current = True
    return result


def timeline(report):
    """Versions and workflow events in one list, newest first: ("version", Version) or ("event", ReportEvent)."""
    entries = [(v.saved_at, 0, "version", v) for v in report_versions(report)]
    entries += [(e.at, 1, "event", e) for e in report.events.select_related("actor", "on_behalf_of")]
    entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [(kind, item) for _, _, kind, item in entries]


def _mark(tokens, tag):
    """Escaped text wrapped in <del> or <ins>, with its leading and trailing spaces left outside."""
    text = "".join(tokens)
    core = text.strip()
    if not core:
        return escape(text)
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    # Struck through or underlined as well as coloured: the change never rests on colour alone.
    colour = {"del": "bg-danger-subtle", "ins": "bg-success-subtle"}[tag]
    return f'{escape(lead)}<{tag} class="diff-{tag} {colour}">{escape(core)}</{tag}>{escape(trail)}'


def _segments(a, b):
    """difflib's opcodes as (changed, old tokens, new tokens), with tiny unchanged gaps between changes
    (a space, "a", "of") folded into them, so "an overview" -> "a summary" reads as one change."""
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        segments.append([op != "equal", a[i1:i2], b[j1:j2]])
    merged = []
    for index, segment in enumerate(segments):
        changed, old, new = segment
        between_changes = 0 < index < len(segments) - 1 and merged and merged[-1][0] and segments[index + 1][0]
        if not changed and between_changes and len("".join(old).strip()) <= 3:
            changed = True
        if changed and merged and merged[-1][0]:
            merged[-1][1] = merged[-1][1] + old
            merged[-1][2] = merged[-1][2] + new
        else:
            merged.append([changed, list(old), list(new)])
    return merged


def diff_html(old, new):
    """`old` and `new` as escaped HTML, with removed words in <del> and added words in <ins>."""
    left, right = [], []
    for changed, a, b in _segments(TOKENS.findall(old or ""), TOKENS.findall(new or "")):
        if changed:
            left.append(_mark(a, "del"))
            right.append(_mark(b, "ins"))
        else:
            left.append(escape("".join(a)))
            right.append(escape("".join(b)))
    return (
        mark_safe("".join(left).replace("\n", "<br>")),
        mark_safe("".join(right).replace("\n", "<br>")),
    )


def compare_blocks(old_blocks, new_blocks):
    """The blocks of two versions side by side, in the newer version's order (blocks gone come after)."""
    old = {b.key: b for b in old_blocks}
    new = {b.key: b for b in new_blocks}
    keys = [b.key for b in new_blocks] + [b.key for b in old_blocks if b.key not in new]
    rows = []
    for key in keys:
        before, after = old.get(key), new.get(key)
        old_text = before.text if before else ""
        new_text = after.text if after else ""
        old_html, new_html = diff_html(old_text, new_text)
        label = (after or before).label
        old_label = (before or after).label
        rows.append(
            ComparedBlock(key, label, old_label, old_html, new_html, (old_text, old_label) != (new_text, label))
        )
    return rows


def blocks_for(report, version):
    """The report's blocks at `version`: the live report for the current version, else from history."""
    if version == report.version:
        return report_blocks(report)
    return blocks_at_version(report, version)
