"""Votes at meetings: the motion on an item, its amendments and the result (votes/)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from boards import public_cache
from boards.models import AgendaItem, Meeting
from boards.public_cache import meeting_page_key
from interests.models import Declaration
from members.models import Attendance
from votes import selectors, services
from votes.models import Amendment, Choice, MemberVote, Method, Motion, Outcome


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): these tests edit it."""
    return demo_record_open


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_rendered(monkeypatch):
    """Public pages rendered for every request here, as in tests/test_members.py."""
    monkeypatch.setattr(public_cache, "RECHECK_SECONDS", 0)
    monkeypatch.setattr(public_cache, "PUBLIC_PAGE_SECONDS", 0)


def cllr(username):
    return User.objects.get(username=username)


def seed_item(demo):
    return demo.seed.agenda_item


def url(item):
    return reverse("votes:record", args=[item.meeting_id, item.pk])


# The demo's 14 September 2022: present were member (Moncur), Ellison (chair), Rahman, Kenyon, and
# Whitfield substituting for Garside (apologies). Moncur declared an other registrable interest.
PRESENT = ["member", "cllr.ellison", "cllr.rahman", "cllr.kenyon", "cllr.whitfield"]


def recorded(demo, **changes):
    """A recorded vote as the form posts it: everyone present for, but Kenyon against."""
    data = {
        "text": "(1) That the Board approves the project.",
        "mover": cllr("cllr.rahman").pk,
        "seconder": cllr("cllr.kenyon").pk,
        "method": Method.RECORDED,
        "amendment-TOTAL_FORMS": "1",
        "amendment-INITIAL_FORMS": "0",
    }
    for username in PRESENT:
        data[f"member_{cllr(username).pk}"] = Choice.FOR
    data[f"member_{cllr('cllr.kenyon').pk}"] = Choice.AGAINST
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def hands(demo, votes_for=3, against=1, abstain=0, **changes):
    return recorded(
        demo,
        method=Method.SHOW_OF_HANDS,
        votes_for=votes_for,
        votes_against=against,
        abstentions=abstain,
        **{f"member_{cllr(u).pk}": None for u in PRESENT},
        **changes,
    )


def errors_of(response):
    form = response.context["form"]
    return {key: " ".join(messages) for key, messages in form.errors.items()}


# The demo -----------------------------------------------------------------------------------------


def test_the_demo_has_a_show_of_hands_on_the_seed_report_consistent_with_its_attendance(client, demo):
    motion = Motion.objects.get(item=seed_item(demo))
    assert motion.method == Method.SHOW_OF_HANDS and motion.outcome == Outcome.CARRIED
    assert (motion.votes_for, motion.votes_against, motion.abstentions) == (3, 0, 1)
    assert motion.text.startswith("(1) ") and motion.text == selectors.recommendations_text(seed_item(demo))
    who = selectors.voters(seed_item(demo))
    assert len(who.present) == 5 and sum([3, 0, 1]) <= len(who.may_vote)
    assert motion.mover.pk in who.present_ids and motion.seconder.pk in who.present_ids
    page = client.get(demo.meeting.get_absolute_url()).content.decode()
    assert "Moved by Councillor Aisha Rahman, seconded by Councillor Peter Kenyon." in page
    assert "Carried</strong>: 3 for, 0 against, 1 abstention (show of hands)" in page
    call_command("load_demo", "--force", stdout=StringIO())
    assert Motion.objects.count() == 1  # idempotent


# Recording a vote ---------------------------------------------------------------------------------------


