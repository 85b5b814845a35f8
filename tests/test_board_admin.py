"""A board's settings, adding a board, and its members (/boards/new/, /boards/<slug>/settings/,
/boards/<slug>/members/...), for democratic services without the Django admin (issue 17)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from boards import services
from boards.models import Board, BoardEvent, Meeting, Membership
from members.models import Councillor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def settings_of(board, **changes):
    """The settings form's fields as the page posts them, with `changes`."""
    data = {
        "name": board.name,
        "default_venue": board.default_venue,
        "default_time": f"{board.default_time:%H:%M}",
        "clerk": board.clerk_id or "",
        "contact_email": board.contact_email,
        "contact_phone": board.contact_phone,
        "quorum": board.quorum,
        "report_deadline_days": board.report_deadline_days,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def seat_of(demo, username):
    return Membership.objects.get(board=demo.board, user__username=username, ends_on__isnull=True)


def new_councillor(first="Nadia", last="Newton"):
    user = User.objects.create_user(first.lower(), first_name=first, last_name=last)
    Councillor.objects.create(user=user)
    return user


# Settings --------------------------------------------------------------------------------------------


def test_it_saves_a_boards_settings_and_keeps_the_change_in_history(demo, login):
    client = login(demo.clerk)
    assert client.get(f"/boards/{demo.board.slug}/settings/").status_code == 200
    posted = settings_of(demo.board, default_venue="Bootle Town Hall", default_time="10:30", quorum="4")
    response = client.post(f"/boards/{demo.board.slug}/settings/", posted)
    assert response.status_code == 302
    board = Board.objects.get(pk=demo.board.pk)
    assert (board.default_venue, board.default_time, board.quorum) == ("Bootle Town Hall", dt.time(10, 30), 4)
    event = BoardEvent.objects.get(board=board, action="settings_changed")
    assert event.actor == demo.clerk
    assert "Usual time: 14:00 → 10:30" in event.note and "Quorum: 3 → 4" in event.note
    assert "Bootle Town Hall" in client.get(response["Location"]).content.decode()


def test_the_programme_and_a_new_meeting_start_from_the_boards_usual_time(demo, login):
    Board.objects.filter(pk=demo.board.pk).update(default_time=dt.time(10, 30))
    client = login(demo.clerk)
    programme = client.get(f"/boards/{demo.board.slug}/programme/").content.decode()
    assert 'value="10:30"' in programme
    new = client.get(f"/meetings/new/?board={demo.board.slug}").content.decode()
    assert 'value="10:30"' in new


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "  "}, "name", "This field is required."),
        ({"name": "overview and scrutiny committee"}, "name", "There is already a board called"),
        ({"default_time": "half two"}, "default_time", "Enter a time, like 14:00"),
        ({"quorum": "-1"}, "quorum", "greater than or equal to 0"),
    ],
)
def test_it_refuses_bad_settings_beside_the_field_and_keeps_what_was_typed(demo, login, changes, field, message):
    Board.objects.create(name="Overview and Scrutiny Committee", slug="overview-and-scrutiny")
    client = login(demo.clerk)
    posted = settings_of(demo.board, default_venue="Typed venue, kept", **changes)
    response = client.post(f"/boards/{demo.board.slug}/settings/", posted)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "Typed venue, kept" in response.content.decode()
    assert not BoardEvent.objects.filter(board=demo.board).exists()
    assert Board.objects.get(pk=demo.board.pk).default_venue == demo.board.default_venue


def test_a_board_is_added_and_retired(demo, login):
    client = login(demo.clerk)
    assert "Add a board" in client.get("/boards/").content.decode()
    assert 'value="14:00"' in client.get("/boards/new/").content.decode()  # the usual time to start from
    data = settings_of(Board(), name="Licensing Committee", default_time="18:00", quorum="3", report_deadline_days="5")
    response = client.post("/boards/new/", data)
    board = Board.objects.get(name="Licensing Committee")
    assert response["Location"] == f"/boards/{board.slug}/members/"
    assert (board.slug, board.default_time, board.is_active) == ("licensing-committee", dt.time(18), True)
    assert BoardEvent.objects.filter(board=board, action="created").exists()
    # Same name twice (any case): refused beside the name.
    again = client.post("/boards/new/", {**data, "name": "licensing committee"})
    assert again.status_code == 400 and "There is already a board called" in again.content.decode()
    assert Board.objects.filter(name__iexact="licensing committee").count() == 1
    # Retired: off the list, its page kept; the settings page reinstates it.
    assert client.post(f"/boards/{board.slug}/retire/", {"action": "retire"}).status_code == 302
    board.refresh_from_db()
    assert not board.is_active
    assert client.get(f"/boards/{board.slug}/").status_code == 200
    assert [e.action for e in board.events.all()] == ["created", "retired"]
    client.post(f"/boards/{board.slug}/retire/", {"action": "reinstate"})
    assert Board.objects.get(pk=board.pk).is_active


