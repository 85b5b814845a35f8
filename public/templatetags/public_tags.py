from html import escape

from django import template
from django.utils.safestring import mark_safe

from public.queries import item_has_public_report
from reports.models import Report

register = template.Library()


@register.filter
def has_public_report(item):
    """`item|has_public_report`: whether the agenda item links a report anyone may read."""
    return item_has_public_report(item)


@register.filter
def search_results(results):
    """A page of search results (public.search.Result) as their list items: each report's title linked,
    where and when it was taken, and its extract. Written out here in one pass rather than by a template
    loop (a page shows twenty, and each took some thirty template lookups), with the standard library's
    escape rather than Django's lazy-aware wrapper, and each meeting's date put in words once a page:
    what a search's time grows by with its results is mostly this (issue 21)."""
    days, items = {}, []
    for result in results:
        report = result.report
        meta = [escape(report.board or "")]
        if report.starts_at:
            if report.starts_at not in days:
                days[report.starts_at] = escape(report.date_display)
            meta.append(days[report.starts_at])
        if report.is_exempt:
            meta.append('<span class="badge text-bg-warning">Exempt: not for publication</span>')
        if report.status != Report.Status.PUBLISHED:
            meta.append(escape(report.get_status_display()))
        snippet = f'\n    <p class="mb-0 search-snippet">{result.snippet}</p>' if result.snippet else ""
        items.append(
            f'<li class="mb-4">\n    <h3 class="h5 mb-1"><a href="{escape(result.url)}">{escape(report.title)}</a></h3>\n'
            f'    <p class="small text-muted mb-1">{" · ".join(meta)}</p>{snippet}\n  </li>'
        )
    return mark_safe("\n  ".join(items))  # noqa: S308 - every value is escaped above; the snippets were escaped by public.search