def test_the_clerk_records_a_recorded_vote_and_a_visitor_reads_the_names(client, login, demo):
    item = seed_item(demo)
    clerk = login(demo.clerk)
    response = clerk.get(url(item))
    assert response.status_code == 200
    assert "Members present: 5" in response.content.decode()
    response = clerk.post(url(item), recorded(demo))
    assert response.status_code == 302, errors_of(response)
    motion = Motion.objects.get(item=item)
    assert (motion.method, motion.votes_for, motion.votes_against, motion.abstentions) == ("recorded", 4, 1, 0)
    assert motion.outcome == Outcome.CARRIED and motion.mover.username == "cllr.rahman"
    assert MemberVote.objects.filter(motion=motion).count() == 5
    # The clerk's meeting page links to it.
    manage = clerk.get(demo.meeting.get_absolute_url()).content.decode()
    assert f'href="{url(item)}">Vote: carried' in manage
    assert "Record the vote" not in manage  # the standard items (apologies, declarations, minutes) take no vote
    client.logout()
    page = client.get(demo.meeting.get_absolute_url()).content.decode()
    assert "That the Board approves the project." in page
    assert "Carried</strong>: 4 for, 1 against, 0 abstentions (recorded vote)" in page
    assert "<li>Councillor Peter Kenyon: against</li>" in page and "<li>Councillor Joan Whitfield: for</li>" in page


def test_the_form_starts_from_the_report_recommendations_numbered_as_printed(login, demo):
    Motion.objects.all().delete()
    item = seed_item(demo)
    form = login(demo.clerk).get(url(item)).context["form"]
    recommendations = list(demo.seed.recommendations.values_list("text", flat=True))
    assert form.initial["text"].splitlines()[0] == f"(1) {recommendations[0]}"
    assert len(form.initial["text"].splitlines()) >= len(recommendations)


def test_a_show_of_hands_with_amendments_each_decided_by_its_own_vote(login, demo):
    item = seed_item(demo)
    data = hands(demo, votes_for=2, against=2, abstain=0, casting="on", casting_vote="against")
    data.update({
        "amendment-TOTAL_FORMS": "2",
        "amendment-0-text": "Add (3): report back in six months.",
        "amendment-0-mover": cllr("cllr.ellison").pk,
        "amendment-0-seconder": cllr("cllr.whitfield").pk,
        "amendment-0-votes_for": "3", "amendment-0-votes_against": "1", "amendment-0-abstentions": "0",
        "amendment-1-text": "",  # a blank row is left out
    })  # fmt: skip
    response = login(demo.clerk).post(url(item), data)
    assert response.status_code == 302, errors_of(response)
    motion = Motion.objects.get(item=item)
    assert motion.outcome == Outcome.LOST and motion.casting_vote == "against"  # the chair's casting vote
    amendment = Amendment.objects.get(motion=motion)
    assert amendment.outcome == Outcome.CARRIED and amendment.mover.username == "cllr.ellison"
    record = selectors.item_records(demo.meeting)
    assert len(record) == 1 and record[0]["item"] == item and record[0]["outcome"] == Outcome.LOST
    assert record[0]["amendments"][0]["text"] == "Add (3): report back in six months."
    assert record[0]["mover"].username == "cllr.rahman" and record[0]["named_votes"] == []


# Bad input: a clear message beside the field, nothing typed lost, nothing changed ------------------------


def refused(login, demo, data, item=None):
    item = item or seed_item(demo)
    before = list(Motion.objects.values_list("pk", "votes_for", "outcome"))
    response = login(demo.clerk).post(url(item), data)
    assert response.status_code == 400
    assert list(Motion.objects.values_list("pk", "votes_for", "outcome")) == before
    page = response.content.decode()
    assert "There is a problem" in page
    if data.get("text"):
        assert data["text"].replace("(1) ", "") in page  # what was typed is still there
    return errors_of(response), page


def test_a_recorded_vote_must_name_every_member_present(login, demo):
    whitfield = cllr("cllr.whitfield")
    errors, page = refused(login, demo, recorded(demo, **{f"member_{whitfield.pk}": None}))
    assert "a recorded vote names every member present (5)" in errors[f"member_{whitfield.pk}"]
    assert f'id="id_member_{whitfield.pk}_error"' in page


def test_a_vote_by_someone_absent_is_refused_by_name(login, demo):
    garside = cllr("cllr.garside")  # sent apologies; Whitfield attended in his place
    errors, page = refused(login, demo, recorded(demo, **{f"member_{garside.pk}": Choice.FOR}))
    assert "not present at the meeting" in errors["__all__"]
    errors, _ = refused(login, demo, recorded(demo, mover=garside.pk))
    assert errors["mover"] == (
        "Councillor Tom Garside was not present at the meeting (absent, or sent apologies): choose a member present."
    )


