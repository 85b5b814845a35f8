import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from boards import selectors
from config.middleware import keeps_fields_of_unreadable_upload
from config.numbers import whole_number
from deadlines import selectors as deadlines
from public.decorators import public_or_login_required
from public.queries import forward_plan_pending, member_panel, readable_reports
from reports import editorcache, services, versions
from reports.forms import (
    SECTION_EDITOR_CONFIG,
    AppendixForm,
    FigureForm,
    ReleaseForm,
    ReleaseTermsForm,
    ReportForm,
    Row,
    partial_names,
    read_recommendations,
    read_sections,
    section_editor_media,
)
from reports.merge import merge_stale_post
from reports.models import TEMPLATE_BLOCKS, Appendix, ConsulteeKind, Correction, Figure, Report, report_row
from reports.officeconvert import OFFICE_CONTENT_TYPES

log = logging.getLogger(__name__)

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def get_report_for(user, pk, action="view"):
    """The report `pk` if `user` may do `action` to it, else 404.

    "view": read it; "edit": change it (its author, democratic services); "consult": the
    consultee's view (finance and legal officers); "history": its versions and their
    comparison (those with a part in its making: `Report.is_party`).
    Never 403: someone with no part in a report is not told it exists.
    """
    if action == "edit" and user.is_authenticated:
        # Those who may edit (its author, democratic services) may always view it (visible_to), so
        # the row alone decides: the editor and every autosave are spared the visibility query, and
        # read it with one plain statement (report_row).
        report = report_row(pk)
        if report is None or not (report.author_id == user.pk or user.sees_everything):
            raise Http404("No such report")
        return report
    reports = Report.objects.select_related("board", "meeting", "report_of")
    report = get_object_or_404(reports.visible_to(user), pk=pk)
    if action == "consult" and not user.consultee_kinds.filter(is_active=True).exists():
        raise Http404("No such report")
    if action == "history" and not report.is_party(user):
        raise Http404("No such report")
    return report


def report_queryset():
    """Reports with everything the list and detail pages print, fetched in a fixed number of queries."""
    return Report.objects.with_parts()


def home(request):
    """My work: first what this person acts on (their role's panels), then what waits for them, their
    drafts and coming report deadlines; the public site for visitors."""
    if not request.user.is_authenticated:
        return redirect("public:home")
    user = request.user
    visible = Report.objects.visible_to(user).select_related("board", "meeting", "meeting__board")
    members = member_panel(user)
    is_consultee = user.consultee_kinds.filter(is_active=True).exists()
    is_approver = user.posts.exists()
    is_officer = user.is_author or user.sees_everything or is_consultee or is_approver
    # A councillor (a member of boards who is not an officer) sees their boards' papers, nothing of drafts.
    is_councillor = bool(members["member_boards"]) and not is_officer
    readings = dict(user.report_readings.values_list("report_id", "version")) if is_consultee else {}
    to_sign = deadlines.overdue_first(visible.awaiting_sign_off_by(user).order_by("updated_at"))
    for report in to_sign:
        report.last_read_version = readings.get(report.pk)
    to_approve = deadlines.overdue_first(visible.awaiting_approval_by(user).order_by("updated_at"))
    returned = my_drafts = my_reports = corrections = []
    if not is_councillor:
        corrections = _corrections_for(user)
        # Their own reports, which visible_to always lets them see: asked without its clause, whose
        # compiling was most of this page's cost (issue 21).
        mine = Report.objects.filter(author=user).select_related("board", "meeting", "meeting__board")
        returned = list(mine.returned().with_latest_return())
        drafts = mine.filter(status=Report.Status.DRAFT).exclude(pk__in=[r.pk for r in returned])
        my_drafts = deadlines.overdue_first(drafts.order_by("pk"))
        my_reports = deadlines.overdue_first(
            mine.exclude(status__in=[Report.Status.DRAFT, Report.Status.CORRECTION]).order_by("-updated_at")[:20]
        )
    my_meetings = selectors.meetings_clerked_by(user) if user.sees_everything else []
    due_counts = deadlines.due_counts(my_meetings) if my_meetings else {}
    for meeting in my_meetings:
        meeting.reports_due = due_counts.get(meeting.pk, 0)
    # The panels of what this person acts on, in the order of their roles, before everything else.
    first = []
    if user.sees_everything:
        first.append("reports/_home_meetings.html")
    if is_approver or to_approve:
        first.append("reports/_home_approvals.html")
    if is_consultee or to_sign:
        first.append("reports/_home_sign_offs.html")
    if is_councillor:
        first.append("public/_member_panel.html")
    context = {
        "first_panels": first,
        "is_councillor": is_councillor,
        "my_drafts": my_drafts,
        "to_sign": to_sign,
        "to_approve": to_approve,
        "returned": returned,
        "corrections": corrections,
        "my_reports": my_reports,
        "my_meetings": my_meetings,
        "today": timezone.localdate(),
        "to_place": _reports_to_place(user),
        "forward_plan_pending": forward_plan_pending(user),
        "exempt_due": _exempt_papers_due(user),
        "deadlines": _coming_deadlines() if (user.is_author or user.sees_everything) else [],
        **members,
    }
    return render(request, "reports/home.html", context)


def _corrections_for(user):
    """The open corrections of published reports this person makes: their own reports' (the author),
    or all of them (democratic services)."""
    open_ones = Correction.objects.filter(status=Correction.Status.OPEN).select_related(
        "report__meeting__board", "draft"
    )
    if not user.sees_everything:
        open_ones = open_ones.filter(draft__author=user)
    return list(open_ones.order_by("report__meeting__starts_at", "pk"))


