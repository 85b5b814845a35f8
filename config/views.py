from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# A pack build waiting longer than this makes the health check say "degraded".
BUILD_WAIT_WARNING = 15 * 60


def _seconds_since(moment, now):
    return None if moment is None else round((now - moment).total_seconds())


@never_cache
@require_safe
def healthz(request):
    """For load balancers and monitoring: 503 only when the database does not answer.

    It also reports the background worker's last heartbeat and the oldest pack build still waiting.
    A missing worker or a build waiting over 15 minutes makes the status "degraded" but the answer
    stays 200: the site serves its pages, and the packs already built, without a worker, so a load
    balancer must not take the web servers out of service for it. Monitoring alerts on "degraded".
    """
    from boards.models import AgendaPack, Worker

    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        workers = Worker.objects.aggregate(last=Max("seen_at"))
        live = Worker.objects.live(now).count()
        waiting = AgendaPack.objects.filter(state__in=[AgendaPack.State.QUEUED, AgendaPack.State.BUILDING]).aggregate(
            count=Count("pk"), oldest=Min("requested_at")
        )
    except Exception:  # noqa: BLE001 - any failure to reach the database means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    oldest = _seconds_since(waiting["oldest"], now)
    problems = []
    if not live:
        problems.append(f"No worker has reported in the last {settings.WORKER_LOST_AFTER} seconds.")
    if oldest is not None and oldest > BUILD_WAIT_WARNING:
        problems.append(f"A pack build has waited {oldest} seconds.")
    return JsonResponse(
        {
            "status": "degraded" if problems else "ok",
            "database": "ok",
            "worker": {
                "last_heartbeat": workers["last"].isoformat() if workers["last"] else None,
                "seconds_since_heartbeat": _seconds_since(workers["last"], now),
                "live_workers": live,
            },
            "builds": {"waiting": waiting["count"], "oldest_waiting_seconds": oldest},
            "problems": problems,
        }
    )
