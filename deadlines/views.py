from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from boards import clock
from boards.views import get_meeting_to_manage
from deadlines import selectors


@login_required
@require_safe
def reports_due(request, pk):
    """Democratic services: every report on its way to this meeting, its state, due dates and whom it waits for."""
    meeting = get_meeting_to_manage(request.user, pk)
    today = timezone.localdate()
    context = {
        "meeting": meeting,
        "reports": selectors.reports_due_for(meeting),
        "today": today,
        "clear_days_left": clock.clear_working_days_between(today, meeting.date),
    }
    return render(request, "deadlines/reports_due.html", context)