def _reports_to_place(user):
    """For democratic services: approved reports not yet on any agenda."""
    if not user.sees_everything:
        return []
    return list(selectors.reports_not_on_an_agenda())


def _exempt_papers_due(user):
    """For democratic services: how many exempt papers on published agendas are due for review today."""
    if not user.sees_everything:
        return 0
    due = Report.objects.exempt_on_published_agendas().filter(release_review_on__lte=timezone.localdate())
    return due.count()


def _coming_deadlines():
    """The next eight weeks' meetings with their report and publication deadlines."""
    return selectors.coming_meetings(weeks=8, limit=10)


@login_required
@require_safe
def report_list(request):
    """Reports I may see: mine or all, filtered by status and board, 25 a page."""
    reports = Report.objects.visible_to(request.user).select_related("board", "meeting", "meeting__board", "author")
    scope = request.GET.get("scope", "mine")
    if scope not in {"mine", "all"}:
        scope = "mine"
    if scope == "mine":
        reports = reports.filter(author=request.user)
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        reports = reports.filter(status=status)
    else:
        status = ""
    board_slug = request.GET.get("board", "")
    if board_slug and SLUG.fullmatch(board_slug):
        reports = reports.filter(board__slug=board_slug)
    else:
        board_slug = ""
    page = Paginator(reports.order_by("-updated_at", "-pk"), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "scope": scope,
        "status": status,
        "board_slug": board_slug,
        "statuses": Report.Status.choices,
        "boards": selectors.all_boards(),
    }
    return render(request, "reports/report_list.html", context)


@login_required
def report_new(request):
    """A blank report editor; the first save creates the draft."""
    if not (request.user.is_author or request.user.sees_everything):
        raise Http404("Only report authors can start reports")
    page = editor_page(request) if request.method == "POST" else ""
    if page:
        # The page's first save made the draft while this one was on its way: save onto it.
        made = Report.objects.filter(author=request.user, editor_page=page).first()
        if made and made.is_editable:
            # It was sent before the report existed: version 0, so it is taken as the page's own
            # next save only if no one else has saved the draft since.
            return _editor(request, made, unversioned_base=0)
    return _editor(request, Report(author=request.user))


@login_required
def report_edit(request, pk):
    report = get_report_for(request.user, pk, "edit")
    if not report.is_editable:
        correction = report.open_correction
        if correction is not None:  # its correction is what is edited now
            messages.info(request, "This report is published: you are editing its correction.")
            return redirect("reports:edit", correction.draft_id)
        messages.info(request, "This report is approved, so it cannot be edited.")
        return redirect(report)
    return _editor(request, report)


def _rows_for_display(report, posted_rows, kind):
    """The rows the editor shows: as posted when re-showing a form, else as stored."""
    if posted_rows is not None:
        return posted_rows
    if not report.pk:
        return []
    if kind == "recommendation":
        return [Row(r.pk, {"text": r.text}) for r in report.recommendations.all()]
    return [Row(s.pk, {"heading": s.heading, "body": s.body}) for s in report.sections.all()]


def editor_page(request):
    """The id the editor page (one browser tab) posts with each save; see report_save_draft."""
    page = request.POST.get("editor_page", "")
    return page if len(page) == 32 and page.isascii() and page.isalnum() else ""


NOT_SAVED = (
    "Your changes have not been saved: the system could not store them just now (the database may be busy). "
    "Everything you typed is still in the form below. Use Save draft again in a moment."
)
VERSION_MISSING = (
    "Your changes have not been saved: the save did not say which version of the report you started from, "
    "so it could have undone someone else's newer change. Everything you typed is still in the form below; "
    "the report is now at version {version}. Check your text against it, then use Save draft again."
)


def _editor(request, report, unversioned_base=None):
    """The one-page editor: show it, save it (by hand or autosave), check completeness.

    A save must say which version it was based on; `unversioned_base` is the version assumed for
    one sent without (a page's save that crossed its first save, which made the report)."""
    shown = {"posted_recommendations": None, "posted_sections": None, "stale": None, "missing": None}
    shown |= {"save_problem": "", "list_errors": []}
    if request.method != "POST":
        return _show_editor(request, report, None, shown)
    return _save_from_editor(request, report, unversioned_base, shown)


