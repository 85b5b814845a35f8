from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boards.models import Board, Meeting


@login_required
@require_GET
def board_list(request):
    """Every active board, with its next meeting."""
    boards = Board.objects.filter(is_active=True).select_related("clerk")
    return render(request, "boards/board_list.html", {"boards": boards})


@login_required
@require_GET
def board_detail(request, slug):
    board = get_object_or_404(Board, slug=slug)
    memberships = board.memberships.current().select_related("user")
    meetings = board.meetings.order_by("-starts_at")
    return render(
        request, "boards/board_detail.html", {"board": board, "memberships": memberships, "meetings": meetings}
    )


@login_required
@require_GET
def meeting_list(request):
    now = timezone.now()
    meetings = Meeting.objects.select_related("board")
    context = {
        "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
        "past": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50],
    }
    return render(request, "boards/meeting_list.html", context)


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
    reports = meeting.reports.visible_to(request.user).select_related("report_of")
    return render(request, "boards/meeting_detail.html", {"meeting": meeting, "reports": reports})
