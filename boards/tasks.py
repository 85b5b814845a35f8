"""Background jobs: building agenda packs off the request path (django-tasks, database queue).

A pack's row is the truth about its build; a task only wakes a worker up to do it. A build holds a
lease on the row, renewed while it runs, so that two workers never build one pack at once and a
build whose worker died (killed, machine lost) is taken back once its lease lapses. A build that
fails is tried again later, up to PACK_BUILD_ATTEMPTS times, then the pack is shown as failed with
the reason. `recover_stalled_packs` (run by every worker's heartbeat) queues again any pack that
no task will build: its task failed on a database error, or its worker died mid-build.
"""

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import task

from boards import packs
from boards.models import AgendaPack, Meeting
from config.queue import first_args_of_coming

log = logging.getLogger(__name__)

# Seconds before a failed build is tried again: the first retry soon, the next after a pause.
RETRY_DELAYS = [15, 60, 300]


@task()
def build_pack_task(pack_id):
    """Build the pack if it is stale; a no-op when another worker builds or has built this content."""
    build_pack_now(pack_id)


def _wanted_packs(meeting):
    """(supplement, edition) of every pack the meeting's papers are issued as: the agenda's three
    editions, then the public and members' packs of each published supplement."""
    wanted = [(None, edition) for edition in AgendaPack.Edition.values]
    for supplement in meeting.supplements.filter(published_at__isnull=False):
        wanted += [(supplement, AgendaPack.Edition.PUBLIC), (supplement, AgendaPack.Edition.MEMBERS)]
    return wanted


def queue_pack_builds(meeting, change=""):
    """Mark the meeting's packs as wanted at the current content and queue their builds.

    A published pack whose content changes becomes a new edition, with `change` noted on its
    front sheet; a rebuild without a change in words (new layout, "Build again") keeps its edition.
    """
    if not meeting.is_published:
        return
    for supplement, edition in _wanted_packs(meeting):
        key = packs.pack_content_key(meeting, edition, supplement)
        pack, _ = AgendaPack.objects.get_or_create(meeting=meeting, supplement=supplement, edition=edition)
        if pack.content_key == key and pack.state == AgendaPack.State.READY:
            continue
        if change and pack.content_key and pack.content_key != key:
            if pack.wanted_key == pack.content_key:  # not already waiting to be a new edition
                pack.revision += 1
            pack.revisions = [*pack.revisions, [timezone.localdate().isoformat(), pack.revision, change]]
        pack.wanted_key = key
        pack.state = AgendaPack.State.QUEUED
        pack.progress = 0
        pack.requested_at = timezone.now()
        pack.attempts = 0  # new content, or "Build again": the attempts start over
        pack.error = ""
        pack.save(
            update_fields=[
                "wanted_key",
                "state",
                "progress",
                "requested_at",
                "attempts",
                "error",
                "revision",
                "revisions",
            ]
        )
        build_pack_task.enqueue(pack.pk)


def agenda_changed(meeting, change=""):
    """Raise the agenda's version (the public pages' and calendar's mark of a change) and queue its
    packs' rebuild after the commit. `meeting` is locked by the caller.

    `change` says what changed, in words, for the note of a published pack's new edition; a
    change that no published pack prints (an item waiting for a supplement) changes no edition.
    """
    meeting.agenda_version += 1
    meeting.save(update_fields=["agenda_version"])
    transaction.on_commit(lambda: queue_pack_builds(meeting, change=change))


def agenda_report_changed(*, meeting_id, change=""):
    """A report on the meeting's agenda changed what the agenda prints (its exemption): raise the
    agenda's version and queue the packs' rebuild, whatever state the meeting is in.

    Called by reports.services after the report's change commits; it lives here, beside the pack
    queue, so that reports/ never imports boards.services (which imports reports.services)."""
    with transaction.atomic():
        agenda_changed(Meeting.objects.select_for_update().select_related("board").get(pk=meeting_id), change)


def lease_seconds():
    return settings.WORKER_LOST_AFTER


def renew_every():
    return max(1.0, settings.WORKER_LOST_AFTER / 6)