def _save_from_editor(request, report, unversioned_base, shown):
    """Save what the editor posted; answer an autosave in JSON, a form post with the page or a redirect."""
    autosave = request.POST.get("_autosave") == "1"
    # The editor's script autosaves only what changed since its last save (forms.PARTIAL_FIELD names it);
    # everything else keeps its stored value. A post without it, or of a report not made yet, is the whole form.
    only = partial_names(request.POST) if autosave and report.pk else None
    form = ReportForm(request.POST, instance=report, only=only)
    recommendations, rec_error, sections, sec_error = None, None, None, None
    if only is None or "recommendations" in only:
        recommendations, rec_error = read_recommendations(request.POST, report)
    if only is None or "sections" in only:
        sections, sec_error = read_sections(request.POST, report)
    list_errors = shown["list_errors"] = [e for e in (rec_error, sec_error) if e]
    form.is_valid()  # the valid fields are saved even when others are not
    rec_ok = recommendations is not None and not list_errors and not any(r.errors for r in recommendations)
    sec_ok = sections is not None and not list_errors and not any(r.errors for r in sections)
    expected = form.cleaned_data.get("version") if report.pk else None
    expected_revision = form.cleaned_data.get("revision") if report.pk else None
    if expected is None and report.pk:
        expected = unversioned_base
    was_new = report.pk is None
    data, failed = request.POST, False
    try:
        report, changed = services.report_save_draft(
            report=report,
            **form.draft(),
            recommendations=recommendations if rec_ok else None,
            sections=sections if sec_ok else None,
            user=request.user,
            expected_version=expected,
            expected_revision=expected_revision,
            page=editor_page(request),
            autosave=autosave,
        )
    except services.ReportLocked:
        if autosave:
            return JsonResponse({"error": "This report is approved and can no longer be edited."}, status=409)
        messages.error(request, "This report is approved, so it cannot be edited.")
        return redirect(report)
    except services.StaleEdit as exc:
        if autosave:
            return JsonResponse({"error": STALE_AUTOSAVE, "stale": True}, status=409)
        shown["stale"], report = exc.changes, exc.report
        # Fields this editor left alone take the other person's newer text, so saving again
        # cannot undo their change; fields both changed keep this editor's text.
        data, _ = merge_stale_post(
            report=report, base_version=expected, base_revision=expected_revision or 0, data=request.POST
        )
        _show_posted_rows(shown, data, report)
    except services.BaseVersionMissing as exc:
        shown["save_problem"] = VERSION_MISSING.format(version=exc.report.version)
        if autosave:
            return JsonResponse({"error": shown["save_problem"], "stale": True}, status=409)
        report = exc.report
        _show_posted_rows(shown, request.POST, report)
    except Exception:  # noqa: BLE001 - whatever stopped the save, the text typed is shown again, never lost
        log.exception("Saving report %s failed; the editor is shown again with the text typed", report.pk)
        if autosave:
            return JsonResponse({"error": NOT_SAVED}, status=503)
        shown["save_problem"], failed = NOT_SAVED, True
        if was_new:
            report = Report(author=request.user)  # the row made in the failed transaction is gone
        shown["posted_recommendations"], shown["posted_sections"] = recommendations, sections
    else:
        rows = (recommendations, sections)
        answer = _answer_save(request, report, changed, form, rows, (rec_ok, sec_ok), autosave, shown)
        if answer:
            return answer
        shown["posted_recommendations"], shown["posted_sections"] = recommendations, sections
    return _show_editor(request, report, data, shown, failed)


def _answer_save(request, report, changed, form, rows, saved, autosave, shown):
    """After a save: the autosave's JSON, or a redirect when nothing was refused; None to show the
    page again with the refused fields and rows. `saved` says whether each list of `rows` was saved."""
    recommendations, sections = rows
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    errors |= {key: [message] for key, _, message in row_errors(recommendations, sections)}
    list_errors = shown["list_errors"]
    if autosave:
        return JsonResponse(
            {
                "version": report.version,
                "revision": report.revision,
                "edit_url": reverse("reports:edit", args=[report.pk]),
                "saved": changed,
                "saved_at": timezone.localtime().strftime("%H:%M:%S"),
                # The rows' ids when the list was saved (None: not posted, or not saved for a row's error).
                "recommendation_ids": [r.pk or "" for r in recommendations] if saved[0] else None,
                "section_ids": [s.pk or "" for s in sections] if saved[1] else None,
                "errors": errors,
                "list_errors": list_errors,
            }
        )
    if errors or list_errors:
        return None
    edit_url = reverse("reports:edit", args=[report.pk])
    if request.POST.get("action") == "check":
        return redirect(edit_url + "?check=1")
    messages.success(request, "Draft saved." if changed else "No changes to save.")
    return redirect(edit_url)


STALE_AUTOSAVE = (
    "Someone else saved this report while you were editing it. "
    "Your text is still here: use Save draft to see their changes beside yours."
)


def _show_posted_rows(shown, data, report):
    """Show the rows as posted (`data`) again, read against `report`."""
    shown["posted_recommendations"], _ = read_recommendations(data, report)
    shown["posted_sections"], _ = read_sections(data, report)


def row_errors(recommendations, sections):
    """Each posted row's errors: (the field's id on the page, what it is in words, the message)."""
    found = []
    for kind, rows in (("recommendation", recommendations), ("section", sections)):
        for index, row in enumerate(rows or []):
            for field, message in row.errors.items():
                what = f"Recommendation ({index + 1})" if kind == "recommendation" else f"Section {index + 1} {field}"
                found.append((f"{kind}-{index}-{field}", what, message))
    return found


