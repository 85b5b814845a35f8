"""The register of members' interests (Localism Act 2011 ss. 29-34) and declarations at meetings."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from boards.models import AgendaItem, Meeting, Membership
from boards.public_cache import meeting_page_key
from interests import services
from interests.models import Category, Declaration, RegisterChange, RegisterEntry, Whose


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): these tests edit it."""
    return demo_record_open


pytestmark = pytest.mark.django_db

FIELDS = {
    "category": Category.SECURITIES,
    "description": "Shares in Mersey Ferries plc",
    "whose": Whose.MEMBER,
    "is_sensitive": False,
    "starts_on": dt.date(2020, 1, 1),
}


def form(**changes):
    data = {**FIELDS, **changes}
    data["starts_on"] = data["starts_on"].isoformat() if data["starts_on"] else ""
    if not data["is_sensitive"]:
        del data["is_sensitive"]
    return data


def snapshot():
    return (
        list(RegisterEntry.objects.order_by("pk").values()),
        list(RegisterChange.objects.order_by("pk").values()),
        list(Declaration.objects.order_by("pk").values()),
    )


# The demo ------------------------------------------------------------------------------------------------


def test_it_makes_legal_the_monitoring_officer_and_gives_member_a_register(demo):
    assert demo.legal.is_monitoring_officer and "Monitoring officer" in demo.legal.roles
    assert not any(u.is_monitoring_officer for u in User.objects.exclude(username="legal"))
    entries = list(demo.member.register_entries.current())
    assert len(entries) == 2 and sum(e.is_sensitive for e in entries) == 1
    item = demo.seed.agenda_item
    assert item.declarations.get().member == demo.member


# The member proposes, the monitoring officer decides ---------------------------------------------------------


def test_it_keeps_a_proposed_entry_off_the_register_until_accepted(client, demo):
    client.force_login(demo.member)
    response = client.post("/my/interests/add/", form())
    assert response.status_code == 302
    change = RegisterChange.objects.get(status="pending")
    assert change.action == "add" and change.member == demo.member
    assert "Mersey Ferries" not in client.get("/register/").content.decode()

    client.force_login(demo.legal)
    assert "Mersey Ferries" in client.get("/interests/changes/").content.decode()
    assert client.post(f"/interests/changes/{change.pk}/accept/").status_code == 302
    change.refresh_from_db()
    assert change.status == "accepted" and change.decided_by == demo.legal and change.decided_at
    assert change.entry.description == "Shares in Mersey Ferries plc"
    client.logout()
    page = client.get("/register/").content.decode()
    assert "Mersey Ferries" in page and f"Last updated {timezone.localdate():%-d %B %Y}" in page


def test_it_keeps_the_history_of_every_accepted_change(client, demo):
    entry = demo.member.register_entries.filter(is_sensitive=False).get()
    client.force_login(demo.member)
    client.post(f"/my/interests/{entry.pk}/edit/", form(category=Category.EMPLOYMENT, description="Chair of trustees"))
    services.register_change_accept(change=RegisterChange.objects.get(status="pending"), user=demo.legal)
    client.post(f"/my/interests/{entry.pk}/remove/")
    services.register_change_accept(change=RegisterChange.objects.get(status="pending"), user=demo.legal)

    entry.refresh_from_db()
    assert entry.removed_at is not None and entry.description == "Chair of trustees"
    history = list(entry.changes.filter(status="accepted").order_by("decided_at").values_list("action", "description"))
    assert history == [
        ("add", "Trustee (unpaid) of Sefton Carers Centre"),
        ("edit", "Chair of trustees"),
        ("remove", "Chair of trustees"),
    ]
    page = client.get("/my/interests/").content.decode()
    assert "Trustee (unpaid) of Sefton Carers Centre" in page and "Chair of trustees" in page
    assert "Chair of trustees" not in client.get(f"/councillors/{demo.member.pk}/register/").content.decode()


