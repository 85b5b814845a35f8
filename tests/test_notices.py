"""Decision notices of executive boards and their call-in by scrutiny (issue 16, DESIGN section 11).

A notice is published after an executive meeting; it takes effect five clear working days after
publication (the statutory clock: weekends and bank holidays do not count) unless members of a
scrutiny committee that scrutinises the board call it in before the period ends; once two have
signed, it is suspended and goes on the committee's next agenda, whose outcome is recorded.
"""

import datetime as dt
import re
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from boards.models import AgendaItem, Board, Meeting, Membership
from decisions import services
from decisions.models import Notice, call_in_period

pytestmark = pytest.mark.django_db
UK = timezone.get_default_timezone()


def at(day, hour=12, minute=0, second=0):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute, second))


@pytest.fixture
def cabinet(demo):
    """The Cabinet (executive), a held meeting of it with a decision recorded, and an Overview and
    Scrutiny Committee that scrutinises it, with three members and a meeting to come."""
    users = demo.users
    cabinet = Board.objects.create(name="Cabinet", slug="cabinet", is_executive=True, default_venue="Bootle Town Hall")
    scrutiny = Board.objects.create(name="Overview and Scrutiny Committee", slug="overview-and-scrutiny")
    scrutiny.scrutinises.add(cabinet)
    Membership.objects.create(board=cabinet, user=users["cllr.rahman"], role=Membership.Role.CHAIR)
    for name in ("cllr.kenyon", "cllr.garside", "cllr.whitfield"):
        Membership.objects.create(board=scrutiny, user=users[name])
    held = Meeting.objects.create(
        board=cabinet, starts_at=timezone.now() - dt.timedelta(days=1), status=Meeting.Status.HELD,
        agenda_published_at=timezone.now() - dt.timedelta(days=10),
    )  # fmt: skip
    item = AgendaItem.objects.create(
        meeting=held, position=1, title="Leisure Centres Investment Programme",
        decision="RESOLVED: that the investment programme be approved.",
    )  # fmt: skip
    coming = Meeting.objects.create(board=scrutiny, starts_at=timezone.now() + dt.timedelta(days=40))
    return {"board": cabinet, "scrutiny": scrutiny, "meeting": held, "item": item, "coming": coming, "users": users}


def publish(demo, item, **extra):
    fields = {"decision": item.decision, "reasons": "The centres need repair.", "alternatives": "Closing them."}
    return services.notice_publish(item=item, user=demo.clerk, **(fields | extra))


# The clock --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "closes", "effective"),
    [
        # (published on, call-in closes at midnight at the start of, in effect from)
        (dt.date(2026, 12, 7), dt.date(2026, 12, 15), dt.date(2026, 12, 15)),  # Monday: Tue 8 to Mon 14
        (dt.date(2026, 12, 4), dt.date(2026, 12, 12), dt.date(2026, 12, 14)),  # Friday: Mon 7 to Fri 11
        # Christmas 2026: Friday 25th, Monday 28th (Boxing Day's substitute) and Friday 1 January are not working days.
        (dt.date(2026, 12, 22), dt.date(2027, 1, 1), dt.date(2027, 1, 4)),  # 23, 24, 29, 30, 31
        (dt.date(2026, 12, 23), dt.date(2027, 1, 5), dt.date(2027, 1, 5)),  # 24, 29, 30, 31, 4 January
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        (dt.date(2027, 3, 24), dt.date(2027, 4, 3), dt.date(2027, 4, 5)),  # 25, 30, 31 March, 1 and 2 April
        # The summer bank holiday, Monday 30 August 2027.
        (dt.date(2027, 8, 26), dt.date(2027, 9, 4), dt.date(2027, 9, 6)),  # 27, 31 August, 1, 2 and 3 September
    ],
)
def test_call_in_ends_five_clear_working_days_after_publication(settings, published, closes, effective):
    settings.CALL_IN_CLEAR_WORKING_DAYS = 5
    ends, in_force = call_in_period(published)
    assert ends == at(closes, 0) and timezone.localtime(ends).tzinfo is not None
    assert in_force == effective