def _show_editor(request, report, data, shown, failed=False):
    """The editor page: as stored (`data` None), or with what was posted shown again."""
    # The report as stored, as the page first shows it, is kept (reports/editorcache.py): its key is
    # read in one statement, where the page renders from eighteen.
    key = None
    if data is None and report.pk and not request.GET.get("check"):
        key = editorcache.editor_key(report, request.user)
        content = editorcache.kept_content(key)
        if content is not None:
            return _editor_frame(request, report, editorcache.with_csrf_token(request, content))
    try:
        if report.pk:
            # The form, the rows, the block ticks and the lists all read these parts: one query each.
            prefetch_related_objects([report], *EDITOR_PARTS)
        if data is None:
            form = ReportForm(instance=report)
            if report.pk and request.GET.get("check"):
                shown["missing"] = report.missing_items()
        else:
            # Show what was typed again, now against the saved version (a failed save stays on the
            # version it was based on, so saving again is still checked against anyone else's).
            data = data.copy()
            if not failed:
                data["version"], data["revision"] = str(report.version), str(report.revision)
            form = ReportForm(data, instance=report)
            if shown["stale"] is not None:
                form.errors.clear()
            else:
                form.is_valid()
        status = 503 if failed else 409 if shown["stale"] is not None or shown["save_problem"] else 200
        return _editor_page(request, report, form, status=status, key=key, **shown)
    except Exception:
        if not failed:
            raise
        # The editor needs the database, which has just failed; this page does not.
        log.exception("The editor could not be shown again after a failed save; showing the text typed")
        return _unsaved_text_page(request, report)


EDITOR_PARTS = ["wards", "recommendations", "sections", "implications", "core_purposes", "appendices", "sign_offs"]


def _editor_page(
    request,
    report,
    form,
    *,
    status,
    key=None,
    posted_recommendations,
    posted_sections,
    stale,
    missing,
    save_problem,
    list_errors,
):
    """The editor page, with the rows and problems of a refused or failed save when there was one;
    its content kept under `key` when given (the report as stored)."""
    unsaved_lists = [
        name
        for rows, name in ((posted_recommendations, "recommendations"), (posted_sections, "body sections"))
        if stale is None and any(row.errors for row in rows or [])
    ]
    context = {
        "report": report,
        "form": form,
        "row_errors": [
            (key, f"{what}: {message}") for key, what, message in row_errors(posted_recommendations, posted_sections)
        ],
        "unsaved_lists": unsaved_lists,
        "recommendations": _rows_for_display(report, posted_recommendations, "recommendation"),
        "sections": _rows_for_display(report, posted_sections, "section"),
        "list_errors": list_errors,
        "stale_changes": stale,
        "missing": missing,
        "appendix_form": AppendixForm(),
        "figure_form": FigureForm(prefix="figure"),
        "figure_max_mb": settings.FIGURE_MAX_MB,
        "appendices": list(report.appendices.all()) if report.pk else [],
        "sign_offs": list(report.sign_offs.all()) if report.pk else [],
        "completed": report.completed_blocks() if report.pk else set(),
        "block_nav": [(key, label) for key, label, _ in TEMPLATE_BLOCKS],
        "appendix_max_mb": settings.APPENDIX_MAX_MB,
        "editor_config": SECTION_EDITOR_CONFIG,
        "save_problem": save_problem,
        # A draft imported from Word links back to its import report while parts are not placed.
        "not_placed": report.word_imports.values_list("unplaced", flat=True).first() if report.pk else None,
    }
    if key is None:
        content = render_to_string("reports/_editor.html", context, request)
    else:
        context["csrf_token"] = editorcache.CSRF_PLACEHOLDER
        content = render_to_string("reports/_editor.html", context, request)
        editorcache.keep_content(key, content)
        content = editorcache.with_csrf_token(request, content)
    return _editor_frame(request, report, content, status=status)


def _editor_frame(request, report, content, status=200):
    """The editor's `content` in the site's page."""
    context = {"report": report, "content": mark_safe(content), "editor_media": section_editor_media()}  # noqa: S308 - rendered from templates
    return render(request, "reports/report_edit.html", context, status=status)


def _unsaved_text_page(request, report):
    """What a failed save posted, on a page that needs no database: each field to read or copy, and a
    form that posts it all again."""
    fields = []
    for name, values in request.POST.lists():
        if name in {"csrfmiddlewaretoken", "_autosave"}:
            continue
        field = ReportForm.base_fields.get(name)
        label = field.label if field and field.label else name.replace("_", " ").replace("-", " ").capitalize()
        fields.append((name, label, values))
    action = reverse("reports:edit", args=[report.pk]) if report.pk else reverse("reports:new")
    context = {"fields": fields, "action": action, "message": NOT_SAVED}
    return render(request, "reports/save_failed.html", context, status=503)


@public_or_login_required("public:paper")
@require_safe
def report_detail(request, pk):
    """The report as it will read, block by block, with its status and what can be done next."""
    get_report_for(request.user, pk)
    return _detail_page(request, pk)


def _detail_page(request, pk, *, status=200, decision=None, republish=None):
    """The report's page; `decision` keeps what its approver typed, `republish` what democratic services
    typed as what a correction changed, each with the refusal beside it."""
    report = get_object_or_404(report_queryset(), pk=pk)
    context = {
        **_correction_context(report, request.user),
        "republish": republish or {},
        "report": report,
        "sections": report.numbered_sections(),
        "can_edit": report.is_editable and (report.author_id == request.user.pk or request.user.sees_everything),
        "missing": report.missing_items() if report.status == Report.Status.DRAFT else [],
        "events": report.events.select_related("actor", "on_behalf_of"),
        "actions": services.available_actions(report, request.user),
        "is_party": report.is_party(request.user),
        "latest_return": report.latest_return,
        "kinds": _sign_off_progress(report),
        "decision": decision or {},
    }
    return render(request, "reports/report_detail.html", context, status=status)


