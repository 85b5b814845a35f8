"""Actions arising from decisions (issue 16): recorded on a decided item, reported on by their owner, tracked
by staff and, for Part 1 items only, by the public."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import demo as actions_demo
from actions import selectors, services
from actions.models import Action, ActionUpdate
from actions.services import ActionRefused
from boards.models import AgendaItem, Board, Meeting, Membership

pytestmark = pytest.mark.django_db

SECRET = "Gallowgate-depot-sale-5521"  # only ever in an exempt item's action


def seed_item(demo):
    return demo.seed.agenda_item


def exempt_item(demo):
    """A Part 2 item of the held meeting of 14 September 2022, with its decision."""
    return AgendaItem.objects.create(
        meeting=demo.meeting, position=90, title="Sale of the depot", own_is_exempt=True, own_exempt_paragraph=3,
        decision="RESOLVED: that the depot be sold to the highest bidder.",
    )  # fmt: skip


def create(demo, item=None, user=None, **changes):
    fields = {
        "description": "Write to the partners.",
        "owner": demo.officer,
        "due_on": timezone.localdate() + dt.timedelta(days=30),
        **changes,
    }
    return services.action_create(item=item or seed_item(demo), user=user or demo.clerk, **fields)


def refused(message, call, field=None, **kwargs):
    with pytest.raises(ActionRefused) as caught:
        call(**kwargs)
    assert caught.value.message == message, caught.value.message
    assert caught.value.field == field
    return caught.value


def form(demo, **changes):
    return {
        "description": "Publish the findings on the council's website.",
        "owner": demo.officer.pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **changes,
    }


# The demo ---------------------------------------------------------------------------------------


def test_it_loads_three_demo_actions_one_done_one_overdue_one_in_progress(demo):
    actions = {a.description: a for a in Action.objects.all()}
    assert len(actions) == 3
    done, overdue, in_progress = (
        actions[d] for d in (actions_demo.DONE, actions_demo.OVERDUE, actions_demo.IN_PROGRESS)
    )
    assert done.status == Action.Status.DONE and not done.is_overdue
    assert overdue.is_overdue and overdue.status == Action.Status.NOT_STARTED
    assert in_progress.status == Action.Status.IN_PROGRESS and not in_progress.is_overdue
    assert all(a.item == seed_item(demo) for a in actions.values())
    assert [u.to_status for u in done.updates.all()] == ["not_started", "in_progress", "done"]


# Recording --------------------------------------------------------------------------------------


def test_it_records_an_action_with_its_history(demo):
    action = create(demo)
    assert action.status == Action.Status.NOT_STARTED and action.created_by == demo.clerk
    update = action.updates.get()
    assert (update.actor, update.from_status, update.to_status) == (demo.clerk, "", "not_started")


def test_the_boards_own_clerk_records_actions_though_not_democratic_services(demo):
    Board.objects.filter(pk=demo.board.pk).update(clerk=demo.outsider)
    assert create(demo, user=demo.outsider).created_by == demo.outsider


@pytest.mark.parametrize("who", ["officer", "member", "director"])
def test_no_one_else_records_actions(demo, who):
    refused(services.NOT_A_RECORDER, services.action_create, item=seed_item(demo), user=demo.users[who],
            description="X", owner=demo.officer, due_on=timezone.localdate())  # fmt: skip


def test_it_refuses_bad_input_by_its_field(demo):
    item = seed_item(demo)
    call = services.action_create
    base = {"item": item, "user": demo.clerk, "description": "Do it.", "owner": demo.officer,
            "due_on": timezone.localdate()}  # fmt: skip
    refused("Say what is to be done.", call, "description", **base | {"description": "   "})
    refused("Choose the officer responsible for the action.", call, "owner", **base | {"owner": None})
    demo.outsider.is_active = False
    demo.outsider.save()
    refused("Owen Tate's account is no longer in use: choose someone who can take it on.", call, "owner",
            **base | {"owner": demo.outsider})  # fmt: skip
    refused(
        "The due date cannot be before the meeting the decision was made at (Wednesday 14 September 2022).",
        call, "due_on", **base | {"due_on": dt.date(2022, 9, 13)},
    )  # fmt: skip
    assert create(demo, due_on=dt.date(2022, 9, 14)).due_on == dt.date(2022, 9, 14)  # the day itself will do
    assert Action.objects.count() == 4


def test_it_refuses_an_item_without_a_decision_or_a_meeting_not_held(demo):
    undecided = demo.meeting.items.get(title="Apologies for Absence")
    refused("Record the board's decision on this item first: an action arises from a decision.",
            create, demo=demo, item=undecided)  # fmt: skip
    Meeting.objects.filter(pk=demo.meeting.pk).update(status=Meeting.Status.AGENDA_PUBLISHED)
    refused("Actions are recorded once the meeting has been held and its decisions recorded.", create, demo=demo)


# Updating ---------------------------------------------------------------------------------------


def test_the_owner_marks_it_in_progress_then_done(demo):
    action = create(demo)
    services.action_update(action=action, user=demo.officer, status="in_progress")
    services.action_update(action=action, user=demo.officer, status="done", note="Letters sent on 3 October.")
    action.refresh_from_db()
    assert action.status == "done" and action.is_finished and not action.is_overdue
    history = [(u.from_status, u.to_status, u.note) for u in action.updates.all()]
    assert history == [("", "not_started", ""), ("not_started", "in_progress", ""),
                       ("in_progress", "done", "Letters sent on 3 October.")]  # fmt: skip


def test_democratic_services_update_anyones_and_no_one_else_does(demo):
    action = create(demo)
    assert services.action_update(action=action, user=demo.clerk, status="in_progress").status == "in_progress"
    for who in ["director", "outsider", "member"]:
        refused(services.NOT_AN_UPDATER, services.action_update, action=action, user=demo.users[who],
                status="done", note="Done.")  # fmt: skip


def test_it_asks_for_a_note_where_one_is_needed(demo):
    action = create(demo)
    update = services.action_update
    refused("Say what was done, so the record shows how the action was completed.", update, "note",
            action=action, user=demo.officer, status="done")  # fmt: skip
    refused("Say why the action is dropped.", update, "note", action=action, user=demo.officer, status="dropped")
    refused("Nothing to record: change the status or write a note on progress.", update, "note",
            action=action, user=demo.officer, status="not_started", note="  ")  # fmt: skip
    refused("Choose the action's status from the list.", update, "status", action=action, user=demo.officer,
            status="finished")  # fmt: skip
    update(action=action, user=demo.officer, status="not_started", note="Waiting for the figures.")  # a note alone
    update(action=action, user=demo.officer, status="done", note="Done.")
    refused("This action is done: say why it is being changed.", update, "note",
            action=action, user=demo.officer, status="in_progress")  # fmt: skip
    update(action=action, user=demo.clerk, status="dropped", note="Overtaken by the new strategy.")
    refused("This action was dropped: say why it is being changed.", update, "note",
            action=action, user=demo.clerk, status="in_progress")  # fmt: skip
    assert ActionUpdate.objects.filter(action=action).count() == 4


def test_overdue_is_past_due_and_unfinished(demo):
    action = create(demo, due_on=timezone.localdate() - dt.timedelta(days=1))
    assert action.is_overdue and action in Action.objects.overdue()
    services.action_update(action=action, user=demo.officer, status="dropped", note="No longer needed.")
    action.refresh_from_db()
    assert not action.is_overdue and action not in Action.objects.overdue()
    today = create(demo, due_on=timezone.localdate())
    assert not today.is_overdue


# Who sees what -----------------------------------------------------------------------------------


def test_the_public_see_part_1_actions_only(demo, client):
    secret = create(demo, item=exempt_item(demo), description=SECRET, owner=demo.director)
    services.action_update(action=secret, user=demo.director, status="in_progress", note=f"Note {SECRET}")
    public = Action.objects.public()
    assert secret not in public and public.count() == 3
    page = client.get("/actions/")
    assert (
        page.status_code == 200
        and SECRET not in page.content.decode()
        and "Sale of the depot" not in page.content.decode()
    )
    assert actions_demo.DONE.replace("'", "&#x27;") in page.content.decode()
    assert client.get(f"/actions/{secret.pk}/").status_code == 404
    assert secret.pk not in {
        a.pk for actions in selectors.public_for_items([exempt_item(demo)]).values() for a in actions
    }


def test_those_who_may_read_the_item_see_its_actions(demo, client):
    secret = create(demo, item=exempt_item(demo), description=SECRET, owner=demo.director)
    for who, sees in [("clerk", True), ("director", True), ("member", True), ("outsider", False), ("officer", False)]:
        client.force_login(demo.users[who])
        assert (SECRET in client.get("/actions/").content.decode()) is sees, who
        assert client.get(f"/actions/{secret.pk}/").status_code == (200 if sees else 404), who
    # A member no longer on the board does not.
    Membership.objects.filter(user=demo.member, board=demo.board).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(demo.member)
    assert client.get(f"/actions/{secret.pk}/").status_code == 404


def test_an_exempt_report_released_makes_its_items_actions_public(demo):
    action = create(demo)
    assert action in Action.objects.public()
    type(demo.seed).objects.filter(pk=demo.seed.pk).update(is_exempt=True)
    assert action not in Action.objects.public()
    type(demo.seed).objects.filter(pk=demo.seed.pk).update(is_exempt=None)  # not yet classified: exempt
    assert action not in Action.objects.public()


def test_public_for_items_lists_each_items_public_actions(demo):
    item, secret_item = seed_item(demo), exempt_item(demo)
    create(demo, item=secret_item)
    found = selectors.public_for_items([item, secret_item])
    assert set(found) == {item.pk}
    assert [a.due_on for a in found[item.pk]] == sorted(a.due_on for a in found[item.pk])
    assert selectors.public_for_items([item.pk]) == found


# Pages -------------------------------------------------------------------------------------------


def test_it_filters_the_tracker(demo, client):
    create(demo, description="Another board's action")  # same board: filtered by owner below
    overdue = client.get("/actions/?overdue=on").content.decode()
    assert "Bring further information" in overdue and "Agree with the partners" not in overdue
    mine = client.get(f"/actions/?owner={demo.director.pk}").content.decode()
    assert "1 action" in mine and "Bring further information" in mine
    done = client.get("/actions/?status=done&board=" + demo.board.slug).content.decode()
    assert "Send the report" in done and "Agree with the partners" not in done


def test_it_says_which_filter_it_cannot_use(demo, client):
    response = client.get(f"/actions/?status=finished&owner={demo.outsider.pk}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a status from the list." in page and "Choose a owner from the list." not in page
    assert "Choose an owner from the list." in page


def test_the_clerk_records_an_action_from_the_meeting_page(demo, client):
    client.force_login(demo.clerk)
    item = seed_item(demo)
    url = reverse("actions:new", args=[demo.meeting.pk, item.pk])
    assert url in client.get(f"/meetings/{demo.meeting.pk}/").content.decode()
    assert "3 actions arising" in client.get(f"/meetings/{demo.meeting.pk}/").content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Eleanor Moulton, Consultant in Public Health" in page.content.decode()
    response = client.post(url, form(demo))
    action = Action.objects.get(description="Publish the findings on the council's website.")
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()


def test_bad_input_is_said_beside_its_field_and_nothing_typed_is_lost(demo, client):
    client.force_login(demo.clerk)
    url = reverse("actions:new", args=[demo.meeting.pk, seed_item(demo).pk])
    demo.outsider.is_active = False
    demo.outsider.save()
    for changes, message in [
        ({"due_on": "2022-09-01"}, "The due date cannot be before the meeting"),
        ({"owner": demo.outsider.pk}, "Owen Tate&#x27;s account is no longer in use"),
        ({"description": ""}, "Say what is to be done."),
        ({"due_on": "14/13/2022"}, "Give a date, like 2024-03-31."),
    ]:
        response = client.post(url, form(demo, **changes))
        page = response.content.decode()
        assert response.status_code == 400 and message in page, changes
        if "description" not in changes:
            assert "Publish the findings on the council&#x27;s website." in page
    # Every problem at once, each beside its field.
    page = client.post(url, form(demo, owner="", due_on="2022-09-01")).content.decode()
    assert "Choose the officer responsible for the action." in page and "The due date cannot be before" in page
    assert Action.objects.count() == 3
    # An inactive officer is not offered.
    assert "Owen Tate" not in client.get(url).content.decode()


def test_an_undecided_item_sends_the_clerk_back_with_the_reason(demo, client):
    client.force_login(demo.clerk)
    undecided = demo.meeting.items.get(title="Apologies for Absence")
    response = client.get(reverse("actions:new", args=[demo.meeting.pk, undecided.pk]), follow=True)
    assert "Record the board&#x27;s decision on this item first" in response.content.decode()


def test_an_item_of_another_meeting_is_not_found(demo, client):
    client.force_login(demo.clerk)
    other = Meeting.objects.exclude(pk=demo.meeting.pk).first()
    assert client.get(reverse("actions:new", args=[other.pk, seed_item(demo).pk])).status_code == 404


def test_the_owner_updates_from_the_actions_page(demo, client):
    action = create(demo)
    client.force_login(demo.officer)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Record the update" in page
    url = reverse("actions:update", args=[action.pk])
    response = client.post(url, {"status": "done", "note": ""})
    assert response.status_code == 400
    assert "Say what was done, so the record shows how the action was completed." in response.content.decode()
    response = client.post(url, {"status": "in_progress", "note": "Drafting the letters."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert "Drafting the letters." in client.get(action.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 405


def test_a_note_refused_keeps_what_was_typed(demo, client):
    action = create(demo)
    services.action_update(action=action, user=demo.officer, status="done", note="Done.")
    client.force_login(demo.officer)
    response = client.post(reverse("actions:update", args=[action.pk]), {"status": "in_progress", "note": ""})
    assert (
        response.status_code == 400 and "This action is done: say why it is being changed." in response.content.decode()
    )
    response = client.post(reverse("actions:update", args=[action.pk]), {"status": "nonsense", "note": "Kept note"})
    assert response.status_code == 400 and "Kept note" in response.content.decode()


def test_others_get_no_update_form_and_cannot_post_one(demo, client):
    action = create(demo)
    client.force_login(demo.outsider)
    assert "Record the update" not in client.get(action.get_absolute_url()).content.decode()
    assert client.post(reverse("actions:update", args=[action.pk]), {"status": "done", "note": "x"}).status_code == 404
    client.logout()
    assert "Record the update" not in client.get(action.get_absolute_url()).content.decode()


def test_my_actions_and_my_work_list_the_owners_unfinished_actions(demo, client):
    client.force_login(demo.officer)
    mine = client.get("/actions/mine/").content.decode()
    assert "Agree with the partners" in mine and "Send the report" in mine
    assert mine.index("Agree with the partners") < mine.index("Send the report")  # unfinished first
    home = client.get("/").content.decode()
    assert "My actions" in home and "Agree with the partners" in home and "Send the report" not in home
    client.force_login(demo.finance)
    assert "My actions" not in client.get("/").content.decode()
    assert "You are not responsible for any actions." in client.get("/actions/mine/").content.decode()
