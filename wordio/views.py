import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from config.middleware import keeps_fields_of_unreadable_upload
from reports.models import Report
from reports.views import get_report_for
from wordio import services
from wordio.export import CONTENT_TYPE, report_docx
from wordio.forms import WordImportForm
from wordio.models import WordImport
from wordio.safety import MAX_UPLOAD, Refused

log = logging.getLogger(__name__)


@login_required
@require_safe
def report_export(request, pk):
    """The report as a Word document, to whoever may read it (the gate of its own page and PDF)."""
    get_report_for(request.user, pk)
    report = get_object_or_404(Report.objects.with_parts(), pk=pk)
    response = HttpResponse(report_docx(report), content_type=CONTENT_TYPE)
    filename = f"{slugify(report.subject)[:60] or 'report'}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@keeps_fields_of_unreadable_upload
@login_required
@require_POST
def report_import(request):
    """Make a draft from an uploaded .docx on the template, and show what went where."""
    if not (request.user.is_author or request.user.sees_everything):
        raise Http404("Only report authors can start reports")
    form = WordImportForm(request.POST, request.FILES)
    if getattr(request, "unreadable_upload", None) is not None:
        form.is_valid()
        form.errors["file"] = form.error_class(["The file could not be received whole. Choose it again and upload it."])
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD:
                raise Refused(f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB. A report is far smaller.")
            imported = services.import_docx(data=upload.read(), filename=upload.name, user=request.user)
        except Refused as refusal:
            form.add_error("file", str(refusal))
        else:
            # To its own page (a reload posts nothing again), kept with the draft: "Not placed" stays
            # there, reached from the editor, until the officer has put each part in its place.
            answer = redirect("wordio:import_report", imported.report_id)
            answer.status_code = 303
            return answer
    return render(request, "wordio/import_upload.html", {"import_form": form}, status=400)


@login_required
@require_safe
def import_report(request, pk):
    """What the latest Word import made of the draft: the fields filled and what was not placed, to
    those with a part in the report's making (the gate of its history: working material)."""
    report = get_report_for(request.user, pk, action="history")
    imported = WordImport.objects.filter(report=report).first()
    if imported is None:
        raise Http404("This report was not imported from Word")
    return render(request, "wordio/import_report.html", {"imported": imported, "report": report})