def _correction_context(report, user):
    """What the report's page says of corrections: for a published report, the open one (to its author
    and democratic services) and whether democratic services may open one; for a correction, what it corrects."""
    if report.is_correction:
        return {"corrects": Correction.objects.filter(draft=report).select_related("report").first()}
    if report.status != Report.Status.PUBLISHED or not (user.sees_everything or user.pk == report.author_id):
        return {}
    correction = report.open_correction
    may_open = False
    if user.sees_everything and correction is None:
        try:
            services.check_correction(report, user, opening=True)
            may_open = True
        except services.TransitionRefused:
            pass
    return {"correction": correction, "may_open_correction": may_open}


@public_or_login_required("public:paper_pdf")
@require_safe
def report_pdf(request, pk):
    """The report as a PDF: the stored one once approved, else rendered now."""
    from reports.pdf import report_pdf_response

    get_report_for(request.user, pk)
    report = get_object_or_404(report_queryset(), pk=pk)
    return report_pdf_response(request, report)


@login_required
@require_safe
def report_print_preview(request, pk):
    """The report in its printed layout, in the browser: the same HTML the PDF is made from."""
    from reports.pdf import report_html

    get_report_for(request.user, pk)
    report = get_object_or_404(report_queryset(), pk=pk)
    response = HttpResponse(report_html(report, preview=True))
    response["Cache-Control"] = "private, no-cache"
    return response


# What Django says when a part's header is over its limit: in practice, a very long file name.
UNREADABLE_UPLOAD_MESSAGES = {
    "Request max total header size exceeded.": "The file could not be received: its name is too long. "
    "Rename the file to something shorter, then choose it again.",
}


@keeps_fields_of_unreadable_upload
@login_required
@require_POST
def appendix_upload(request, pk):
    report = get_report_for(request.user, pk, "edit")
    form = AppendixForm(request.POST, request.FILES)
    unreadable = getattr(request, "unreadable_upload", None)
    if unreadable is not None:
        form.is_valid()
        form.errors["file"] = form.error_class(
            [
                UNREADABLE_UPLOAD_MESSAGES.get(
                    unreadable, "The file could not be received whole. Choose it again and upload it."
                )
            ]
        )
    if not report.is_editable:
        messages.error(request, "This report is approved, so its appendices cannot change.")
        return redirect(report)
    if form.is_valid():
        added = {
            "report": report,
            "title": form.cleaned_data["title"],
            "filename": form.cleaned_data["file"].name,
            "user": request.user,
            "page": editor_page(request),
        }
        try:
            if form.office:
                services.appendix_add_office(**added, upload=form.cleaned_data["file"], source_format=form.office)
            else:
                services.appendix_add(**added, pdf=form.disarmed)
        except services.ReportLocked:
            messages.error(request, "This report is approved, so its appendices cannot change.")
            return redirect(report)
        if form.office:
            note = (
                " It is being converted to PDF: its pages appear in the report’s PDF and the packs once that is done."
            )
        elif removed := form.disarmed.removed:
            note = f" Removed from the file, as an appendix may not carry them: {', '.join(removed)}."
        else:
            note = ""
        messages.success(request, f"Appendix “{form.cleaned_data['title']}” added.{note}")
        return redirect(reverse("reports:edit", args=[report.pk]) + "#block-appendices")
    context = {
        "report": report,
        "appendix_form": form,
        "appendices": list(report.appendices.all()),
    }
    return render(request, "reports/appendix_upload.html", context, status=400)


@login_required
@require_POST
def appendix_delete(request, pk, appendix_pk):
    report = get_report_for(request.user, pk, "edit")
    appendix = get_object_or_404(Appendix, pk=appendix_pk, report=report)
    try:
        services.appendix_remove(appendix=appendix, user=request.user, page=editor_page(request))
    except services.ReportLocked:
        messages.error(request, "This report is approved, so its appendices cannot change.")
        return redirect(report)
    messages.success(request, f"Appendix “{appendix.title}” removed.")
    return redirect(reverse("reports:edit", args=[report.pk]) + "#block-appendices")


@login_required
@require_safe
def appendix_download(request, pk, appendix_pk):
    from reports.pdf import appendix_response

    report = get_report_for(request.user, pk)
    appendix = get_object_or_404(Appendix, pk=appendix_pk, report=report)
    filename = f"{slugify(report.subject)[:60] or 'report'}-appendix-{appendix.position}.pdf"
    return appendix_response(request, appendix, filename)