def test_the_number_of_days_is_the_constitutions(settings):
    settings.CALL_IN_CLEAR_WORKING_DAYS = 3
    assert call_in_period(dt.date(2026, 12, 7)) == (at(dt.date(2026, 12, 11), 0), dt.date(2026, 12, 11))


# Publishing -------------------------------------------------------------------------------------


def test_a_notice_is_published_with_its_effective_date(demo, cabinet):
    notice = publish(demo, cabinet["item"])
    closes, effective = call_in_period(timezone.localdate())
    assert (notice.call_in_closes_at, notice.effective_on) == (closes, effective)
    assert notice.status == Notice.Status.PUBLISHED and notice.is_open_to_call_in()
    page = Client().get(f"/decisions/{notice.pk}/").content.decode()
    assert "Leisure Centres Investment Programme" in page and "The centres need repair." in page
    assert f"Effective from {effective:%A} {effective.day} {effective:%B %Y}" in page
    assert notice.reference in Client().get("/decisions/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reasons": "  "}, "Enter the reasons for the decision."),
        ({"is_urgent": True}, "Say why the decision is urgent"),
    ],
)
def test_a_notice_is_refused_without_what_the_law_asks(demo, cabinet, change, message):
    with pytest.raises(services.NoticeRefused, match=message):
        publish(demo, cabinet["item"], **change)
    assert not Notice.objects.exists()


def test_only_an_executive_boards_held_meeting_has_notices(demo, cabinet):
    item = demo.seed.agenda_item  # the Health and Wellbeing Board: not executive
    with pytest.raises(services.NoticeRefused, match="not an executive board"):
        publish(demo, item)
    Meeting.objects.filter(pk=cabinet["meeting"].pk).update(status=Meeting.Status.AGENDA_PUBLISHED)
    with pytest.raises(services.NoticeRefused, match="once the meeting has been recorded as held"):
        publish(demo, AgendaItem.objects.get(pk=cabinet["item"].pk))
    with pytest.raises(services.NoticeRefused, match="Only democratic services"):
        services.notice_publish(item=cabinet["item"], user=demo.officer, decision="x", reasons="x", alternatives="x")


def test_an_urgent_decision_takes_effect_at_once_and_cannot_be_called_in(demo, cabinet):
    notice = publish(demo, cabinet["item"], is_urgent=True, urgency_reason="The contract ends on Friday.")
    assert notice.effective_on == timezone.localdate() and notice.call_in_closes_at is None
    with pytest.raises(services.NoticeRefused, match="urgent"):
        services.call_in_request(notice=notice, user=cabinet["users"]["cllr.kenyon"], reasons="We object.")


