"""Background jobs: building agenda packs off the request path (django-tasks, database queue)."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from boards.models import AgendaPack

log = logging.getLogger(__name__)


@task()
def build_pack_task(pack_id):
    """Build the pack if it is stale; a no-op when another worker already built this content."""
    build_pack_now(pack_id)


def build_pack_now(pack_id):
    """Build one pack edition and store it; the previous file stays offered until this one is saved."""
    from boards.packs import build_pack, pack_content_key

    with transaction.atomic():
        pack = AgendaPack.objects.select_for_update(skip_locked=True).filter(pk=pack_id).first()
        if pack is None:
            return None  # another worker holds it, or it is gone
        meeting = pack.meeting
        key = pack_content_key(meeting, pack.edition)
        if pack.content_key == key and pack.file:
            if pack.state != AgendaPack.State.READY:
                pack.state = AgendaPack.State.READY
                pack.progress = 100
                pack.save(update_fields=["state", "progress"])
            return pack
        pack.state = AgendaPack.State.BUILDING
        pack.progress = 0
        pack.wanted_key = key
        pack.save(update_fields=["state", "progress", "wanted_key"])

    def progress(percent):
        AgendaPack.objects.filter(pk=pack_id).update(progress=percent)

    try:
        built = build_pack(meeting, pack.edition, progress=progress, front_pages=pack.front_pages)
    except Exception as exc:  # noqa: BLE001 - a failed build is recorded and shown, the old file stays
        log.exception("Building %s failed", pack)
        AgendaPack.objects.filter(pk=pack_id).update(state=AgendaPack.State.FAILED, error=str(exc)[:2000])
        return None

    old_name = pack.file.name if pack.file else ""
    pack.file.save(f"{meeting.pk}-{pack.edition}-{key[:12]}.pdf", ContentFile(built.pdf), save=False)
    pack.content_key = key
    pack.page_count = built.page_count
    pack.front_pages = built.front_pages
    pack.reports_in_full = built.reports_in_full
    pack.size = len(built.pdf)
    pack.built_at = timezone.now()
    pack.state = AgendaPack.State.READY if pack_content_key(meeting, pack.edition) == key else AgendaPack.State.QUEUED
    pack.progress = 100
    pack.error = ""
    pack.save()
    if old_name and old_name != pack.file.name:
        pack.file.storage.delete(old_name)
    if pack.state == AgendaPack.State.QUEUED:
        build_pack_task.enqueue(pack.pk)  # something changed while this one built
    return pack