@login_required
@require_safe
def appendix_original(request, pk, appendix_pk):
    """The office file an appendix was converted from, as uploaded (only those who may read the report)."""
    report = get_report_for(request.user, pk)
    appendix = get_object_or_404(Appendix.objects.exclude(original=""), pk=appendix_pk, report=report)
    filename = f"{slugify(report.subject)[:60] or 'report'}-appendix-{appendix.position}.{appendix.source_format}"
    response = FileResponse(appendix.original.open("rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = OFFICE_CONTENT_TYPES.get(appendix.source_format, "application/octet-stream")
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_safe
def appendix_thumbnail(request, pk, appendix_pk):
    """The first page of a converted appendix, as a small PNG."""
    report = get_report_for(request.user, pk)
    appendix = get_object_or_404(Appendix.objects.exclude(thumbnail=""), pk=appendix_pk, report=report)
    response = FileResponse(appendix.thumbnail.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_safe
def appendix_status(request, pk):
    """The report's appendices with their conversions, for the editor to poll (htmx) while one converts."""
    report = get_report_for(request.user, pk, "edit")
    return render(
        request, "reports/_appendix_list.html", {"report": report, "appendices": list(report.appendices.all())}
    )


# Figures in the body ------------------------------------------------------------------------------


@login_required
@require_POST
def figure_upload(request, pk):
    """Check an uploaded image and keep it as one of the report's figures, for the editor to insert.

    The editor's figure dialog posts here and gets JSON: the figure's address, alt text and caption
    (201), or the problems by field (400), the dialog keeping what was typed. A plain form post
    gets the same as a page.
    """
    report = get_report_for(request.user, pk, "edit")
    wants_json = "application/json" in request.headers.get("Accept", "")
    locked_message = "This report is approved, so figures cannot be added to it."
    if not report.is_editable:
        if wants_json:
            return JsonResponse({"errors": {"__all__": [locked_message]}}, status=409)
        messages.error(request, locked_message)
        return redirect(report)
    form = FigureForm(request.POST, request.FILES, prefix="figure")
    if form.is_valid():
        try:
            figure = services.figure_add(report=report, image=form.image, user=request.user)
        except services.ReportLocked:
            if wants_json:
                return JsonResponse({"errors": {"__all__": [locked_message]}}, status=409)
            messages.error(request, locked_message)
            return redirect(report)
        inserted = {"src": figure.url, "alt": form.cleaned_data["alt_text"], "caption": form.cleaned_data["caption"]}
        if wants_json:
            return JsonResponse(inserted, status=201)
        context = {"report": report, "form": FigureForm(prefix="figure"), "figure": figure, "inserted": inserted}
        return render(request, "reports/figure_upload.html", context, status=201)
    if wants_json:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    return render(request, "reports/figure_upload.html", {"report": report, "form": form}, status=400)


@require_safe
def figure_image(request, pk, figure_pk):
    """A figure's image, to whoever may read its report: those it is visible to, and everyone once it
    is public. An exempt report's figures are as closed as the report; anyone else gets a 404."""
    report = get_object_or_404(readable_reports(request.user), pk=pk)
    figure = get_object_or_404(Figure, pk=figure_pk, report=report)
    try:
        handle = figure.file.open("rb")
    except OSError:
        raise Http404("No such figure") from None
    response = FileResponse(handle, content_type=figure.content_type)
    response["Content-Disposition"] = f'inline; filename="figure-{figure.pk}.{figure.file.name.rsplit(".", 1)[-1]}"'
    response["Cache-Control"] = "private, no-cache"
    return response


# The workflow: submit, the consultee's view, sign off, return, approve, withdraw approval ----------


def _sign_off_progress(report):
    """Each active consultee kind with its live sign-off on `report`, or None while it is outstanding."""
    live = {s.kind_id: s for s in report.sign_offs.all() if s.voided_at is None}
    return [(kind, live.get(kind.pk)) for kind in ConsulteeKind.objects.filter(is_active=True)]


def _expected(request):
    """The status and version the page showed, posted back with every workflow button.

    A double click or a replayed form then finds the report moved on and is refused.
    """
    raw_version = request.POST.get("expected_version", "")
    return {
        "expected_status": request.POST.get("expected_status") or None,
        "expected_version": whole_number(raw_version),
        "expected_revision": whole_number(request.POST.get("expected_revision", "")),
    }


def _after_step(request, report, url_name="reports:detail"):
    """Back to the report if the user can still see it, else to My work."""
    if Report.objects.visible_to(request.user).filter(pk=report.pk).exists():
        return redirect(url_name, report.pk)
    return redirect("home")


@login_required
@require_POST
def report_submit(request, pk):
    """The author submits the report for sign-off."""
    report = get_report_for(request.user, pk)
    try:
        services.report_submit(report=report, user=request.user, **_expected(request))
    except services.TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Submitted for sign-off. The consultees have been told it is waiting for them.")
    return _after_step(request, report)


def _consult_page(request, report, *, comment="", error="", status=200):
    report = get_object_or_404(report_queryset(), pk=report.pk)
    reading, first_time = services.report_record_reading(report=report, user=request.user)
    changes_from, changes = reading.changes_from, None
    if changes_from is not None:
        old = versions.blocks_for(report, changes_from)
        if old is not None:
            now = versions.blocks_for(report, report.version)
            changes = [row for row in versions.compare_blocks(old, now) if row.changed]
    actions = services.available_actions(report, request.user)
    my_kinds = list(request.user.consultee_kinds.filter(is_active=True))
    live = {s.kind_id for s in report.sign_offs.all() if s.voided_at is None}
    context = {
        "report": report,
        "sections": report.numbered_sections(),
        "first_time": first_time,
        "changes_from": changes_from,
        "changes": changes,
        "actions": actions,
        "open_kinds": [k for k in my_kinds if k.pk not in live],
        "kinds": _sign_off_progress(report),
        "comment": comment,
        "error": error,
        "returns": report.events.filter(action="returned").select_related("actor", "on_behalf_of").order_by("-at"),
    }
    return render(request, "reports/report_consult.html", context, status=status)


@login_required
@require_safe
def report_consult(request, pk):
    """The consultee's view: the report read-only, what changed since they last read it, sign off or return."""
    report = get_report_for(request.user, pk, "consult")
    return _consult_page(request, report)


def _consultation_refused(request, report, refusal, comment):
    """Show the refusal on the consultee's view with their comment kept, or on My work if it is gone from them."""
    if Report.objects.visible_to(request.user).filter(pk=report.pk).exists():
        return _consult_page(request, report, comment=comment, error=str(refusal), status=409)
    messages.error(request, str(refusal))
    return redirect("home")


def _approver_refused(request, report, refusal, comment):
    """The refusal beside the approver's form on the report's page, with what they typed kept; as a
    message on the page (or My work) when the form is no longer theirs to use."""
    fresh = Report.objects.select_related("report_of").get(pk=report.pk)
    if "approve" not in services.available_actions(fresh, request.user):
        messages.error(request, str(refusal))
        return _after_step(request, report)
    decision = {"comment": comment, "error": str(refusal)}
    return _detail_page(request, report.pk, status=409, decision=decision)


@login_required
@require_POST
def report_sign_off(request, pk):
    """A consultee signs the report off; the system issues their reference."""
    report = get_report_for(request.user, pk, "consult")
    comment = request.POST.get("comment", "")
    raw_kind = request.POST.get("kind", "")
    kind_id = whole_number(raw_kind)
    kind = ConsulteeKind.objects.filter(pk=kind_id).first() if kind_id else None
    try:
        sign_off = services.report_sign_off(
            report=report, user=request.user, kind=kind, comment=comment, **_expected(request)
        )
    except services.TransitionRefused as refusal:
        return _consultation_refused(request, report, refusal, comment)
    messages.success(request, f"Signed off for {sign_off.kind.name}. The reference is {sign_off.reference}.")
    return _after_step(request, report)


@login_required
@require_POST
def report_return(request, pk):
    """A consultee, or the approver of a signed-off report, returns it to its author with comments."""
    report = get_report_for(request.user, pk)
    approver = services.is_approver(report, request.user)
    if not approver:
        report = get_report_for(request.user, pk, "consult")
    comment = request.POST.get("comment", "")
    try:
        services.report_return(report=report, user=request.user, comment=comment, **_expected(request))
    except services.TransitionRefused as refusal:
        if approver:
            return _approver_refused(request, report, refusal, comment)
        return _consultation_refused(request, report, refusal, comment)
    messages.success(request, f"Returned “{report.title}” to its author with your comments.")
    return redirect("home")


@login_required
@require_POST
def report_approve(request, pk):
    """The approver approves the signed-off report, with a note for the record if they wish."""
    report = get_report_for(request.user, pk)
    note = request.POST.get("comment", "")
    try:
        services.report_approve(report=report, user=request.user, comment=note, **_expected(request))
    except services.TransitionRefused as refusal:
        return _approver_refused(request, report, refusal, note)
    else:
        messages.success(request, "Approved. Democratic services have been told it is ready for its agenda.")
    return _after_step(request, report)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_withdraw_approval(request, pk):
    """Ask for a reason, then withdraw the report's approval (its approver or democratic services)."""
    report = get_report_for(request.user, pk)
    reason, error, status = "", "", 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            services.report_withdraw_approval(report=report, user=request.user, reason=reason, **_expected(request))
        except services.TransitionRefused as refusal:
            error, status = str(refusal), 409
        else:
            messages.success(request, "Approval withdrawn. The report is back to signed off and can be edited.")
            return redirect(report)
    elif "withdraw_approval" not in services.available_actions(report, request.user):
        messages.error(request, "You cannot withdraw the approval of this report.")
        return redirect(report)
    context = {"report": report, "reason": reason, "error": error}
    return render(request, "reports/report_withdraw_approval.html", context, status=status)


@login_required
@require_POST
def forward_plan_accept(request, pk):
    """Democratic services accept a key decision onto the public Forward Plan."""
    report = get_report_for(request.user, pk)
    try:
        services.report_accept_for_forward_plan(report=report, user=request.user)
    except services.TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"“{report.title}” is on the Forward Plan from today.")
    back = request.POST.get("next", "")
    return redirect(back if back in {reverse("home"), reverse("public:forward_plan")} else report.get_absolute_url())


# Exempt papers: reviewed and released by democratic services ----------------------------------------


def _require_democratic_services(user):
    # Their pages only: anyone else is not told they exist, as for the agenda builder.
    if not user.sees_everything:
        raise Http404("No such page")


@login_required
@require_safe
def exempt_papers(request):
    """Exempt reports on published agendas, those due for review first, with their conditions for release."""
    _require_democratic_services(request.user)
    today = timezone.localdate()
    papers = list(Report.objects.exempt_on_published_agendas().for_release_review())
    due = [p for p in papers if p.release_review_on and p.release_review_on <= today]
    context = {"due": due, "later": [p for p in papers if p not in due], "today": today}
    return render(request, "reports/exempt_papers.html", context)


def _release_page(request, report, *, terms_form=None, release_form=None, error="", status=200):
    try:
        item, not_releasable = services.check_release(report), ""
    except services.TransitionRefused as refusal:
        item, not_releasable = None, str(refusal).removesuffix(" Nothing was changed.")  # nothing was asked yet
    initial = {"release_review_on": report.release_review_on, "release_condition": report.release_condition}
    context = {
        "report": report,
        "item": item,
        "not_releasable": not_releasable,
        "due": bool(report.release_review_on and report.release_review_on <= timezone.localdate()),
        "terms_form": terms_form or ReleaseTermsForm(initial=initial),
        "release_form": release_form or ReleaseForm(),
        "error": error,
    }
    return render(request, "reports/report_release.html", context, status=status)


def _exempt_report_for_release(request, pk):
    """The exempt report `pk` for democratic services, else 404; a public one sends them back to it."""
    _require_democratic_services(request.user)
    report = get_report_for(request.user, pk)
    if report.is_exempt is False:
        messages.error(request, f"“{report.title}” is not exempt: there is nothing to release.")
        return report, redirect(report)
    return report, None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_release(request, pk):
    """Release an exempt report on a published agenda (with a reason before its review date)."""
    report, elsewhere = _exempt_report_for_release(request, pk)
    if elsewhere:
        return elsewhere
    if request.method != "POST":
        return _release_page(request, report)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _release_page(request, report, release_form=form, status=400)
    try:
        services.report_release(report=report, user=request.user, reason=form.cleaned_data["reason"])
    except services.TransitionRefused as refusal:
        form.add_error("reason", str(refusal))
        return _release_page(request, report, release_form=form, error=str(refusal), status=409)
    messages.success(
        request,
        f"“{report.title}” is released: it is public from now, in Part 1 of its agenda, and the meeting's packs are "
        "being built again.",
    )
    return redirect("reports:exempt_papers")


@login_required
@require_POST
def report_release_terms(request, pk):
    """Democratic services change an exempt report's review date and condition for release."""
    report, elsewhere = _exempt_report_for_release(request, pk)
    if elsewhere:
        return elsewhere
    form = ReleaseTermsForm(request.POST)
    if not form.is_valid():
        return _release_page(request, report, terms_form=form, status=400)
    try:
        services.report_set_release_terms(
            report=report,
            user=request.user,
            review_on=form.cleaned_data["release_review_on"],
            condition=form.cleaned_data["release_condition"],
        )
    except services.TransitionRefused as refusal:
        form.add_error(None, str(refusal))
        return _release_page(request, report, terms_form=form, error=str(refusal), status=409)
    messages.success(request, f"The review date and condition for release of “{report.title}” are saved.")
    return redirect("reports:release", pk=report.pk)


# Correcting a published report: democratic services open, republish or abandon ----------------------


@login_required
@require_POST
def correction_open(request, pk):
    """Open a correction of a published report: a copy its author and democratic services edit."""
    _require_democratic_services(request.user)
    report = get_report_for(request.user, pk)
    try:
        correction = services.report_open_correction(report=report, user=request.user)
    except services.TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"A correction of “{report.title}” is open. Its author and democratic services can edit it; "
            "everyone else reads the report as published until you republish it.",
        )
        return redirect("reports:edit", correction.draft_id)
    return redirect(report)


@login_required
@require_POST
def correction_republish(request, pk):
    """Republish a report with its correction, saying what changed (required): a new edition."""
    _require_democratic_services(request.user)
    report = get_report_for(request.user, pk)
    what_changed = request.POST.get("what_changed", "")
    try:
        report = services.report_republish(report=report, user=request.user, what_changed=what_changed)
    except services.TransitionRefused as refusal:
        status = 400 if not what_changed.strip() else 409
        if report.open_correction is None:  # no form to show the refusal beside
            messages.error(request, str(refusal))
        return _detail_page(request, pk, status=status, republish={"what_changed": what_changed, "error": refusal})
    messages.success(
        request,
        f"“{report.title}” is republished as edition {report.edition}. The meeting's packs are being built again, "
        "noting what changed.",
    )
    return redirect(report)


@login_required
@require_POST
def correction_abandon(request, pk):
    """Abandon a report's open correction: the report stays as published."""
    _require_democratic_services(request.user)
    report = get_report_for(request.user, pk)
    try:
        services.report_abandon_correction(report=report, user=request.user)
    except services.TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"The correction is abandoned: “{report.title}” stays as published.")
    return redirect(report)


