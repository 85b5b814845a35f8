from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from public.queries import item_has_public_report
from reports.models import Report

register = template.Library()


@register.filter
def has_public_report(item):
    """`item|has_public_report`: whether the agenda item links a report anyone may read."""
    return item_has_public_report(item)


@register.filter
def search_result(result):
    """One result of a search (public.search.Result) as its list item: the report's title linked,
    where and when it was taken, and its extract. Written out here rather than in the template: a page
    shows twenty, and each took some thirty template lookups, a third of what a search's time grew by
    with its matches (issue 21)."""
    report = result.report
    meta = [escape(report.board or "")]
    if report.starts_at:
        meta.append(escape(report.date_display))
    if report.is_exempt:
        meta.append('<span class="badge text-bg-warning">Exempt: not for publication</span>')
    if report.status != Report.Status.PUBLISHED:
        meta.append(escape(report.get_status_display()))
    snippet = f'\n    <p class="mb-0 search-snippet">{result.snippet}</p>' if result.snippet else ""
    return mark_safe(  # noqa: S308 - every value is escaped above; the snippet was escaped by _marked
        f'<li class="mb-4">\n    <h3 class="h5 mb-1"><a href="{escape(result.url)}">{escape(report.title)}</a></h3>\n'
        f'    <p class="small text-muted mb-1">{" · ".join(meta)}</p>{snippet}\n  </li>'
    )
