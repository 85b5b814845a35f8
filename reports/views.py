from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from boards.models import Board
from reports import services
from reports.forms import SECTION_EDITOR_CONFIG, AppendixForm, ReportForm, Row, read_recommendations, read_sections, section_editor_media
from reports.html import number_paragraphs
from reports.models import Appendix, Report, SignOff


def get_report_for(user, pk, action="view"):
    """The report `pk` if `user` may do `action` ("view" or "edit") to it, else 404.

    Never 403: someone with no part in a report is not told it exists.
    """
    report = get_object_or_404(Report.objects.visible_to(user).select_related("board", "meeting"), pk=pk)
    if action == "edit" and not (report.author_id == user.pk or user.sees_everything):
        raise Http404("No such report")
    return report


def report_queryset():
    """Reports with everything the list and detail pages print, fetched in a fixed number of queries."""
    return Report.objects.select_related(
        "board", "meeting", "meeting__board", "report_of", "portfolio", "author"
    ).prefetch_related(
        "wards",
        "recommendations",
        "implications__type",
        "core_purposes__purpose",
        "sections",
        "appendices",
        Prefetch("sign_offs", queryset=SignOff.objects.select_related("kind")),
    )


@login_required
def home(request):
    """My work: what waits for me, my drafts, and coming report deadlines."""
    user = request.user
    visible = Report.objects.visible_to(user).select_related("board", "meeting", "meeting__board")
    my_drafts = visible.filter(author=user, status=Report.Status.DRAFT)
    kinds = list(user.consultee_kinds.filter(is_active=True))
    to_sign = (
        visible.filter(status=Report.Status.CONSULTATION).exclude(
            sign_offs__kind__in=kinds, sign_offs__voided_at__isnull=True
        )
        if kinds
        else Report.objects.none()
    )
    to_approve = visible.filter(status=Report.Status.SIGNED_OFF, report_of__holder=user)
    returned = my_drafts.filter(events__action="returned").distinct()
    context = {
        "my_drafts": my_drafts,
        "to_sign": to_sign,
        "to_approve": to_approve,
        "returned": returned,
        "my_reports": visible.filter(author=user).exclude(status=Report.Status.DRAFT)[:20],
    }
    return render(request, "reports/home.html", context)


@login_required
@require_GET
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
    if board_slug:
        reports = reports.filter(board__slug=board_slug)
    page = Paginator(reports.order_by("-updated_at", "-pk"), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "scope": scope,
        "status": status,
        "board_slug": board_slug,
        "statuses": Report.Status.choices,
        "boards": Board.objects.all(),
    }
    return render(request, "reports/report_list.html", context)


@login_required
def report_new(request):
    """A blank report editor; the first save creates the draft."""
    if not (request.user.is_author or request.user.sees_everything):
        raise Http404("Only report authors can start reports")
    return _editor(request, Report(author=request.user))


@login_required
def report_edit(request, pk):
    report = get_report_for(request.user, pk, "edit")
    if not report.is_editable:
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


def _editor(request, report):
    """The one-page editor: show it, save it (by hand or autosave), check completeness."""
    autosave = request.POST.get("_autosave") == "1"
    posted_recommendations = posted_sections = None
    stale = None
    missing = None
    list_errors = []
    if request.method == "POST":
        form = ReportForm(request.POST, instance=report)
        recommendations, rec_error = read_recommendations(request.POST, report)
        sections, sec_error = read_sections(request.POST, report)
        list_errors = [e for e in (rec_error, sec_error) if e]
        form.is_valid()  # the valid fields are saved even when others are not
        rows_ok = not list_errors
        rec_ok = rows_ok and not any(r.errors for r in recommendations)
        sec_ok = rows_ok and not any(r.errors for r in sections)
        expected = form.cleaned_data.get("version") if report.pk else None
        try:
            report, changed = services.report_save_draft(
                report=report,
                form=form,
                recommendations=recommendations if rec_ok else None,
                sections=sections if sec_ok else None,
                user=request.user,
                expected_version=expected,
            )
        except services.ReportLocked:
            if autosave:
                return JsonResponse({"error": "This report is approved and can no longer be edited."}, status=409)
            messages.error(request, "This report is approved, so it cannot be edited.")
            return redirect(report)
        except services.StaleEdit as exc:
            if autosave:
                return JsonResponse(
                    {
                        "error": "Someone else saved this report while you were editing it. "
                        "Your text is still here: use Save draft to see their changes beside yours.",
                        "stale": True,
                    },
                    status=409,
                )
            stale = exc.changes
            report = exc.report
            posted_recommendations, posted_sections = recommendations, sections
        else:
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            for kind, rows in (("recommendation", recommendations), ("section", sections)):
                for index, row in enumerate(rows):
                    for field, message in row.errors.items():
                        errors[f"{kind}-{index}-{field}"] = [message]
            if autosave:
                return JsonResponse(
                    {
                        "version": report.version,
                        "edit_url": reverse("reports:edit", args=[report.pk]),
                        "saved": changed,
                        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
                        "recommendation_ids": [r.pk or "" for r in recommendations] if rec_ok else None,
                        "section_ids": [s.pk or "" for s in sections] if sec_ok else None,
                        "errors": errors,
                        "list_errors": list_errors,
                    }
                )
            if not errors and not list_errors:
                edit_url = reverse("reports:edit", args=[report.pk])
                if request.POST.get("action") == "check":
                    return redirect(edit_url + "?check=1")
                messages.success(request, "Draft saved." if changed else "No changes to save.")
                return redirect(edit_url)
            posted_recommendations, posted_sections = recommendations, sections
        # Re-show what was typed, now against the saved version.
        data = request.POST.copy()
        data["version"] = str(report.version)
        form = ReportForm(data, instance=report)
        if stale:
            form.errors.clear()
        else:
            form.is_valid()
    else:
        form = ReportForm(instance=report)
        if report.pk and request.GET.get("check"):
            missing = report.missing_items()

    status = 409 if stale else 200
    context = {
        "report": report,
        "form": form,
        "recommendations": _rows_for_display(report, posted_recommendations, "recommendation"),
        "sections": _rows_for_display(report, posted_sections, "section"),
        "list_errors": list_errors,
        "stale_changes": stale,
        "missing": missing,
        "appendix_form": AppendixForm(),
        "appendices": list(report.appendices.all()) if report.pk else [],
        "sign_offs": list(report.sign_offs.all()) if report.pk else [],
        "completed": _completed_blocks(report) if report.pk else set(),
        "editor_media": section_editor_media(),
        "block_nav": BLOCK_NAV,
        "appendix_max_mb": settings.APPENDIX_MAX_MB,
        "editor_config": SECTION_EDITOR_CONFIG,
    }
    return render(request, "reports/report_edit.html", context, status=status)


