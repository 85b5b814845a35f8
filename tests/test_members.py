"""Councillors as people, attendance at meetings and apologies sent in advance (members/)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from boards import public_cache
from boards import services as agenda
from boards.models import Meeting, Membership
from boards.public_cache import meeting_page_key
from members import services
from members.forms import CouncillorAdminForm
from members.models import Apology, Attendance, Councillor, OtherAttendee, Party
from reports.models import Ward
from tests import images

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_rendered(monkeypatch):
    """Public pages rendered for every request here (these tests read the views' context), as
    the cache stores them for no time at all; tests/test_public_pages_cache.py tests the cache."""
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0)
    monkeypatch.setattr(public_cache, "PUBLIC_PAGE_SECONDS", 0)


P, A, S, X = (Attendance.Status.PRESENT, Attendance.Status.APOLOGIES, Attendance.Status.SUBSTITUTED,
              Attendance.Status.ABSENT)  # fmt: skip


def cllr(username):
    return User.objects.get(username=username)


def upcoming(demo):
    return demo.board.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()


def held_today(demo):
    """A meeting of the board today (so attendance may be recorded), nothing recorded yet."""
    now = timezone.localtime()
    return Meeting.objects.create(board=demo.board, starts_at=now.replace(hour=0, minute=1), venue="Town Hall")


def all_present(meeting):
    from members.selectors import expected_memberships

    return {m.user_id: (P, None) for m in expected_memberships(meeting)}


# The demo -----------------------------------------------------------------------------------------


def test_it_loads_the_board_as_councillors_and_the_attendance_of_14_september_2022(demo):
    moncur = Councillor.objects.get(user=demo.member)
    assert moncur.name == "Councillor Ian Moncur" and moncur.party.name == "Labour"
    assert moncur.took_office_on == dt.date(2022, 5, 9)
    assert Councillor.objects.count() == 6
    assert not cllr("cllr.ellison").has_usable_password()  # councillors who do not sign in
    rows = {a.member.username: a for a in demo.meeting.attendances.all()}
    assert len(rows) == 5
    apologies = [a for a in rows.values() if a.status != P]
    assert len(apologies) == 1 and apologies[0].status == S and apologies[0].substitute.username == "cllr.whitfield"
    assert demo.meeting.other_attendees.count() == 2


def test_load_demo_stays_idempotent(demo):
    counts = [m.objects.count() for m in (User, Councillor, Party, Membership, Attendance, OtherAttendee)]
    call_command("load_demo", "--force", stdout=StringIO())
    assert [m.objects.count() for m in (User, Councillor, Party, Membership, Attendance, OtherAttendee)] == counts


# The councillor's profile ---------------------------------------------------------------------------


def test_a_photo_needs_alternative_text(demo):
    councillor = Councillor.objects.get(user=demo.member)
    councillor.photo = "councillors/photo.png"
    with pytest.raises(ValidationError) as error:
        councillor.full_clean()
    assert "photo_alt" in error.value.message_dict


def admin_form(demo, upload, alt="Councillor Moncur, smiling"):
    councillor = Councillor.objects.get(user=demo.member)
    data = {"user": demo.member.pk, "party": councillor.party_id, "wards": [], "photo_alt": alt}
    return CouncillorAdminForm(data, {"photo": upload}, instance=councillor)


def test_the_admin_refuses_a_photo_that_is_not_an_image(demo):
    form = admin_form(demo, SimpleUploadedFile("me.png", b"<script>alert(1)</script>", content_type="image/png"))
    assert not form.is_valid()
    assert "not a PNG, JPEG or SVG image" in form.errors["photo"][0]


def test_the_admin_keeps_a_photo_remade_and_the_page_shows_it_with_its_alt(client, demo):
    form = admin_form(demo, SimpleUploadedFile("me.png", images.png(), content_type="image/png"))
    assert form.is_valid(), form.errors
    form.save()
    page = client.get(reverse("members:councillor", args=[demo.member.pk])).content.decode()
    assert 'alt="Councillor Moncur, smiling"' in page
    photo = client.get(reverse("members:councillor_photo", args=[demo.member.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")


def test_a_photo_without_alt_is_refused_in_the_admin(demo):
    form = admin_form(demo, SimpleUploadedFile("me.png", images.png(), content_type="image/png"), alt="")
    assert not form.is_valid() and "photo_alt" in form.errors


# The public pages -----------------------------------------------------------------------------------


def test_the_list_shows_councillors_by_ward_and_by_party(client, demo):
    by_ward = client.get(reverse("members:councillors")).content.decode()
    assert "Dukes" in by_ward and "Councillor Ian Moncur" in by_ward
    by_party = client.get(reverse("members:councillors") + "?by=party").content.decode()
    assert "Liberal Democrats" in by_party and "Councillor Tom Garside" in by_party
    assert client.post(reverse("members:councillors")).status_code == 405


def add_councillors(n):
    party = Party.objects.get(name="Labour")
    wards = list(Ward.objects.all()[:3])
    for i in range(n):
        user = User.objects.create(username=f"extra{i}", first_name="Councillor", last_name=f"Extra {i}")
        councillor = Councillor.objects.create(user=user, party=party)
        councillor.wards.set(wards[: 1 + i % 3])


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_or_30_councillors(client, demo):
    Councillor.objects.exclude(user__username__in=["member", "cllr.ellison", "cllr.garside"]).delete()
    url = reverse("members:councillors")
    few = [queries_for(client, url), queries_for(client, url + "?by=party")]
    add_councillors(27)
    assert Councillor.objects.count() == 30
    assert [queries_for(client, url), queries_for(client, url + "?by=party")] == few


def test_the_councillor_page_shows_boards_roles_and_attendance(client, demo):
    page = client.get(reverse("members:councillor", args=[cllr("cllr.garside").pk])).content.decode()
    assert "Councillor Tom Garside" in page and "Liberal Democrats" in page and "Birkdale" in page
    assert "Vice-Chair" in page and "1 May 2022" in page
    assert "Apologies, with a substitute" in page and "Councillor Joan Whitfield attended in their place" in page
    assert f'href="/councillors/{cllr("cllr.garside").pk}/register/"' in page
    substitute = client.get(reverse("members:councillor", args=[cllr("cllr.whitfield").pk])).content.decode()
    assert "in place of Councillor Tom Garside" in substitute


def test_the_councillor_page_counts_expected_present_apologies_absent(client, demo):
    response = client.get(reverse("members:councillor", args=[demo.member.pk]))
    tally = response.context["attendance_by_board"][0]
    assert (tally.expected, tally.present, tally.apologies, tally.absent) == (1, 1, 0, 0)
    garside = client.get(reverse("members:councillor", args=[cllr("cllr.garside").pk])).context
    assert garside["attendance_by_board"][0].apologies == 1


def test_the_councillor_page_costs_the_same_queries_for_3_or_30_meetings(client, demo):
    url = reverse("members:councillor", args=[demo.member.pk])
    for i in range(2):
        Meeting.objects.create(board=demo.board, starts_at=demo.meeting.starts_at + dt.timedelta(days=30 * (i + 1)))
    few = queries_for(client, url)
    for i in range(2, 29):
        Meeting.objects.create(board=demo.board, starts_at=demo.meeting.starts_at + dt.timedelta(days=30 * (i + 1)))
    assert client.get(url).context["attendance_by_board"][0].expected == 30
    assert queries_for(client, url) == few


def test_a_user_who_is_not_a_councillor_has_no_page(client, demo):
    assert client.get(reverse("members:councillor", args=[demo.officer.pk])).status_code == 404
    assert client.get(reverse("members:councillor", args=[999999])).status_code == 404
    assert client.get(reverse("members:councillor_photo", args=[demo.member.pk])).status_code == 404


# Recording attendance --------------------------------------------------------------------------------


def test_it_records_attendance_and_works_out_the_quorum(demo):
    from members.selectors import attendance_record

    meeting = held_today(demo)
    demo.board.quorum = 4
    demo.board.save()
    garside, whitfield = cllr("cllr.garside"), cllr("cllr.whitfield")
    entries = all_present(meeting)
    entries[garside.pk] = (S, whitfield)
    entries[cllr("cllr.kenyon").pk] = (A, None)
    entries[cllr("cllr.rahman").pk] = (X, None)
    services.attendance_record(
        meeting=meeting, user=demo.clerk, entries=entries, others=[("Eleanor Moulton", "officer", "Consultant")]
    )
    record = attendance_record(meeting)
    assert (len(record.present), len(record.substitutes), len(record.apologies), len(record.absent)) == (2, 1, 2, 1)
    assert record.voting_present == 3 and not record.is_quorate
    demo.board.quorum = 3
    demo.board.save()
    meeting.refresh_from_db()
    assert attendance_record(meeting).is_quorate


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m, d: {cllr("cllr.garside").pk: (S, None)}, "Name the substitute"),
        (lambda m, d: {cllr("cllr.garside").pk: (S, cllr("cllr.kenyon"))}, "attends in their own right"),
        (
            lambda m, d: {
                cllr("cllr.garside").pk: (S, cllr("cllr.whitfield")),
                d.member.pk: (S, cllr("cllr.whitfield")),
            },
            "already substituting",
        ),
        (lambda m, d: {cllr("cllr.garside").pk: ("maybe", None)}, "Choose whether"),
    ],
    ids=["no-substitute", "expected-member", "twice", "no-status"],
)
def test_it_refuses_attendance_that_does_not_add_up_and_changes_nothing(demo, change, message):
    meeting = held_today(demo)
    with pytest.raises(services.AttendanceRefused) as refused:
        services.attendance_record(
            meeting=meeting, user=demo.clerk, entries=all_present(meeting) | change(meeting, demo)
        )
    assert message in " ".join(refused.value.errors.values())
    assert not meeting.attendances.exists()


def test_it_refuses_attendance_for_a_cancelled_or_future_meeting_or_by_anyone_else(
    demo, django_capture_on_commit_callbacks
):
    meeting = held_today(demo)
    with pytest.raises(services.AttendanceRefused, match="Only democratic services"):
        services.attendance_record(meeting=meeting, user=demo.member, entries=all_present(meeting))
    coming = upcoming(demo)
    with pytest.raises(services.AttendanceRefused, match="from the day of the meeting"):
        services.attendance_record(meeting=coming, user=demo.clerk, entries=all_present(coming))
    with django_capture_on_commit_callbacks(execute=True):
        agenda.meeting_cancel(meeting=meeting, user=demo.clerk)
    with pytest.raises(services.AttendanceRefused, match="cancelled"):
        services.attendance_record(meeting=meeting, user=demo.clerk, entries=all_present(meeting))
    assert not Attendance.objects.filter(meeting__in=[meeting, coming]).exists()


def attendance_post(meeting, statuses, others=()):
    from members.selectors import expected_memberships

    data = {"other-TOTAL_FORMS": str(len(others) + 1), "other-INITIAL_FORMS": "0"}
    for m in expected_memberships(meeting):
        status, substitute = statuses.get(m.user_id, (P, None))
        data[f"status_{m.user_id}"] = status
        data[f"substitute_{m.user_id}"] = substitute.pk if substitute else ""
    for i, (name, role) in enumerate(others):
        data[f"other-{i}-name"] = name
        data[f"other-{i}-role"] = role
    return data


def test_the_clerk_records_attendance_on_the_page(login, demo):
    meeting = held_today(demo)
    client = login(demo.clerk)
    url = reverse("members:attendance", args=[meeting.pk])
    assert client.get(url).status_code == 200
    garside = cllr("cllr.garside")
    data = attendance_post(meeting, {garside.pk: (S, cllr("cllr.whitfield"))}, [("A guest speaker", "guest")])
    response = client.post(url, data)
    assert response.status_code == 302
    assert meeting.attendances.get(member=garside).substitute.username == "cllr.whitfield"
    assert meeting.other_attendees.get().name == "A guest speaker"
    assert "quorate" in client.get(url).content.decode()


def test_a_refused_attendance_keeps_what_was_typed_with_the_message_beside_the_field(login, demo):
    meeting = held_today(demo)
    client = login(demo.clerk)
    garside = cllr("cllr.garside")
    data = attendance_post(meeting, {garside.pk: (S, None), demo.member.pk: (A, None)}, [("Typed guest", "guest")])
    response = client.post(reverse("members:attendance", args=[meeting.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Name the substitute who attended in their place." in page
    assert f'id="id_substitute_{garside.pk}_error"' in page
    assert 'value="Typed guest"' in page
    assert f'value="apologies" id="id_status_{demo.member.pk}_1" checked' in page
    assert not meeting.attendances.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"other-TOTAL_FORMS": "x"},
        {"other-TOTAL_FORMS": "1", "other-INITIAL_FORMS": "0", "status_1": "present", "substitute_1": "abc"},
        {"other-TOTAL_FORMS": "99999", "other-INITIAL_FORMS": "0"},
    ],
)
def test_nonsense_posted_to_the_attendance_page_is_a_400_not_a_500(login, demo, data):
    meeting = held_today(demo)
    response = login(demo.clerk).post(reverse("members:attendance", args=[meeting.pk]), data)
    assert response.status_code == 400
    assert not meeting.attendances.exists()


def test_only_democratic_services_reach_the_attendance_page(client, login, demo):
    url = reverse("members:attendance", args=[demo.meeting.pk])
    assert client.get(url)["Location"].startswith("/accounts/login/")
    for user in (demo.outsider, demo.member, demo.officer):
        assert login(user).get(url).status_code == 404
        assert login(user).post(url, attendance_post(demo.meeting, {})).status_code == 404


def test_the_public_meeting_page_shows_the_attendance_and_its_cache_sees_a_change(client, demo, monkeypatch):
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0)  # as tests/test_public_cache.py: check the key each time
    cache.clear()
    page = client.get(demo.meeting.get_absolute_url()).content.decode()
    assert "Attendance" in page and "The meeting was quorate" in page
    assert "Councillor Joan Whitfield (substitute for Councillor Tom Garside)" in page
    key = meeting_page_key(demo.meeting.pk)
    OtherAttendee.objects.filter(meeting=demo.meeting).update(name="Renamed in the admin")
    assert meeting_page_key(demo.meeting.pk) != key
    assert "Renamed in the admin" in client.get(demo.meeting.get_absolute_url()).content.decode()
    Attendance.objects.filter(meeting=demo.meeting, member=demo.member).update(status=X)
    assert '<h3 class="h6">Absent</h3>' in client.get(demo.meeting.get_absolute_url()).content.decode()


# Apologies in advance ---------------------------------------------------------------------------------


def test_a_member_sends_apologies_the_clerk_sees_them_and_the_member_withdraws_them(client, login, demo):
    meeting = upcoming(demo)
    member = login(demo.member)
    page = member.get(reverse("members:my_apologies")).content.decode()
    assert meeting.date_display in page
    whitfield = cllr("cllr.whitfield")
    response = member.post(
        reverse("members:apologies_send", args=[meeting.pk]),
        {f"m{meeting.pk}-reason": "On leave", f"m{meeting.pk}-substitute": whitfield.pk},
    )
    assert response.status_code == 302
    apology = Apology.objects.standing().get(meeting=meeting, member=demo.member)
    assert apology.substitute == whitfield and apology.reason == "On leave"

    clerk = login(demo.clerk)
    assert (
        "Councillor Ian Moncur, substitute: Councillor Joan Whitfield"
        in clerk.get(meeting.get_absolute_url()).content.decode()
    )
    form = clerk.get(reverse("members:attendance", args=[meeting.pk])).context["form"]
    assert form.initial[f"status_{demo.member.pk}"] == S
    assert form.initial[f"substitute_{demo.member.pk}"] == whitfield.pk

    member = login(demo.member)
    assert member.post(reverse("members:apologies_withdraw", args=[meeting.pk])).status_code == 302
    assert not Apology.objects.standing().filter(meeting=meeting).exists()
    assert Apology.objects.filter(meeting=meeting, withdrawn_at__isnull=False).count() == 1  # kept as history


def test_only_a_member_expected_at_the_meeting_sends_apologies(login, demo):
    meeting = upcoming(demo)
    url = reverse("members:apologies_send", args=[meeting.pk])
    for user in (demo.outsider, demo.clerk, cllr("cllr.whitfield")):  # a substitute is not expected
        assert login(user).post(url, {}).status_code == 404
    assert login(demo.member).get(url).status_code == 405
    assert not Apology.objects.exists()


def test_apologies_are_refused_once_the_meeting_has_started(login, demo):
    url = reverse("members:apologies_send", args=[demo.meeting.pk])
    response = login(demo.member).post(url, {f"m{demo.meeting.pk}-reason": "Late"})
    assert response.status_code == 302
    assert not Apology.objects.exists()


def test_a_member_cannot_name_another_expected_member_as_substitute(login, demo):
    meeting = upcoming(demo)
    response = login(demo.member).post(
        reverse("members:apologies_send", args=[meeting.pk]), {f"m{meeting.pk}-substitute": cllr("cllr.kenyon").pk}
    )
    assert response.status_code == 400
    assert "Choose one of the board&#x27;s substitutes or another councillor." in response.content.decode()
    assert not Apology.objects.exists()


def test_attendance_is_locked_once_the_minutes_are_approved(login, demo_record_open):
    demo = demo_record_open  # the record still open, so that approving it here locks it
    agenda.meeting_approve_minutes(meeting=demo.meeting, user=demo.clerk)
    before = list(demo.meeting.attendances.values_list("member_id", "status"))
    with pytest.raises(services.AttendanceRefused, match="minutes of this meeting are approved"):
        services.attendance_record(meeting=demo.meeting, user=demo.clerk, entries=all_present(demo.meeting))
    client = login(demo.clerk)
    url = reverse("members:attendance", args=[demo.meeting.pk])
    assert "can no longer change" in client.get(url).content.decode()
    assert client.post(url, attendance_post(demo.meeting, {})).status_code == 400
    assert list(demo.meeting.attendances.values_list("member_id", "status")) == before


def test_the_attendance_page_of_a_coming_meeting_shows_the_apologies_not_the_form(login, demo):
    meeting = upcoming(demo)
    services.apology_send(meeting=meeting, user=demo.member, reason="On leave")
    page = login(demo.clerk).get(reverse("members:attendance", args=[meeting.pk])).content.decode()
    assert "Councillor Ian Moncur" in page and "On leave" in page
    assert "Attendance is recorded from the day of the meeting" in page and "Save the attendance" not in page