def test_a_member_with_a_pecuniary_interest_cannot_be_recorded_voting_unless_dispensed(login, demo):
    item = seed_item(demo)
    kenyon = cllr("cllr.kenyon")
    declaration = Declaration.objects.create(
        item=item, member=kenyon, kind=Declaration.Kind.PECUNIARY, nature="Owns the site",
        conduct=Declaration.Conduct.LEFT, recorded_by=demo.clerk,
    )  # fmt: skip
    errors, _ = refused(login, demo, recorded(demo, seconder=cllr("cllr.ellison").pk))
    assert (
        "Councillor Peter Kenyon declared a disclosable pecuniary interest in this item"
        in errors[f"member_{kenyon.pk}"]
    )
    assert "did not vote" in errors[f"member_{kenyon.pk}"]
    # As the seconder too.
    errors, _ = refused(login, demo, recorded(demo, **{f"member_{kenyon.pk}": Choice.DID_NOT_VOTE}))
    assert "cannot take part" in errors["seconder"]
    # Recorded as not voting, it is saved.
    data = recorded(demo, seconder=cllr("cllr.ellison").pk, **{f"member_{kenyon.pk}": Choice.DID_NOT_VOTE})
    assert login(demo.clerk).post(url(item), data).status_code == 302
    assert Motion.objects.get(item=item).votes_for == 4
    # A show of hands leaves them out of the count.
    errors, _ = refused(login, demo, hands(demo, votes_for=5, against=0, seconder=cllr("cllr.ellison").pk))
    assert "1 of them may not vote on this item" in errors["votes_for"]
    # With a dispensation recorded on the declaration, they may vote.
    declaration.conduct = Declaration.Conduct.DISPENSATION
    declaration.dispensation = "Granted by the Standards Committee on 1 September 2022"
    declaration.save()
    assert login(demo.clerk).post(url(item), recorded(demo)).status_code == 302
    assert MemberVote.objects.get(member=kenyon).choice == Choice.AGAINST


def test_show_of_hands_counts_cannot_exceed_the_members_present(login, demo):
    errors, _ = refused(login, demo, hands(demo, votes_for=4, against=1, abstain=1))
    assert errors["votes_for"] == "6 votes and abstentions, but 5 members were present: at most 5."
    errors, _ = refused(login, demo, hands(demo, votes_for="-1"))
    assert "0 or more" in errors["votes_for"]
    errors, _ = refused(login, demo, hands(demo, votes_for="many"))
    assert "whole number" in errors["votes_for"]


def test_a_tie_needs_the_chair_s_casting_vote_and_only_a_tie_takes_one(login, demo):
    errors, _ = refused(login, demo, hands(demo, votes_for=2, against=2))
    assert "tied" in errors["casting_vote"]
    errors, _ = refused(login, demo, hands(demo, votes_for=2, against=2, casting="on"))
    assert "say which way" in errors["casting_vote"]
    errors, _ = refused(login, demo, hands(demo, votes_for=3, against=1, casting="on", casting_vote="for"))
    assert errors["casting_vote"] == "The votes are not tied, so the chair has no casting vote."


def test_a_tie_decided_by_the_casting_vote_says_so_in_the_minutes_and_on_the_meeting_pages(client, login, demo):
    from django.utils.html import escape

    from minutes.services import minutes_draft

    item = seed_item(demo)
    data = hands(demo, votes_for=2, against=2, abstain=0, casting="on", casting_vote="against")
    data.update({
        "amendment-TOTAL_FORMS": "1",
        "amendment-0-text": "Add (3): report back in six months.",
        "amendment-0-mover": cllr("cllr.ellison").pk,
        "amendment-0-seconder": cllr("cllr.whitfield").pk,
        "amendment-0-votes_for": "2", "amendment-0-votes_against": "2", "amendment-0-abstentions": "0",
        "amendment-0-casting": "on", "amendment-0-casting_vote": "for",
    })  # fmt: skip
    clerk = login(demo.clerk)
    response = clerk.post(url(item), data)
    assert response.status_code == 302, errors_of(response)
    assert escape("Lost on the Chair's casting vote") + "</strong> (against)" in clerk.get(url(item)).content.decode()
    manage = clerk.get(demo.meeting.get_absolute_url()).content.decode()
    assert f'href="{url(item)}">' + escape("Vote: lost on the Chair's casting vote") in manage
    minutes = minutes_draft(meeting=demo.meeting, user=demo.clerk)
    assert "Lost on the Chair's casting vote: 2 for, 2 against, 0 abstentions." in minutes.body
    assert "was carried on the Chair's casting vote (2 for, 2 against, 0 abstentions)." in minutes.body
    client.logout()
    page = client.get(demo.meeting.get_absolute_url()).content.decode()
    lost = escape("Lost on the Chair's casting vote")
    assert f"{lost}</strong>: 2 for, 2 against, 0 abstentions (show of hands)" in page
    assert escape("Carried on the Chair's casting vote: 2 for, 2 against, 0 abstentions.") in page