BLOCK_NAV = [
    ("header", "Header"),
    ("summary", "Summary"),
    ("recommendations", "Recommendation(s)"),
    ("reasons", "Reasons"),
    ("alternatives", "Alternative options"),
    ("costs", "Costs"),
    ("implications", "Implications"),
    ("climate", "Climate emergency"),
    ("core-purpose", "Core purpose"),
    ("consultations", "Consultations"),
    ("implementation", "Implementation date"),
    ("contact", "Contact"),
    ("appendices", "Appendices"),
    ("background", "Background papers"),
    ("body", "Body"),
]


def _completed_blocks(report):
    """The editor's side list ticks a block when none of its fields is missing."""
    missing_fields = {field for field, _ in report.missing_items()}
    groups = {
        "header": {
            "id_board", "id_meeting", "id_subject", "id_report_of", "id_all_wards", "id_portfolio",
            "id_is_key_decision_0", "id_in_forward_plan_0", "id_forward_plan_date", "id_is_exempt_0",
            "id_exempt_paragraphs_0",
        },
        "summary": {"id_summary"},
        "recommendations": {"recommendations"},
        "reasons": {"id_reasons"},
        "alternatives": {"id_alternatives"},
        "costs": {"id_revenue_costs", "id_capital_costs"},
        "implications": set(),
        "climate": {"id_climate_impact_0", "id_climate_training_0", "id_climate_explanation"},
        "core-purpose": set(),
        "consultations": {"id_external_consultations"},
        "implementation": {"id_implementation_date"},
        "contact": {"id_contact_officer", "id_contact_phone", "id_contact_email"},
        "appendices": set(),
        "background": set(),
        "body": {"sections"},
    }
    return {name for name, fields in groups.items() if not fields & missing_fields}


@login_required
@require_GET
def report_detail(request, pk):
    """The report as it will read, block by block, with its status and what can be done next."""
    get_report_for(request.user, pk)
    report = get_object_or_404(report_queryset(), pk=pk)
    context = {
        "report": report,
        "sections": [(n, s, number_paragraphs(n, s.body)) for n, s in enumerate(report.sections.all(), start=1)],
        "can_edit": report.is_editable and (report.author_id == request.user.pk or request.user.sees_everything),
        "missing": report.missing_items() if report.status == Report.Status.DRAFT else [],
        "events": report.events.select_related("actor"),
    }
    return render(request, "reports/report_detail.html", context)


@login_required
@require_GET
def report_pdf(request, pk):
    """The report as a PDF: the stored one once approved, else rendered now."""
    from reports.pdf import report_pdf_response

    get_report_for(request.user, pk)
    report = get_object_or_404(report_queryset(), pk=pk)
    return report_pdf_response(request, report)


@login_required
@require_POST
def appendix_upload(request, pk):
    report = get_report_for(request.user, pk, "edit")
    form = AppendixForm(request.POST, request.FILES)
    if not report.is_editable:
        messages.error(request, "This report is approved, so its appendices cannot change.")
        return redirect(report)
    if form.is_valid():
        try:
            services.appendix_add(
                report=report,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                page_count=form.page_count,
                user=request.user,
            )
        except services.ReportLocked:
            messages.error(request, "This report is approved, so its appendices cannot change.")
            return redirect(report)
        messages.success(request, f"Appendix “{form.cleaned_data['title']}” added.")
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
        services.appendix_remove(appendix=appendix, user=request.user)
    except services.ReportLocked:
        messages.error(request, "This report is approved, so its appendices cannot change.")
        return redirect(report)
    messages.success(request, f"Appendix “{appendix.title}” removed.")
    return redirect(reverse("reports:edit", args=[report.pk]) + "#block-appendices")


@login_required
@require_GET
def appendix_download(request, pk, appendix_pk):
    report = get_report_for(request.user, pk)
    appendix = get_object_or_404(Appendix, pk=appendix_pk, report=report)
    filename = f"{slugify(report.subject)[:60] or 'report'}-appendix-{appendix.position}.pdf"
    return FileResponse(appendix.file.open("rb"), content_type="application/pdf", filename=filename)