def test_a_correction_keeps_the_text_it_replaces(demo, cabinet, login):
    notice = publish(demo, cabinet["item"])
    with pytest.raises(services.NoticeRefused, match="Say what is corrected"):
        services.notice_correct(notice=notice, user=demo.clerk, decision="New", reasons="r", alternatives="a",
                                conflicts="", correction="")  # fmt: skip
    clerk = login(demo.clerk)
    response = clerk.post(f"/decisions/{notice.pk}/correct/", {
        "decision": "RESOLVED: that the programme be approved, phase 1 only.", "reasons": notice.reasons,
        "alternatives": notice.alternatives, "conflicts": "", "correction": "The minute gave phase 1 only.",
    }, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "phase 1 only." in page and "The minute gave phase 1 only." in page
    assert "RESOLVED: that the investment programme be approved." in page  # the text replaced, kept
    notice.refresh_from_db()
    assert notice.version == 2


# Call-in ----------------------------------------------------------------------------------------


def test_two_scrutiny_members_call_a_decision_in_and_it_goes_to_the_committee(
    demo, cabinet, login, django_capture_on_commit_callbacks
):
    notice = publish(demo, cabinet["item"])
    users = cabinet["users"]
    kenyon = login(users["cllr.kenyon"])
    form = kenyon.get(f"/decisions/{notice.pk}/call-in/")
    assert form.status_code == 200
    empty = kenyon.post(f"/decisions/{notice.pk}/call-in/", {"reasons": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    kenyon.post(f"/decisions/{notice.pk}/call-in/", {"reasons": "The options were not costed."})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED  # one signature of the two needed
    again = kenyon.post(f"/decisions/{notice.pk}/call-in/sign/", follow=True)
    assert "You have already signed this call-in." in again.content.decode()

    mail.outbox.clear()
    garside = login(users["cllr.garside"])
    with django_capture_on_commit_callbacks(execute=True):
        with_message = garside.post(f"/decisions/{notice.pk}/call-in/sign/", follow=True).content.decode()
    assert "The decision is called in" in with_message
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CALLED_IN and notice.effective_on is None
    assert notice.scrutiny_item.meeting == cabinet["coming"]
    assert notice.scrutiny_item.title.startswith("Call-in: Leisure Centres Investment Programme")
    assert any("Called in" in m.subject for m in mail.outbox)
    public = Client().get(f"/decisions/{notice.pk}/").content.decode()
    assert "Called in: implementation suspended" in public

    clerk = login(demo.clerk)
    clerk.post(f"/decisions/{notice.pk}/outcome/", {"outcome": "no_further_action", "note": "Noted."})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DECIDED and notice.effective_on == timezone.localdate()
    assert "No further action" in Client().get(f"/decisions/{notice.pk}/").content.decode()


def test_only_members_of_a_scrutinising_committee_may_call_in(demo, cabinet, login):
    notice = publish(demo, cabinet["item"])
    for user in (cabinet["users"]["cllr.rahman"], demo.officer, demo.outsider):  # a Cabinet member, an officer
        with pytest.raises(services.NoticeRefused, match="Only members of a scrutiny committee"):
            services.call_in_request(notice=notice, user=user, reasons="We object.")
        assert login(user).get(f"/decisions/{notice.pk}/call-in/").status_code == 404
    assert Client().get(f"/decisions/{notice.pk}/call-in/").status_code == 302  # to sign in
    assert Client().post(f"/decisions/{notice.pk}/call-in/sign/").status_code == 302


def test_a_call_in_at_the_last_second_counts_and_a_second_later_does_not(demo, cabinet, monkeypatch):
    notice = publish(demo, cabinet["item"])
    users = cabinet["users"]
    closes = notice.call_in_closes_at
    monkeypatch.setattr(timezone, "now", lambda: closes - dt.timedelta(seconds=1))
    services.call_in_request(notice=notice, user=users["cllr.kenyon"], reasons="Not costed.")
    monkeypatch.setattr(timezone, "now", lambda: closes)
    with pytest.raises(services.NoticeRefused, match="The call-in period ended at midnight"):
        services.call_in_sign(notice=notice, user=users["cllr.garside"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_signature_racing_the_deadline_is_judged_when_it_is_written(demo, cabinet):
    """On PostgreSQL: a signature that waits for another's row lock past the deadline is refused."""
    notice = publish(demo, cabinet["item"])
    users = cabinet["users"]
    services.call_in_request(notice=notice, user=users["cllr.kenyon"], reasons="Not costed.")
    Notice.objects.filter(pk=notice.pk).update(call_in_closes_at=timezone.now() + dt.timedelta(seconds=1))
    locked, outcome = threading.Event(), {}

    def hold_the_lock():
        from django.db import transaction

        with transaction.atomic():
            Notice.objects.select_for_update().get(pk=notice.pk)
            locked.set()
            time.sleep(2)  # past the deadline
        connection.close()

    def sign():
        locked.wait()
        try:
            services.call_in_sign(notice=notice, user=users["cllr.garside"])
            outcome["result"] = "signed"
        except services.NoticeRefused as refused:
            outcome["result"] = str(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=hold_the_lock), threading.Thread(target=sign)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome["result"].startswith("The call-in period ended")
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED


# Exempt decisions -------------------------------------------------------------------------------


def test_an_exempt_decisions_notice_shows_the_public_only_its_title(demo, cabinet, login):
    item = cabinet["item"]
    AgendaItem.objects.filter(pk=item.pk).update(own_is_exempt=True, own_exempt_paragraph=3)
    item.refresh_from_db()
    notice = publish(demo, item, reasons="EXEMPT-REASON-MARKER")
    for client in (Client(), login(demo.outsider)):
        page = client.get(f"/decisions/{notice.pk}/").content.decode()
        assert "Leisure Centres Investment Programme" in page and "EXEMPT-REASON-MARKER" not in page
        assert "EXEMPT-REASON-MARKER" not in client.get("/decisions/").content.decode()
    assert (
        "EXEMPT-REASON-MARKER"
        in login(cabinet["users"]["cllr.kenyon"]).get(f"/decisions/{notice.pk}/").content.decode()
    )


def test_the_clerk_publishes_from_the_meeting_starting_from_the_record(demo, cabinet, login):
    clerk = login(demo.clerk)
    meeting, item = cabinet["meeting"], cabinet["item"]
    listing = clerk.get(f"/meetings/{meeting.pk}/notices/").content.decode()
    assert "publish its notice" in listing
    form = clerk.get(f"/meetings/{meeting.pk}/items/{item.pk}/notice/").content.decode()
    assert "RESOLVED: that the investment programme be approved." in form
    bad = clerk.post(f"/meetings/{meeting.pk}/items/{item.pk}/notice/", {"decision": "Kept text", "reasons": ""})
    assert bad.status_code == 400 and "Kept text" in bad.content.decode()
    done = clerk.post(f"/meetings/{meeting.pk}/items/{item.pk}/notice/", {
        "decision": "Approved.", "reasons": "Repairs.", "alternatives": "None.", "conflicts": "",
    })  # fmt: skip
    notice = Notice.objects.get(item=item)
    assert done.status_code == 302 and done["Location"] == f"/decisions/{notice.pk}/"
    for user in (demo.officer, demo.outsider):
        assert login(user).get(f"/meetings/{meeting.pk}/notices/").status_code == 404
    assert Client().get(f"/meetings/{meeting.pk}/notices/").status_code == 302


# The demo ---------------------------------------------------------------------------------------


def test_the_demo_has_a_cabinet_decision_waiting_for_its_notice_and_a_committee_to_call_it_in(demo_executive):
    cabinet = Board.objects.get(slug="cabinet")
    assert cabinet.is_executive and cabinet.scrutinised_by.get().slug == "overview-and-scrutiny"
    held = cabinet.meetings.get()
    assert held.status == Meeting.Status.HELD and held.date < timezone.localdate()
    decided = [item for item in held.items.exclude(decision="") if item.report_id]
    assert len(decided) == 2 and not Notice.objects.exists()
    assert all(item.report.status == "published" for item in decided)
    scrutineers = {m.user.username for m in Membership.objects.filter(board__slug="overview-and-scrutiny")}
    assert scrutineers == {"cllr.lloyd", "cllr.brennan"}
    assert all(User.objects.get(username=name).has_usable_password() for name in scrutineers)
    coming = Meeting.objects.get(board__slug="overview-and-scrutiny")
    assert coming.date > timezone.localdate() and not coming.is_published
    # Published by the clerk, called in by the two, and on the committee's agenda.
    notice = services.notice_publish(
        item=decided[0], user=demo_executive.clerk, decision=decided[0].decision, reasons="r", alternatives="a"
    )
    for name in ("cllr.lloyd", "cllr.brennan"):
        user = User.objects.get(username=name)
        if name == "cllr.lloyd":
            services.call_in_request(notice=notice, user=user, reasons="The costs are not clear.")
        else:
            services.call_in_sign(notice=notice, user=user)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CALLED_IN and notice.scrutiny_item.meeting == coming
    # Loading again changes nothing.
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--force", stdout=StringIO())
    assert Board.objects.filter(slug="cabinet").count() == 1 and cabinet.meetings.count() == 1


# Feeds and the API ------------------------------------------------------------------------------


def test_the_decisions_feed_and_the_api_carry_notices_and_follow_their_call_in(demo, cabinet, login):
    import feedparser

    notice = publish(demo, cabinet["item"])
    feed = feedparser.parse(Client().get("/feeds/decisions.rss").content)
    [entry] = feed.entries
    assert entry.title == "Leisure Centres Investment Programme: Open to call-in"
    assert entry.link.endswith(f"/decisions/{notice.pk}/")
    item = Client().get(f"/api/v1/agenda-items/{cabinet['item'].pk}/").json()
    assert item["committee:decisionNotice"].endswith(f"/decisions/{notice.pk}/")
    users = cabinet["users"]
    services.call_in_request(notice=notice, user=users["cllr.kenyon"], reasons="Not costed.")
    services.call_in_sign(notice=notice, user=users["cllr.garside"])
    atom = feedparser.parse(Client().get("/feeds/decisions.atom").content)
    assert atom.entries[0].title == "Leisure Centres Investment Programme: Called in: implementation suspended"


def test_the_papers_page_tells_the_story_of_its_decision(demo_executive, django_capture_on_commit_callbacks):
    item = AgendaItem.objects.get(meeting__board__slug="cabinet", title="Leisure Centres Investment Programme")
    notice = services.notice_publish(
        item=item, user=demo_executive.clerk, decision=item.decision, reasons="r", alternatives="a"
    )
    lloyd, brennan = (User.objects.get(username=name) for name in ("cllr.lloyd", "cllr.brennan"))
    services.call_in_request(notice=notice, user=lloyd, reasons="The costs are not clear.")
    services.call_in_sign(notice=notice, user=brennan)
    services.call_in_outcome(notice=notice, user=demo_executive.clerk, outcome=Notice.Outcome.REFERRED_BACK)
    page = Client().get(f"/papers/{item.report_id}/").content.decode()
    story = " ".join(re.sub(r"<[^>]+>", " ", page[page.index("The story of this decision") :]).split())
    steps = [
        "Notice given in the Forward Plan",
        "The report published with the agenda",
        "Decided by the Cabinet at its meeting RESOLVED: that the Leisure Centres Investment Programme",
        f"Decision notice {notice.reference} published",
        "Called in by members of the Overview and Scrutiny Committee (Adult Social Care and Health)",
        "Referred back to the decision maker",
        "Implementation, as the report plans it: When the call-in period ends.",
    ]
    positions = [story.index(step) for step in steps]
    assert positions == sorted(positions)


def test_followers_of_the_board_hear_of_a_decision_and_of_an_exempt_one_only_its_title(
    demo, cabinet, django_capture_on_commit_callbacks
):
    from follow.models import Event

    with django_capture_on_commit_callbacks(execute=True):
        publish(demo, cabinet["item"], reasons="PUBLIC-REASON")
    event = Event.objects.get(kind="decision")
    assert event.board == cabinet["board"] and event.title == "Decision: Leisure Centres Investment Programme"
    assert "investment programme be approved" in event.words
    secret = AgendaItem.objects.create(
        meeting=cabinet["meeting"], position=2, title="A confidential contract", decision="SECRET-DECISION",
        own_is_exempt=True, own_exempt_paragraph=3,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        publish(demo, secret, decision="SECRET-DECISION")
    exempt_event = Event.objects.get(title="Decision: A confidential contract")
    assert "SECRET" not in exempt_event.words