def test_it_returns_a_change_with_a_reason_and_leaves_the_register_as_it_was(client, demo):
    services.register_propose_add(member=demo.member, user=demo.member, fields=FIELDS)
    change = RegisterChange.objects.get(status="pending")
    client.force_login(demo.legal)
    before = snapshot()
    response = client.post(f"/interests/changes/{change.pk}/return/", {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the change is returned" in response.content.decode()
    assert snapshot() == before
    client.post(f"/interests/changes/{change.pk}/return/", {"reason": "Name the company's registered office."})
    change.refresh_from_db()
    assert change.status == "returned" and change.entry is None
    client.force_login(demo.member)
    assert "Name the company&#x27;s registered office." in client.get("/my/interests/").content.decode()
    with pytest.raises(ValidationError, match="already been returned"):
        services.register_change_accept(change=change, user=demo.legal)


@pytest.mark.parametrize("who", ["officer", "clerk", "outsider", "admin", "legal"])
def test_it_refuses_a_register_change_by_anyone_but_the_member(client, demo, who):
    entry = demo.member.register_entries.first()
    user = demo.users[who]
    before = snapshot()
    with pytest.raises(ValidationError, match="Only the member"):
        services.register_propose_edit(entry=entry, user=user, fields={**FIELDS})
    with pytest.raises(ValidationError, match="Only the member"):
        services.register_propose_add(member=demo.member, user=user, fields=FIELDS)
    client.force_login(user)
    assert client.post(f"/my/interests/{entry.pk}/edit/", form()).status_code == 404
    assert client.post(f"/my/interests/{entry.pk}/remove/").status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("who", ["member", "clerk", "officer", "admin"])
def test_it_refuses_a_decision_by_anyone_but_the_monitoring_officer(client, demo, who):
    change = services.register_propose_add(member=demo.member, user=demo.member, fields=FIELDS)
    before = snapshot()
    with pytest.raises(ValidationError, match="Only the monitoring officer"):
        services.register_change_accept(change=change, user=demo.users[who])
    client.force_login(demo.users[who])
    assert client.post(f"/interests/changes/{change.pk}/accept/").status_code == 404
    assert client.post(f"/interests/changes/{change.pk}/return/", {"reason": "No"}).status_code == 404
    assert snapshot() == before


def test_it_says_what_is_wrong_beside_the_field_and_keeps_what_was_typed(client, demo):
    client.force_login(demo.member)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post("/my/interests/add/", form(description="Shares typed here", starts_on=tomorrow))
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be in the future" in page and "Shares typed here" in page
    response = client.post("/my/interests/add/", form(category="nonsense", description=""))
    assert response.status_code == 400
    assert not RegisterChange.objects.filter(status="pending").exists()


def test_it_refuses_a_second_pending_change_to_one_entry(demo):
    entry = demo.member.register_entries.first()
    services.register_propose_remove(entry=entry, user=demo.member)
    with pytest.raises(ValidationError, match="already waiting"):
        services.register_propose_edit(entry=entry, user=demo.member, fields={**FIELDS})


def test_it_refuses_an_edit_that_changes_nothing(demo):
    entry = demo.member.register_entries.first()
    fields = {name: getattr(entry, name) for name in FIELDS}
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.register_propose_edit(entry=entry, user=demo.member, fields=fields)


# The public register ----------------------------------------------------------------------------------------


def test_it_publishes_a_sensitive_interest_only_as_existing(client, demo):
    sensitive = demo.member.register_entries.get(is_sensitive=True)
    for url in ["/register/", f"/councillors/{demo.member.pk}/register/"]:
        page = client.get(url).content.decode()
        assert "Trustee (unpaid) of Sefton Carers Centre" in page
        assert sensitive.description not in page
        assert "the member has a sensitive interest" in page
    client.force_login(demo.member)
    assert sensitive.description in client.get("/my/interests/").content.decode()


def test_it_has_no_register_page_for_someone_not_on_a_board(client, demo):
    assert client.get(f"/councillors/{demo.officer.pk}/register/").status_code == 404
    assert client.get("/councillors/999999/register/").status_code == 404
    assert client.get(f"/councillors/{demo.member.pk}/register/").status_code == 200


def add_members(demo, count, entries_each=1):
    for n in range(count):
        user = User.objects.create(username=f"cllr{n}", first_name="Councillor", last_name=f"Number {n}")
        Membership.objects.create(board=demo.board, user=user, starts_on=dt.date(2022, 5, 1))
        for _ in range(entries_each):
            change = services.register_propose_add(member=user, user=user, fields=FIELDS)
            services.register_change_accept(change=change, user=demo.legal)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_reads_the_register_in_as_many_queries_for_30_entries_as_for_3(client, demo):
    add_members(demo, 1)
    few = queries_for(client, "/register/")
    add_members_more = 27
    for n in range(add_members_more):
        user = User.objects.create(username=f"more{n}", last_name=f"More {n}")
        Membership.objects.create(board=demo.board, user=user, starts_on=dt.date(2022, 5, 1))
        RegisterEntry.objects.create(member=user, registered_at=timezone.now(), updated_at=timezone.now(), **FIELDS)
    assert RegisterEntry.objects.current().count() == 30
    assert queries_for(client, "/register/") == few


# Reminders --------------------------------------------------------------------------------------------------


def test_it_says_review_due_a_year_after_the_last_acceptance_and_a_review_clears_it(client, demo):
    client.force_login(demo.member)
    assert "Review due" in client.get("/my/interests/").content.decode()  # the demo's were accepted in 2022
    assert "Review due" in client.get("/").content.decode()
    assert client.post("/my/interests/reviewed/").status_code == 302
    assert "Review due" not in client.get("/my/interests/").content.decode()
    assert "Review due" not in client.get("/").content.decode()
    confirm = RegisterChange.objects.get(action="confirm")
    assert confirm.status == "accepted" and confirm.decided_by == demo.member


def test_it_flags_a_member_with_no_register_28_days_after_taking_office(client, demo):
    late = User.objects.create(username="late", first_name="Councillor Lou", last_name="Late")
    new = User.objects.create(username="new", first_name="Councillor Nia", last_name="New")
    today = timezone.localdate()
    Membership.objects.create(board=demo.board, user=late, starts_on=today - dt.timedelta(days=29))
    Membership.objects.create(board=demo.board, user=new, starts_on=today - dt.timedelta(days=27))
    client.force_login(demo.legal)
    page = client.get("/interests/changes/").content.decode()
    assert "Councillor Lou Late" in page and "Councillor Nia New" not in page
    assert "Councillor Ian Moncur" not in page.split("No register 28 days")[1].split("Waiting for you")[0]
    services.register_confirm(member=late, user=late)  # a nil return is a register
    assert "Councillor Lou Late" not in client.get("/interests/changes/").content.decode()


def test_it_counts_the_28_days_from_taking_office_and_from_the_first_seat_only_when_that_is_unknown(client, demo):
    from members.models import Councillor

    today = timezone.localdate()
    days = dt.timedelta
    late = User.objects.create(username="late", first_name="Councillor Lou", last_name="Late")
    fresh = User.objects.create(username="fresh", first_name="Councillor Fay", last_name="Fresh")
    seated = User.objects.create(username="seated", first_name="Councillor Sam", last_name="Seated")
    # Took office 40 days ago, put on the board 10 days ago: the register was due 12 days ago.
    Councillor.objects.create(user=late, took_office_on=today - days(40))
    Membership.objects.create(board=demo.board, user=late, starts_on=today - days(10))
    # Took office 10 days ago, on a seat dated from before: not due yet.
    Councillor.objects.create(user=fresh, took_office_on=today - days(10))
    Membership.objects.create(board=demo.board, user=fresh, starts_on=today - days(40))
    # No date of taking office recorded: counted from the first seat, 29 days ago.
    Councillor.objects.create(user=seated)
    Membership.objects.create(board=demo.board, user=seated, starts_on=today - days(29))
    client.force_login(demo.legal)
    overdue = client.get("/interests/changes/").content.decode().split("No register 28 days")[1]
    overdue = overdue.split("Waiting for you")[0]
    assert "Councillor Lou Late" in overdue and "Councillor Fay Fresh" not in overdue
    assert f"took office {today - days(40):%-d %B %Y}; register due by {today - days(12):%-d %B %Y}" in overdue
    assert "Councillor Sam Seated" in overdue and f"took office {today - days(29):%-d %B %Y}" in overdue


# Declarations ---------------------------------------------------------------------------------------------


def declaration(demo, meeting=None, **changes):
    meeting = meeting or demo.meeting
    item = meeting.items.filter(report__isnull=False).first() or meeting.items.first()
    fields = {
        "meeting": meeting,
        "item": item,
        "member": demo.member,
        "user": demo.clerk,
        "kind": Declaration.Kind.PECUNIARY,
        "nature": "Owns a pharmacy in Bootle",
        "conduct": Declaration.Conduct.LEFT,
    }
    return {**fields, **changes}


def test_the_clerk_records_a_declaration_and_the_public_page_shows_it(client, demo):
    item = demo.seed.agenda_item
    client.force_login(demo.clerk)
    response = client.post(
        f"/meetings/{demo.meeting.pk}/declarations/",
        {"item": item.pk, "member": demo.member.pk, "kind": "pecuniary", "nature": "Owns a pharmacy in Bootle",
         "conduct": "left_room"},
    )  # fmt: skip
    assert response.status_code == 302
    client.logout()
    cache.clear()
    page = client.get(f"/meetings/{demo.meeting.pk}/").content.decode()
    assert "Owns a pharmacy in Bootle" in page and "(left the room for the item)" in page


def test_it_refuses_a_declaration_on_an_item_of_another_meeting(client, demo):
    other = Meeting.objects.filter(board=demo.board).exclude(pk=demo.meeting.pk).first()
    item = other.items.first()
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.declaration_record(**declaration(demo, item=item))
    assert "another meeting" in refused.value.message_dict["item"][0]
    # The form offers only this meeting's items: another's id is refused beside the field.
    client.force_login(demo.clerk)
    response = client.post(
        f"/meetings/{demo.meeting.pk}/declarations/",
        {"item": item.pk, "member": demo.member.pk, "kind": "pecuniary", "nature": "Kept", "conduct": "left_room"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Kept" in page and "on the agenda of another meeting" in page
    response = client.post(
        f"/meetings/{demo.meeting.pk}/declarations/",
        {"item": "not a number", "member": demo.officer.pk, "kind": "x", "nature": "", "conduct": "left_room"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/meetings/{demo.meeting.pk}/declarations/",
        {"item": demo.seed.agenda_item.pk, "member": demo.officer.pk, "kind": "pecuniary", "nature": "N",
         "conduct": "left_room"},
    )  # fmt: skip
    assert response.status_code == 400 and "is not a member (or substitute)" in response.content.decode()
    assert snapshot() == before


def test_it_refuses_a_declaration_by_someone_not_on_the_board(demo):
    with pytest.raises(ValidationError) as refused:
        services.declaration_record(**declaration(demo, member=demo.officer))
    assert "is not a member" in refused.value.message_dict["member"][0]


def test_it_asks_for_the_dispensation_and_a_register_entry_of_the_member(demo):
    with pytest.raises(ValidationError) as refused:
        services.declaration_record(**declaration(demo, conduct=Declaration.Conduct.DISPENSATION))
    assert "dispensation" in refused.value.message_dict
    stranger = User.objects.create(username="stranger")
    entry = RegisterEntry.objects.create(
        member=stranger, registered_at=timezone.now(), updated_at=timezone.now(), **FIELDS
    )
    with pytest.raises(ValidationError) as refused:
        services.declaration_record(**declaration(demo, entry=entry))
    assert "entry" in refused.value.message_dict


def test_a_member_declares_before_the_meeting_but_not_after(client, demo):
    upcoming = Meeting.objects.filter(board=demo.board, starts_at__gt=timezone.now()).get()
    client.force_login(demo.member)
    item = upcoming.items.first()
    response = client.post(
        f"/meetings/{upcoming.pk}/declare/",
        {"item": item.pk, "kind": "non_registrable", "nature": "My sister works there", "conduct": "did_not_vote"},
    )
    assert response.status_code == 302
    assert Declaration.objects.get(item=item).recorded_by == demo.member
    response = client.post(
        f"/meetings/{demo.meeting.pk}/declare/",
        {"item": demo.seed.agenda_item.pk, "kind": "non_registrable", "nature": "Late", "conduct": "did_not_vote"},
    )
    assert response.status_code == 400 and "The meeting has started" in response.content.decode()
    client.force_login(demo.outsider)
    assert client.get(f"/meetings/{upcoming.pk}/declare/").status_code == 404
    assert client.get(f"/meetings/{upcoming.pk}/declarations/").status_code == 404


def test_a_declaration_changes_the_public_page_key(demo):
    key = meeting_page_key(demo.meeting.pk)
    Declaration.objects.filter(item__meeting=demo.meeting).update(nature="Changed in the admin")
    assert meeting_page_key(demo.meeting.pk) != key


def test_a_declaration_on_an_exempt_item_is_not_shown_to_the_public(client, demo):
    item = AgendaItem.objects.create(
        meeting=demo.meeting, position=99, title="Contract award", own_is_exempt=True, own_exempt_paragraph=3
    )
    services.declaration_record(**declaration(demo, item=item, nature="Director of the bidder qzxdecl"))
    cache.clear()
    assert "qzxdecl" not in client.get(f"/meetings/{demo.meeting.pk}/").content.decode()
    client.force_login(demo.member)
    assert "qzxdecl" in client.get(f"/meetings/{demo.meeting.pk}/").content.decode()


def test_the_clerk_removes_a_declaration_recorded_in_error_until_the_minutes_are_approved(client, demo):
    made = services.declaration_record(**declaration(demo, nature="Recorded in error"))
    client.force_login(demo.member)
    url = f"/meetings/{demo.meeting.pk}/declarations/{made.pk}/remove/"
    assert client.post(url).status_code == 404
    client.force_login(demo.clerk)
    assert client.post(url).status_code == 302
    assert not Declaration.objects.filter(pk=made.pk).exists()
    kept = demo.seed.agenda_item.declarations.get()
    Meeting.objects.filter(pk=demo.meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    client.post(f"/meetings/{demo.meeting.pk}/declarations/{kept.pk}/remove/")
    assert Declaration.objects.filter(pk=kept.pk).exists()
