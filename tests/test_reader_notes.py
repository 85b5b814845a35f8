"""A member's private notes in the reader (issue 20): the sync API and its conflicts, replays and bad input;
privacy from every other person, page, API, search, export and the database itself; export, deletion, and
the retention sweep with its warning."""

import datetime as dt
import json
import uuid

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from minutes.models import Minutes
from reader import services, tasks
from reader.models import Note, NotesWarning
from reader.selectors import meeting_blocks
from tests.reader_world import change, correct_paragraph, publish_for_reading, sync

pytestmark = pytest.mark.django_db

MARKER = "qznote5521"


@pytest.fixture
def world(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting, public, exempt = publish_for_reading(demo.clerk)
    return meeting, public, exempt


def anchor_of(meeting, user, number, report=None):
    """The anchor of paragraph `number` (of `report`'s body, if given) in the meeting's papers."""
    sections = {f"s{section.pk}" for section in report.sections.all()} if report else None
    for block in meeting_blocks(user, meeting).blocks:
        if block.number == number and (sections is None or block.section in sections):
            return block.anchor
    raise AssertionError(f"no paragraph {number}")


def notes(response):
    assert response.status_code == 200, response.content
    return {note["id"]: note for note in response.json()["notes"]}


# The API --------------------------------------------------------------------------------------------


def test_a_member_makes_edits_and_reads_a_note(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    anchor = anchor_of(meeting, demo.member, "1.4", public)
    made = change(anchor, text="Ask how the £3.2m is split", quote="£3.2m for carers' breaks", highlight=True)
    body = sync(client, meeting, made).json()
    assert body["refused"] == [] and body["conflicts"] == []
    [note] = body["notes"]
    assert note["id"] == made["id"] and note["anchor"] == anchor and note["state"] == "ok"
    assert note["revision"] == 1 and note["number"] == "1.4" and note["highlight"] is True
    edited = {**made, "text": "Ask how it is split between the two years", "base": 1}
    note = notes(sync(client, meeting, edited))[made["id"]]
    assert note["revision"] == 2 and note["text"] == edited["text"]
    listed = notes(client.get(f"/reader/api/notes/?meeting={meeting.pk}"))
    assert listed[made["id"]]["text"] == edited["text"]


def test_two_devices_editing_at_once_keep_both_versions(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    anchor = anchor_of(meeting, demo.member, "2.1", public)
    made = change(anchor, text="First words")
    sync(client, meeting, made)
    phone = {**made, "text": "Changed on the phone", "base": 1}
    tablet = {**made, "text": "Changed on the tablet", "base": 1}
    assert notes(sync(client, meeting, phone))[made["id"]]["revision"] == 2
    body = sync(client, meeting, tablet).json()
    assert body["conflicts"] == [made["id"]]
    texts = {note["text"] for note in body["notes"]}
    assert texts == {"Changed on the phone", "Changed on the tablet"}
    copy = next(note for note in body["notes"] if note["id"] != made["id"])
    assert copy["conflict_of"] == made["id"] and copy["anchor"] == anchor
    # The same change sent again makes no second copy.
    assert len(sync(client, meeting, tablet).json()["notes"]) == 2


def test_a_replayed_old_sync_never_overwrites_a_newer_note(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    anchor = anchor_of(meeting, demo.member, "1.1", public)
    made = change(anchor, text="Version one")
    sync(client, meeting, made)
    sync(client, meeting, {**made, "text": "Version two", "base": 1})
    sync(client, meeting, {**made, "text": "Version three", "base": 2})
    for replay in [made, {**made, "text": "Version two", "base": 1}]:
        body = sync(client, meeting, replay).json()
        assert body["conflicts"] == [] and body["refused"] == []
        [note] = body["notes"]
        assert note["text"] == "Version three" and note["revision"] == 3


def test_a_delete_from_an_older_revision_keeps_the_newer_note(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    made = change(anchor_of(meeting, demo.member, "1.2", public), text="Keep me")
    sync(client, meeting, made)
    sync(client, meeting, {**made, "text": "Kept and changed", "base": 1})
    body = sync(client, meeting, {**made, "deleted": True, "base": 1}).json()
    assert body["refused"][0]["id"] == made["id"] and "changed on another device" in body["refused"][0]["reason"]
    assert [n["text"] for n in body["notes"]] == ["Kept and changed"]
    # From the current revision, it is deleted; an edit made before, sent later, comes back as a copy.
    assert sync(client, meeting, {**made, "deleted": True, "base": 2}).json()["notes"] == []
    body = sync(client, meeting, {**made, "text": "Edited offline before the delete", "base": 2}).json()
    assert [n["text"] for n in body["notes"]] == ["Edited offline before the delete"]


def test_it_refuses_a_note_on_a_paragraph_the_member_cannot_see(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    seed_section = demo.seed.sections.first()
    for anchor in [f"s{seed_section.pk}-p1", "s999999-p1", "<script>", "", f"r{demo.seed.pk}-summary-p1"]:
        body = sync(client, meeting, change(anchor, text="Nope")).json()
        assert body["notes"] == [] and len(body["refused"]) == 1, anchor
        assert "no such paragraph" in body["refused"][0]["reason"]
    assert not Note.objects.exists()


def test_it_refuses_a_note_on_a_meeting_the_member_cannot_read(world, demo, login):
    meeting, public, _ = world
    anchor = anchor_of(meeting, demo.member, "1.1", public)
    for who in ["outsider", "officer"]:
        response = sync(login(demo.users[who]), meeting, change(anchor, text="Nope"))
        assert response.status_code == 404 and response.json()["error"] == "no_meeting"
        response = login(demo.users[who]).get(f"/reader/api/notes/?meeting={meeting.pk}")
        assert response.status_code == 404
    assert not Note.objects.exists()


def test_it_refuses_a_note_of_a_megabyte_with_a_clear_message(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    big = change(anchor_of(meeting, demo.member, "1.1", public), text="x" * 1024 * 1024)
    body = sync(client, meeting, big).json()
    assert body["notes"] == []
    assert body["refused"] == [
        {"id": big["id"], "reason": "A note can be at most 10,000 characters long; this one has 1,048,576. Shorten it."}
    ]
    assert not Note.objects.exists()


def test_a_script_in_a_note_is_kept_as_text(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    made = change(anchor_of(meeting, demo.member, "1.1", public), text=script)
    assert notes(sync(client, meeting, made))[made["id"]]["text"] == script
    pdf = client.get(f"/reader/meetings/{meeting.pk}/notes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = client.get(f"/reader/meetings/{meeting.pk}/notes.txt")
    assert text["Content-Type"] == "text/plain; charset=utf-8" and script in text.content.decode()


def test_a_sync_after_the_session_ended_is_refused_with_json(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    anchor = anchor_of(meeting, demo.member, "1.1", public)
    client.post("/accounts/logout/")
    response = sync(client, meeting, change(anchor, text="Made offline"))
    assert response.status_code == 403 and response.json()["error"] == "signed_out"
    assert "kept" in response.json()["message"]
    assert Client().get(f"/reader/api/notes/?meeting={meeting.pk}").status_code == 403
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"meeting": "x"}', b'{"meeting": null, "changes": []}'],
)
def test_it_answers_bad_requests_with_a_reason(world, demo, login, body):
    client = login(demo.member)
    response = client.post("/reader/api/notes/sync/", body, content_type="application/json")
    assert response.status_code in (400, 404) and response.json()["message"]


def test_it_answers_a_form_post_with_a_reason(world, demo, login):
    response = login(demo.member).post("/reader/api/notes/sync/", {"meeting": "1"})
    assert response.status_code == 400 and "JSON" in response.json()["message"]


def test_it_refuses_malformed_changes_one_by_one(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    good = change(anchor_of(meeting, demo.member, "1.1", public), text="Fine")
    bad = [
        {**good, "id": "not-a-uuid"},
        {**good, "id": str(uuid.uuid4()), "base": -1},
        {**good, "id": str(uuid.uuid4()), "text": 5},
        {**good, "id": str(uuid.uuid4()), "text": "", "highlight": False},
        "a string",
    ]
    body = sync(client, meeting, good, *bad).json()
    assert len(body["refused"]) == 5 and [n["id"] for n in body["notes"]] == [good["id"]]
    response = client.post(
        "/reader/api/notes/sync/", json.dumps({"meeting": meeting.pk, "changes": "x"}), content_type="application/json"
    )
    assert response.status_code == 400


# Privacy ----------------------------------------------------------------------------------------------


def test_no_one_else_reads_a_members_notes(world, demo, login):
    meeting, public, _ = world
    made = change(anchor_of(meeting, demo.member, "1.1", public), text=f"Private {MARKER}")
    sync(login(demo.member), meeting, made)
    for who in ["clerk", "admin"]:  # they may read the meeting, never the member's notes
        client = login(demo.users[who])
        assert notes(client.get(f"/reader/api/notes/?meeting={meeting.pk}")) == {}
        for url in [f"/reader/meetings/{meeting.pk}/notes.txt", f"/reader/meetings/{meeting.pk}/"]:
            assert MARKER not in client.get(url).content.decode()
        # Their own sync of the member's note's id makes a note of theirs, and leaves the member's alone.
        body = sync(client, meeting, {**made, "text": "Theirs", "base": 1}).json()
        assert [n["text"] for n in body["notes"]] == ["Theirs"]
    assert Note.objects.get(user=demo.member).read()["text"] == f"Private {MARKER}"
    assert Note not in admin.site._registry


def every_row_text():
    """Every row of every table as text."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the database itself
            out += [repr(row) for row in cursor.fetchall()]
    return "\n".join(out)


def test_no_table_holds_a_notes_words_in_plain_text(world, demo, login):
    meeting, public, _ = world
    quote = "sets aside"
    made = change(anchor_of(meeting, demo.member, "1.4", public), text=f"Private {MARKER}", quote=quote)
    sync(login(demo.member), meeting, made)
    rows = every_row_text()
    assert MARKER not in rows
    assert made["anchor"] not in rows  # nor which paragraph it is on
    note = Note.objects.get()
    assert note.read()["text"] == f"Private {MARKER}" and note.read()["paragraph"].startswith("The plan sets aside")
    assert str(note) == f"Note {note.client_id}"


def test_the_site_search_never_finds_a_note(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    beside = "ploverwren"  # searched for: a search for the marker itself would echo it back
    sync(client, meeting, change(anchor_of(meeting, demo.member, "1.1", public), text=f"Private {MARKER} {beside}"))
    for who in ["member", "clerk", "admin"]:
        client = login(demo.users[who])
        for url in [f"/search/?q={beside}", f"/reader/meetings/{meeting.pk}/search/?q={beside}", "/api/v1/papers/"]:
            response = client.get(url)
            assert response.status_code == 200 and MARKER not in response.content.decode(), (who, url)


@pytest.mark.slow
def test_the_marker_in_a_note_reaches_no_one_but_its_author_by_any_route(world, demo, login):
    """The exempt-marker crawl (tests/test_leaks.py) with a marker in a note: every URL of the project,
    filled with real ids, and the links found from them, as every other role; only the author finds it."""
    from tests.test_leaks import every_url, walk
    from tests.test_public import other_board_member

    meeting, public, exempt = world
    item = exempt.agenda_item
    beside = "ploverwren"  # searched for: a search for the marker itself would echo it back
    made = change(anchor_of(meeting, demo.member, "1.1"), text=f"Private {MARKER} {beside}", quote="Three bids")
    sync(login(demo.member), meeting, made)
    _, planner = other_board_member()
    ints = sorted({meeting.pk, demo.meeting.pk, public.pk, exempt.pk, item.pk, public.agenda_item.pk, 1})
    pools = {"default": ints, "pk": ints, "item_pk": [item.pk, public.agenda_item.pk], "slug": [demo.board.slug]}
    _, urls = every_url(pools)
    urls = [url for url in urls if not url.startswith("/admin/")] + [
        f"/reader/api/notes/?meeting={meeting.pk}",
        f"/search/?q={beside}",
        f"/reader/meetings/{meeting.pk}/search/?q={beside}",
        f"/admin/reader/note/{Note.objects.get().pk}/change/",
        "/admin/",
    ]
    assert f"/reader/meetings/{meeting.pk}/notes.txt" in urls

    def leaked(text):
        return [MARKER] if MARKER in text.lower() else []

    for who in ["clerk", "admin", "officer", "director", "outsider", planner, None]:
        client = Client()
        user = demo.users[who] if isinstance(who, str) else who
        if user is not None:
            client.force_login(user)
        seen, leaks, errors = walk(client, urls, leaked=leaked, max_depth=1)
        errors = [error for error in errors if not error.endswith(": 503")]  # packs not built here
        assert not errors, f"{who}: {errors[:10]}"
        assert not leaks, f"the note reached {who} at: {leaks}"
    client = login(demo.member)
    for url in [f"/reader/api/notes/?meeting={meeting.pk}", f"/reader/meetings/{meeting.pk}/notes.txt"]:
        assert MARKER in client.get(url).content.decode(), url


# Export and deletion ------------------------------------------------------------------------------------


def test_it_exports_the_members_notes_as_text_and_pdf(world, demo, login):
    from tests.test_public import pdf_text

    meeting, public, exempt = world
    client = login(demo.member)
    sync(
        client,
        meeting,
        change(anchor_of(meeting, demo.member, "1.4", public), text="Ask about carers", quote="carers' breaks"),
        change(anchor_of(meeting, demo.member, "1.1", exempt), highlight=True, quote="Three bids"),
    )
    text = client.get(f"/reader/meetings/{meeting.pk}/notes.txt")
    assert text.status_code == 200 and "attachment" in text["Content-Disposition"]
    words = text.content.decode()
    assert "Better Care Fund Plan 2025 to 2027, paragraph 1.4" in words and "Note: Ask about carers" in words
    assert "Sexual Health Services: Contract Award (Exempt: not for publication), paragraph 1.1" in words
    assert "Highlighted" in words and "Quote: “Three bids”" in words
    pdf = client.get(f"/reader/meetings/{meeting.pk}/notes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    printed = pdf_text(pdf.content)
    assert "Ask about carers" in printed and "Exempt: not for publication" in printed


def test_a_member_deletes_their_notes_of_a_meeting(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    made = change(anchor_of(meeting, demo.member, "1.1", public), text=f"Private {MARKER}")
    sync(client, meeting, made)
    assert client.get(f"/reader/meetings/{meeting.pk}/notes/delete/").status_code == 200
    response = client.post(f"/reader/meetings/{meeting.pk}/notes/delete/")
    assert response.status_code == 302
    assert notes(client.get(f"/reader/api/notes/?meeting={meeting.pk}")) == {}
    assert MARKER not in every_row_text()
    # A device still holding the note's creation cannot bring it back.
    body = sync(client, meeting, made).json()
    assert body["notes"] == [] and "You deleted your notes" in body["refused"][0]["reason"]


# Notes follow the paragraph --------------------------------------------------------------------------


def test_after_a_correction_notes_stay_change_or_detach(world, demo, login):
    meeting, public, _ = world
    client = login(demo.member)
    on_21 = change(anchor_of(meeting, demo.member, "2.1", public), highlight=True, quote="existing schemes")
    on_14 = change(anchor_of(meeting, demo.member, "1.4", public), text="Is £3.2m enough?")
    on_22 = change(anchor_of(meeting, demo.member, "2.2", public), text="Quarterly is too rare")
    sync(client, meeting, on_21, on_14, on_22)
    correct_paragraph(public, "£3.2m for carers' breaks", "£3.6m for carers' breaks")
    correct_paragraph(public, "<li><p>Progress is reported to the Board every quarter.</p></li>", "")
    placed = notes(client.get(f"/reader/api/notes/?meeting={meeting.pk}"))
    assert placed[on_21["id"]]["state"] == "ok" and placed[on_21["id"]]["anchor"] == on_21["anchor"]
    changed = placed[on_14["id"]]
    assert changed["state"] == "changed" and changed["anchor"] == on_14["anchor"]
    assert ["removed", "£3.2m"] in changed["diff"] and ["added", "£3.6m"] in changed["diff"]
    assert placed[on_22["id"]]["state"] == "detached" and placed[on_22["id"]]["text"] == "Quarterly is too rare"
    # "Keep note here": the note takes the paragraph as it reads now.
    rebased = {**on_14, "base": 1, "rebase": True}
    assert notes(sync(client, meeting, rebased))[on_14["id"]]["state"] == "ok"


# Retention ------------------------------------------------------------------------------------------------


def approve_minutes(meeting, days_ago):
    """Approve the minutes at noon, local time, `days_ago` local days ago: the sweep counts local days, and a
    timedelta from now crosses a clock change (late on a winter evening, 90 days back is the next summer day)."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    Minutes.objects.update_or_create(
        meeting=meeting,
        defaults={
            "status": Minutes.Status.APPROVED,
            "drafted_at": timezone.now(),
            "approved_at": timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
        },
    )


def test_the_sweep_warns_once_then_deletes_notes_after_the_minutes_are_approved(world, demo, login, settings):
    meeting, public, _ = world
    settings.READER_NOTES_KEEP_DAYS, settings.READER_NOTES_WARN_DAYS = 90, 14
    client = login(demo.member)
    sync(client, meeting, change(anchor_of(meeting, demo.member, "1.1", public), text="Keep me a while"))
    approve_minutes(meeting, 60)
    assert services.notes_retention_sweep() == (0, 0)
    approve_minutes(meeting, 80)
    assert services.notes_retention_sweep() == (0, 1)
    [email] = [sent for sent in mail.outbox if "will be deleted" in sent.subject]
    assert email.to == [demo.member.email] and "will be deleted on" in email.subject
    assert "Keep me a while" not in email.body and f"/reader/meetings/{meeting.pk}/" in email.body
    assert services.notes_retention_sweep() == (0, 0)
    assert len([sent for sent in mail.outbox if "will be deleted" in sent.subject]) == 1
    shell = client.get(f"/reader/meetings/{meeting.pk}/").content.decode()
    assert "your notes on its papers will be deleted on" in shell and "alert-warning" in shell
    approve_minutes(meeting, 90)
    assert services.notes_retention_sweep() == (1, 0)
    assert not Note.objects.exists() and not NotesWarning.objects.exists()


def test_the_worker_runs_the_sweep_once_a_day(world, demo, login, settings):
    from boards.management.commands import run_worker

    meeting, public, _ = world
    assert tasks.sweep_notes_retention in run_worker.SWEEPS
    sync(login(demo.member), meeting, change(anchor_of(meeting, demo.member, "1.1", public), text="Old"))
    approve_minutes(meeting, 200)
    settings.REMINDER_HOUR = 7
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(6)))
    assert tasks.sweep_notes_retention(morning) is None and Note.objects.exists()
    assert tasks.sweep_notes_retention(morning + dt.timedelta(hours=2)) == (1, 0)
    assert tasks.sweep_notes_retention(morning + dt.timedelta(hours=3)) is None