def test_a_board_with_meetings_to_come_is_not_retired(demo, login):
    Meeting.objects.create(board=demo.board, starts_at=timezone.now() + dt.timedelta(days=20))
    client = login(demo.clerk)
    response = client.post(f"/boards/{demo.board.slug}/retire/", {"action": "retire"}, follow=True)
    assert "has meetings to come" in response.content.decode()
    assert Board.objects.get(pk=demo.board.pk).is_active


def test_the_pages_are_for_democratic_services_alone(demo, login, client):
    slug = demo.board.slug
    seat = seat_of(demo, "member")
    paths = [
        f"/boards/{slug}/settings/",
        f"/boards/{slug}/members/",
        f"/boards/{slug}/members/{seat.pk}/",
        "/boards/new/",
    ]
    for path in paths:
        assert client.get(path).status_code == 302  # to sign in
    for user in (demo.officer, demo.member, demo.outsider):
        login(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(f"/boards/{slug}/members/{seat.pk}/end/", {"ends_on": TODAY.isoformat()}).status_code == 404
    assert seat_of(demo, "member").ends_on is None


# Members ---------------------------------------------------------------------------------------------


def test_it_lists_members_in_role_order_and_past_ones_apart(demo, login):
    past = new_councillor("Paul", "Past")
    Membership.objects.create(board=demo.board, user=past, starts_on=dt.date(2020, 5, 1), ends_on=dt.date(2021, 5, 1))
    response = login(demo.clerk).get(f"/boards/{demo.board.slug}/members/")
    roles = [seat.role for seat in response.context["current"]]
    assert roles == sorted(roles, key=Membership.Role.values.index) and roles[0] == "chair"
    assert [seat.user for seat in response.context["past"]] == [past]
    assert past not in [seat.user for seat in response.context["current"]]


def test_it_adds_a_member_and_keeps_it_in_history(demo, login):
    nadia = new_councillor()
    client = login(demo.clerk)
    data = {"user": nadia.pk, "role": "member", "starts_on": TODAY.isoformat()}
    response = client.post(f"/boards/{demo.board.slug}/members/", data)
    assert response.status_code == 302
    seat = Membership.objects.get(board=demo.board, user=nadia)
    assert (seat.role, seat.starts_on, seat.ends_on) == ("member", TODAY, None)
    event = BoardEvent.objects.get(action="member_added")
    assert event.membership == seat and event.actor == demo.clerk and "Nadia Newton, Member" in event.note
    assert nadia in [s.user for s in demo.board.memberships.current()]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"role": "chair"}, "role", "a board has one chair at a time"),
        ({"role": "vice_chair"}, "role", "a board has one vice-chair at a time"),
        ({"ends_on": (TODAY - dt.timedelta(days=1)).isoformat()}, "ends_on", "The last day is before the first"),
        ({"starts_on": "31/02/2026"}, "starts_on", "Enter a real date"),
        ({"user": ""}, "user", "This field is required."),
    ],
)
def test_it_refuses_a_bad_seat_beside_its_field(demo, login, changes, field, message):
    nadia = new_councillor()
    client = login(demo.clerk)
    data = {"user": nadia.pk, "role": "member", "starts_on": TODAY.isoformat(), **changes}
    response = client.post(f"/boards/{demo.board.slug}/members/", data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Membership.objects.filter(user=nadia).exists()
    assert not BoardEvent.objects.exists()


def test_it_refuses_an_overlapping_seat_for_the_same_person(demo, login):
    member = demo.member
    client = login(demo.clerk)
    data = {"user": member.pk, "role": "substitute", "starts_on": TODAY.isoformat()}
    response = client.post(f"/boards/{demo.board.slug}/members/", data)
    assert response.status_code == 400
    assert "already has a seat on the" in " ".join(response.context["form"].errors["user"])
    assert Membership.objects.filter(board=demo.board, user=member).count() == 1


def test_a_second_chair_is_refused_until_the_first_seat_ends(demo):
    nadia = new_councillor()
    chair = seat_of(demo, "cllr.ellison")
    with pytest.raises(services.BoardRefused, match="one chair at a time"):
        services.membership_add(board=demo.board, user=demo.clerk, member=nadia, role="chair", starts_on=TODAY)
    services.membership_end(membership=chair, user=demo.clerk, on=TODAY)
    # From tomorrow the chair is free; today the old chair's seat still runs.
    with pytest.raises(services.BoardRefused, match="one chair at a time"):
        services.membership_add(board=demo.board, user=demo.clerk, member=nadia, role="chair", starts_on=TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    seat = services.membership_add(board=demo.board, user=demo.clerk, member=nadia, role="chair", starts_on=tomorrow)
    assert seat.role == "chair"


def test_changing_a_role_ends_the_seat_and_opens_one_in_the_new_role(demo, login):
    chair, rahman = seat_of(demo, "cllr.ellison"), seat_of(demo, "cllr.rahman")
    client = login(demo.clerk)
    tomorrow = TODAY + dt.timedelta(days=1)
    # A second chair: refused beside the role, nothing changed.
    refused = client.post(
        f"/boards/{demo.board.slug}/members/{rahman.pk}/role/", {"role": "chair", "on": tomorrow.isoformat()}
    )
    assert refused.status_code == 400 and "one chair at a time" in refused.content.decode()
    assert Membership.objects.filter(user=rahman.user, board=demo.board).count() == 1
    # The chair steps down to member; then Rahman may be chair.
    client.post(f"/boards/{demo.board.slug}/members/{chair.pk}/role/", {"role": "member", "on": tomorrow.isoformat()})
    response = client.post(
        f"/boards/{demo.board.slug}/members/{rahman.pk}/role/", {"role": "chair", "on": tomorrow.isoformat()}
    )
    assert response.status_code == 302
    seats = Membership.objects.filter(user=rahman.user, board=demo.board).order_by("starts_on")
    assert [(s.role, s.ends_on) for s in seats] == [("member", TODAY), ("chair", None)]
    assert [s.user for s in demo.board.memberships.current(tomorrow).filter(role="chair")] == [rahman.user]
    assert [s.user for s in demo.board.memberships.current(TODAY).filter(role="chair")] == [chair.user]
    assert BoardEvent.objects.filter(action="role_changed").count() == 2


def test_ending_a_membership_keeps_the_seat(demo, login):
    seat = seat_of(demo, "cllr.kenyon")
    client = login(demo.clerk)
    assert client.get(f"/boards/{demo.board.slug}/members/{seat.pk}/").status_code == 200
    before = (TODAY - dt.timedelta(days=365 * 10)).isoformat()
    refused = client.post(f"/boards/{demo.board.slug}/members/{seat.pk}/end/", {"ends_on": before})
    assert refused.status_code == 400 and "cannot be before that" in refused.content.decode()
    assert before in refused.content.decode()  # what was typed is kept
    response = client.post(f"/boards/{demo.board.slug}/members/{seat.pk}/end/", {"ends_on": TODAY.isoformat()})
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.ends_on == TODAY
    assert seat not in demo.board.memberships.current(TODAY + dt.timedelta(days=1))
    assert BoardEvent.objects.get(action="membership_ended").membership == seat
    page = client.get(f"/boards/{demo.board.slug}/members/").content.decode()
    assert "Membership ended" in page


@pytest.mark.parametrize("path", ["members/{pk}/role/", "members/{pk}/end/", "members/"])
def test_garbage_is_refused_without_an_error(demo, login, path):
    seat = seat_of(demo, "member")
    client = login(demo.clerk)
    response = client.post(
        f"/boards/{demo.board.slug}/" + path.format(pk=seat.pk),
        {"role": "emperor", "on": "x" * 5000, "ends_on": "\x00", "user": "'; drop", "starts_on": "9999-99-99"},
    )
    assert response.status_code == 400
    assert client.get(f"/boards/{demo.board.slug}/members/999999/").status_code == 404


def test_a_committee_is_set_to_scrutinise_an_executive_board(demo, login):
    cabinet = Board.objects.create(name="Cabinet", slug="cabinet", is_executive=True)
    client = login(demo.clerk)
    assert "Cabinet" in client.get(f"/boards/{demo.board.slug}/settings/").content.decode()
    response = client.post(f"/boards/{demo.board.slug}/settings/", settings_of(demo.board, scrutinises=[cabinet.pk]))
    assert response.status_code == 302
    assert list(Board.objects.get(pk=demo.board.pk).scrutinises.all()) == [cabinet]
    assert BoardEvent.objects.get(action="settings_changed").note == "Scrutinises: none → Cabinet"
    # Without executive boards the choice is not offered (and saving leaves it as it was).
    Board.objects.filter(pk=cabinet.pk).update(is_executive=False)
    page = client.get(f"/boards/{demo.board.slug}/settings/").content.decode()
    assert "id_scrutinises" not in page