# History: the timeline, any version, any two versions compared ------------------------------------


def _version_number(raw, known):
    """A version number from the query string, or 404 if the report never had it."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise Http404("No such version") from None
    if number not in known:
        raise Http404("No such version")
    return number


@login_required
@require_safe
def report_history(request, pk):
    """Every version of the report and every workflow step, newest first."""
    report = get_report_for(request.user, pk, "history")
    all_versions = versions.report_versions(report)
    page = Paginator(versions.timeline(report), 100).get_page(request.GET.get("page"))
    context = {"report": report, "page": page, "versions": all_versions}
    return render(request, "reports/report_history.html", context)


@login_required
@require_safe
def report_version(request, pk, version):
    """The report's words as they stood at one version."""
    report = get_report_for(request.user, pk, "history")
    known = {v.number: v for v in versions.report_versions(report)}
    number = _version_number(version, known)
    context = {"report": report, "version": known[number], "blocks": versions.blocks_for(report, number)}
    return render(request, "reports/report_version.html", context)


@login_required
@require_safe
def report_compare(request, pk):
    """Two versions of the report side by side, removed words struck through and added words marked."""
    report = get_report_for(request.user, pk, "history")
    all_versions = versions.report_versions(report)
    known = [v.number for v in all_versions]
    new = _version_number(request.GET.get("to", report.version), known)
    older = [n for n in known if n < new]
    old = _version_number(request.GET.get("from", older[0] if older else new), known)
    rows = versions.compare_blocks(versions.blocks_for(report, old), versions.blocks_for(report, new))
    show_all = request.GET.get("all") == "1"
    context = {
        "report": report,
        "versions": all_versions,
        "old": old,
        "new": new,
        "rows": rows if show_all else [r for r in rows if r.changed],
        "changed_count": sum(r.changed for r in rows),
        "show_all": show_all,
    }
    return render(request, "reports/report_compare.html", context)