def test_mover_and_seconder_are_two_members_present(login, demo):
    rahman = cllr("cllr.rahman").pk
    errors, _ = refused(login, demo, recorded(demo, seconder=rahman))
    assert errors["seconder"] == "The seconder must be another member than the mover."
    errors, _ = refused(login, demo, recorded(demo, mover="", text=""))
    assert errors["mover"] == "Choose the mover." and errors["text"] == "Enter the text as it was moved."
    data = hands(demo)
    data.update({
        "amendment-0-text": "An amendment moved by no one present",
        "amendment-0-mover": cllr("cllr.garside").pk, "amendment-0-seconder": rahman,
    })  # fmt: skip
    _, page = refused(login, demo, data)
    assert "Amendment 1, moved by: Councillor Tom Garside was not present" in page
    assert "An amendment moved by no one present" in page


def test_attendance_comes_first(login, demo):
    Attendance.objects.filter(meeting=demo.meeting).delete()
    response = login(demo.clerk).get(url(seed_item(demo)))
    assert "The attendance at this meeting is not recorded yet" in response.content.decode()
    errors, _ = refused(login, demo, recorded(demo))
    assert "Record the meeting's attendance first" in errors["__all__"]
    with pytest.raises(services.VoteRefused, match="attendance first"):
        services.record_vote(
            item=seed_item(demo), user=demo.clerk, method=Method.SHOW_OF_HANDS, motion=services.Ballot(text="x")
        )


def test_votes_only_once_the_meeting_is_held_and_until_its_minutes_are_approved(login, demo):
    coming = demo.board.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    item = coming.items.first()
    response = login(demo.clerk).get(url(item))
    assert response.status_code == 200 and "once the meeting has been held" in response.content.decode()
    errors, _ = refused(login, demo, recorded(demo), item=item)
    assert errors["__all__"] == "Votes are recorded once the meeting has been held."
    # Marked held before its time (the clerk may), it opens.
    assert services.voting_open(Meeting(status=Meeting.Status.HELD, starts_at=coming.starts_at)) == ""
    Meeting.objects.filter(pk=demo.meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED)
    errors, _ = refused(login, demo, recorded(demo))
    assert "minutes of this meeting are approved" in errors["__all__"]


def test_no_500_for_odd_input(login, demo):
    item = seed_item(demo)
    clerk = login(demo.clerk)
    for data in [
        {},
        recorded(demo, method="both"),
        recorded(demo, mover="9" * 40, seconder="abc"),
        recorded(demo, **{"member_99999999": "for", f"member_{demo.clerk.pk}": "maybe"}),
        {**recorded(demo), "amendment-TOTAL_FORMS": "x"},
        {**hands(demo), "amendment-TOTAL_FORMS": "1000", "amendment-0-text": "x"},
        recorded(demo, text="x" * 30000),
    ]:
        assert clerk.post(url(item), data).status_code == 400
    other = AgendaItem.objects.exclude(meeting=demo.meeting).first()
    assert clerk.get(reverse("votes:record", args=[demo.meeting.pk, other.pk])).status_code == 404
    assert clerk.get(reverse("votes:record", args=[demo.meeting.pk, 99999999])).status_code == 404
    assert clerk.put(url(item)).status_code == 405