def _claim(pack_id, token):
    """Take the pack for this build, in one short transaction; None when there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        pack = AgendaPack.objects.select_for_update(skip_locked=True).filter(pk=pack_id).first()
        if pack is None:
            return None  # another worker is claiming it this moment, or it is gone
        if pack.lease_until and pack.lease_until > now:
            # Another build holds it: that build checks the content again when it ends.
            return None
        meeting = pack.meeting
        key = packs.pack_content_key(meeting, pack.edition, pack.supplement)
        if pack.content_key == key and pack.file:
            if pack.state != AgendaPack.State.READY:
                pack.state = AgendaPack.State.READY
                pack.progress = 100
                pack.error = ""
                pack.attempts = 0
                pack.save(update_fields=["state", "progress", "error", "attempts"])
            return None
        if pack.lease_token:
            pack.error = "The build before stopped part-way (its worker stopped); it was taken back."
            log.warning("Taking back %s: its build's lease lapsed at %s", pack, pack.lease_until)
        if pack.attempts >= settings.PACK_BUILD_ATTEMPTS:
            pack.state = AgendaPack.State.FAILED
            pack.lease_token, pack.lease_until = "", None
            pack.save(update_fields=["state", "error", "lease_token", "lease_until"])
            return None
        pack.state = AgendaPack.State.BUILDING
        pack.progress = 0
        pack.wanted_key = key
        pack.attempts += 1
        pack.lease_token = token
        pack.lease_until = now + timedelta(seconds=lease_seconds())
        pack.save(update_fields=["state", "progress", "wanted_key", "attempts", "lease_token", "lease_until", "error"])
    return pack


@contextmanager
def _lease_kept(pack_id, token):
    """Renew the build's lease from a thread while the build runs, however long one step takes."""
    done = threading.Event()

    def renew():
        try:
            while not done.wait(renew_every()):
                try:
                    AgendaPack.objects.filter(pk=pack_id, lease_token=token).update(
                        lease_until=timezone.now() + timedelta(seconds=lease_seconds())
                    )
                except Exception as exc:  # noqa: BLE001 - a missed renewal is retried; the lease has slack
                    log.warning("Could not renew the lease of pack %s: %s", pack_id, exc)
        finally:
            connection.close()

    renewer = threading.Thread(target=renew, name=f"pack-{pack_id}-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def _build_failed(pack, token, exc):
    """Record a failed build: queue it again after a pause while attempts remain, else show it failed."""
    reason = f"{type(exc).__name__}: {exc}"[:2000] if str(exc) else type(exc).__name__
    retry = pack.attempts < settings.PACK_BUILD_ATTEMPTS
    state = AgendaPack.State.QUEUED if retry else AgendaPack.State.FAILED
    updated = AgendaPack.objects.filter(pk=pack.pk, lease_token=token).update(
        state=state, error=reason, lease_token="", lease_until=None
    )
    if updated and retry:
        delay = RETRY_DELAYS[min(pack.attempts, len(RETRY_DELAYS)) - 1]
        build_pack_task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(pack.pk)


def build_pack_now(pack_id):
    """Build one pack edition and store it; the previous file stays offered until this one is saved."""
    token = get_random_string(32)
    pack = _claim(pack_id, token)
    if pack is None:
        return None
    meeting = pack.meeting

    def progress(percent):
        try:
            AgendaPack.objects.filter(pk=pack_id, lease_token=token).update(progress=percent)
        except DatabaseError as exc:  # the figure is for the clerk's page; the build goes on without it
            log.warning("Could not record the progress of %s: %s", pack, exc)

    try:
        with _lease_kept(pack_id, token):
            built = packs.build_pack(
                meeting,
                pack.edition,
                progress=progress,
                front_pages=pack.front_pages,
                supplement=pack.supplement,
                revisions=pack.revisions,
            )
    except Exception as exc:  # noqa: BLE001 - a failed build is recorded and tried again; the old file stays
        log.exception("Building %s failed (attempt %s of %s)", pack, pack.attempts, settings.PACK_BUILD_ATTEMPTS)
        _build_failed(pack, token, exc)
        return None

    key = pack.wanted_key
    with transaction.atomic():
        stored = AgendaPack.objects.select_for_update().get(pk=pack_id)
        if stored.lease_token != token:
            log.warning("%s was taken back while this build ran; its result is dropped", pack)
            return None
        old_name = stored.file.name if stored.file else ""
        where = f"s{pack.supplement.number}-" if pack.supplement else ""
        stored.file.save(f"{meeting.pk}-{where}{stored.edition}-{key[:12]}.pdf", ContentFile(built.pdf), save=False)
        stored.content_key = key
        stored.page_count = built.page_count
        stored.front_pages = built.front_pages
        stored.reports_in_full = built.reports_in_full
        stored.size = len(built.pdf)
        stored.built_at = timezone.now()
        current = packs.pack_content_key(meeting, stored.edition, pack.supplement) == key
        stored.state = AgendaPack.State.READY if current else AgendaPack.State.QUEUED
        stored.progress = 100
        stored.error = ""
        stored.attempts = 0
        stored.lease_token, stored.lease_until = "", None
        stored.save()
    if old_name and old_name != stored.file.name:
        stored.file.storage.delete(old_name)
    if stored.state == AgendaPack.State.QUEUED:
        build_pack_task.enqueue(stored.pk)  # something changed while this one built
    return stored


def recover_stalled_packs(now=None):
    """Queue a build for every pack that needs one and has none coming: waiting with no task (its task
    failed on a database error), or building under a lease that lapsed (its worker died)."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=renew_every())
    stalled = (
        AgendaPack.objects.filter(state__in=[AgendaPack.State.QUEUED, AgendaPack.State.BUILDING])
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .exclude(state=AgendaPack.State.QUEUED, requested_at__gte=settled)  # its task is on the way
        .exclude(pk__in=first_args_of_coming(build_pack_task))
    )
    queued = []
    for pack in stalled.select_related("meeting"):
        log.warning("%s was %s with no build coming: queued again", pack, pack.get_state_display().lower())
        build_pack_task.enqueue(pack.pk)
        queued.append(pack.pk)
    return queued