def test_only_democratic_services_record_votes(login, demo):
    for user in (demo.member, demo.officer, demo.outsider):
        assert login(user).post(url(seed_item(demo)), recorded(demo)).status_code == 404
    with pytest.raises(services.VoteRefused, match="Only democratic services"):
        services.record_vote(
            item=seed_item(demo), user=demo.member, method=Method.SHOW_OF_HANDS, motion=services.Ballot(text="x")
        )


# The public page, its cache key and query counts ------------------------------------------------------


def test_the_public_page_s_key_changes_when_the_vote_does(login, demo):
    key = meeting_page_key(demo.meeting.pk)
    assert login(demo.clerk).post(url(seed_item(demo)), recorded(demo)).status_code == 302
    assert meeting_page_key(demo.meeting.pk) != key
    key = meeting_page_key(demo.meeting.pk)
    Amendment.objects.create(
        motion=Motion.objects.get(), text="Late amendment", mover=demo.member, seconder=demo.member, outcome="lost"
    )
    assert meeting_page_key(demo.meeting.pk) != key


def many_present(demo, n):
    """`n` members present at the demo meeting (the demo's five first), each with a recorded vote."""
    meeting = demo.meeting
    for i in range(n - 5):
        user = User.objects.create(username=f"extra{i}", first_name="Councillor", last_name=f"Extra {i:02}")
        Attendance.objects.create(
            meeting=meeting, member=user, status=Attendance.Status.PRESENT, recorded_by=demo.clerk
        )
    item = seed_item(demo)
    people = selectors.voters(item).present
    motion = Motion.objects.get(item=item)
    Motion.objects.filter(pk=motion.pk).update(method=Method.RECORDED)
    MemberVote.objects.bulk_create(MemberVote(motion=motion, member=u, choice=Choice.FOR) for u in people)
    Amendment.objects.bulk_create(
        Amendment(motion=motion, position=i, text=f"A{i}", mover=people[0], seconder=people[1], outcome="lost")
        for i in range(n // 3)
    )
    return len(people)


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
    return len(queries)


def test_the_vote_page_and_the_public_page_cost_the_same_queries_for_3_or_30_votes(client, login, demo):
    Attendance.objects.filter(meeting=demo.meeting, member__username__in=["cllr.ellison", "cllr.kenyon"]).update(
        status=Attendance.Status.ABSENT
    )
    assert many_present(demo, 5) == 3
    clerk = login(demo.clerk)
    few = count_queries(clerk, url(seed_item(demo)))
    client.logout()
    cache.clear()
    public_few = count_queries(client, demo.meeting.get_absolute_url())
    assert "Councillor Ian Moncur: for" in client.get(demo.meeting.get_absolute_url()).content.decode()
    MemberVote.objects.all().delete()
    Amendment.objects.all().delete()
    assert many_present(demo, 32) == 30
    cache.clear()
    assert count_queries(client, demo.meeting.get_absolute_url()) == public_few
    assert "Councillor Extra 26: for" in client.get(demo.meeting.get_absolute_url()).content.decode()
    clerk = login(demo.clerk)
    assert count_queries(clerk, url(seed_item(demo))) == few


def test_a_part_2_item_s_vote_is_for_the_board_s_members_only(client, login, demo):
    item = seed_item(demo)
    Motion.objects.filter(item=item).update(text="Secret motion wording")
    demo.seed.is_exempt = True
    demo.seed.exempt_paragraphs = [3]
    demo.seed.save(update_fields=["is_exempt", "exempt_paragraphs"])
    page = client.get(demo.meeting.get_absolute_url()).content.decode()
    assert "Secret motion wording" not in page and "Moved by" not in page
    page = login(demo.member).get(demo.meeting.get_absolute_url()).content.decode()
    assert "Secret motion wording" in page and "Motion (board members only)" in page


def test_the_date_rule_reads_the_meeting_s_time(demo):
    meeting = Meeting(status=Meeting.Status.AGENDA_PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=1))
    assert services.voting_open(meeting) == ""
    meeting.status = Meeting.Status.CANCELLED
    assert "cancelled" in services.voting_open(meeting)
