"""Follow by email: double opt-in, one-click unsubscribe, events as agendas and minutes are published,
the daily digest, bad input, the confirmation rate limit, and the exempt rule on every email."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from boards import services as agenda
from boards.models import Meeting
from follow import emails, services
from follow.models import Address, Event, Subscription
from minutes import services as minutes
from minutes.selectors import next_meeting
from reports.models import Report, Ward
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, publish_upcoming, upcoming_meeting

pytestmark = pytest.mark.django_db

ALICE = "alice@example.org"
BOB = "bob@example.org"
MARKER = "qzxfollowsecret"


@pytest.fixture(autouse=True)
def _worker_at_once(settings):
    """The worker's jobs run as they are queued (the queue itself: test_it_sends_the_events_emails_from_the_worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST to a Follow page as an anonymous visitor, running what waits for the commit (the emails)."""

    def _post(url, data=None, client=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or Client()).post(url, data or {}, **extra)

    return _post


def ask(post, email=ALICE, **fields):
    data = {"email": email, "frequency": "immediate", **fields}
    return post("/follow/", data)


def confirm(post, subscription):
    return post(f"/follow/confirm/{subscription.token}/")


def to(mailoutbox, email):
    return [message for message in mailoutbox if email in message.to]


def everything_sent(mailoutbox):
    """What the follow emails said (the staff's own workflow emails are not theirs to check)."""
    followers = set(Address.objects.values_list("email", flat=True))
    return "\n".join(f"{m.subject}\n{m.body}\n{m.extra_headers}" for m in mailoutbox if set(m.to) & followers)


@pytest.fixture
def alice(demo, post, mailoutbox):
    """Alice follows the demo's board, as it happens, and has confirmed."""
    ask(post, board=demo.board.slug)
    subscription = Subscription.objects.get(address__email=ALICE)
    assert confirm(post, subscription).status_code == 200
    mailoutbox.clear()
    subscription.refresh_from_db()
    return subscription


# Double opt-in -----------------------------------------------------------------------------------


def test_it_sends_an_unconfirmed_address_only_its_confirmation(
    demo, post, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask(post, board=demo.board.slug)
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    subscription = Subscription.objects.get(address__email=ALICE)
    assert subscription.confirmed_at is None
    [message] = to(mailoutbox, ALICE)
    assert f"/follow/confirm/{subscription.token}/" in message.body
    assert f"/follow/unsubscribe/{subscription.token}/" in message.extra_headers["List-Unsubscribe"]
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert Event.objects.filter(kind=Event.Kind.AGENDA).count() == 1
    assert len(to(mailoutbox, ALICE)) == 1  # the agenda was not sent: the address has not confirmed


def test_it_confirms_by_a_button_and_then_sends_each_agenda(demo, post, mailoutbox, django_capture_on_commit_callbacks):
    ask(post, board=demo.board.slug)
    subscription = Subscription.objects.get(address__email=ALICE)
    url = f"/follow/confirm/{subscription.token}/"
    page = Client().get(url)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert Subscription.objects.get().confirmed_at is None
    response = confirm(post, subscription)
    text = response.content.decode()
    assert response.status_code == 200 and "Confirmed" in text and demo.board.name in text
    assert f"/follow/unsubscribe/{subscription.token}/" in text  # how to stop
    mailoutbox.clear()

    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)

    [message] = to(mailoutbox, ALICE)
    assert message.subject.startswith(f"Agenda published: {demo.board.name}")
    assert PUBLIC_SUBJECT in message.body and f"/meetings/{meeting.pk}/" in message.body
    assert "Part 2: 1 item not for publication." in message.body
    assert (
        message.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}/follow/unsubscribe/{subscription.token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/follow/unsubscribe/{subscription.token}/" in message.body


def test_it_sends_an_event_only_once(demo, alice, mailoutbox, django_capture_on_commit_callbacks):
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    event = Event.objects.get()
    assert emails.send_event_emails(event.pk) == 0
    assert len(to(mailoutbox, ALICE)) == 1


def test_it_refuses_to_confirm_a_stopped_subscription(demo, alice, post):
    post(f"/follow/unsubscribe/{alice.token}/")
    response = confirm(post, alice)
    assert response.status_code == 409 and "were stopped" in response.content.decode()
    assert Subscription.objects.get().unsubscribed_at is not None


# Unsubscribing: no sign-in, a page with a button, and the mail client's one-click POST ------------


def test_it_stops_from_the_page_without_signing_in(demo, alice, post, mailoutbox, django_capture_on_commit_callbacks):
    url = f"/follow/unsubscribe/{alice.token}/"
    page = Client().get(url)
    assert page.status_code == 200
    assert f'<form method="post" action="{url}">' in page.content.decode()
    assert Subscription.objects.get().unsubscribed_at is None  # the GET changed nothing
    response = post(url, client=Client(enforce_csrf_checks=True))
    text = response.content.decode()
    assert response.status_code == 200 and "Emails stopped" in text and f"the {demo.board.name}" in text
    assert Subscription.objects.get().unsubscribed_at is not None
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert to(mailoutbox, ALICE) == []
    again = Client().get(url)
    assert again.status_code == 200 and "stopped already" in again.content.decode()


def test_it_stops_on_the_one_click_post_of_rfc_8058(demo, alice, mailoutbox, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)  # a mail client has no CSRF token
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/follow/unsubscribe/{alice.token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 200
    assert Subscription.objects.get().unsubscribed_at is not None
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert to(mailoutbox, ALICE) == []


def test_it_stops_one_subscription_and_keeps_the_others(
    demo, alice, post, mailoutbox, django_capture_on_commit_callbacks
):
    Address.objects.update(confirmation_sent_at=None)
    ask(post, keyword="Better Care")
    keyword = Subscription.objects.get(kind=Subscription.Kind.KEYWORD)
    confirm(post, keyword)
    post(f"/follow/unsubscribe/{alice.token}/")
    mailoutbox.clear()
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    [message] = to(mailoutbox, ALICE)
    assert "the keyword “Better Care”" in message.body and keyword.token in message.body


# Access control: the pages are public; no page shows someone else's subscriptions ----------------


@pytest.mark.parametrize("page", ["confirm", "unsubscribe"])
def test_it_answers_404_to_a_token_it_did_not_send(demo, alice, page):
    for token in ["nosuchtoken", alice.token[:-1], "x" * 65]:
        assert Client().get(f"/follow/{page}/{token}/").status_code == 404
        assert Client().post(f"/follow/{page}/{token}/").status_code == 404
    assert Subscription.objects.get().is_active


def test_it_answers_alike_whatever_an_address_already_follows(demo, alice, post, login, mailoutbox):
    Address.objects.update(confirmation_sent_at=None)
    known = ask(post, board=demo.board.slug).content.decode()  # confirmed already
    unknown = ask(post, email=BOB, board=demo.board.slug).content.decode()  # new
    assert known.replace(ALICE, "@") == unknown.replace(BOB, "@")
    assert mailoutbox and to(mailoutbox, ALICE) == []  # no new confirmation for what is confirmed
    assert Subscription.objects.get(address__email=ALICE).confirmed_at == alice.confirmed_at
    assert ALICE not in login(demo.clerk).get("/follow/").content.decode()  # nor to anyone signed in


def test_its_pages_name_only_the_subscription_of_the_token(demo, alice, post):
    ask(post, email=BOB, keyword="parking")
    bob = Subscription.objects.get(address__email=BOB)
    for url in [f"/follow/confirm/{bob.token}/", f"/follow/unsubscribe/{bob.token}/"]:
        text = Client().get(url).content.decode()
        assert BOB in text and "parking" in text
        assert ALICE not in text and f"the {demo.board.name}" not in text


def test_its_pages_answer_head_and_refuse_other_methods(demo, alice):
    for url in ["/follow/", f"/follow/confirm/{alice.token}/", f"/follow/unsubscribe/{alice.token}/"]:
        assert Client().head(url).status_code == 200
        assert Client().put(url).status_code == 405
        assert Client().delete(url).status_code == 405


# Bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"email": "not-an-address", "keyword": "parking"}, "email", "Enter an email address like name@example.com."),
        ({"email": ""}, "email", "Enter your email address."),
        ({}, "board", "Choose a board, a ward or a keyword to follow"),
        ({"keyword": "     "}, "keyword", "not only spaces"),
        ({"keyword": "p" * 200}, "keyword", "at most 100 characters (you typed 200)"),
        ({"keyword": "!!!"}, "keyword", "letters or numbers"),
        ({"board": "no-such-board"}, "board", "Choose a board from the list."),
        ({"ward": "999999"}, "ward", "Choose a ward from the list."),
        ({"keyword": "parking", "frequency": "hourly"}, "frequency", "Choose how often"),
    ],
)
def test_it_says_what_is_wrong_beside_the_field_and_keeps_what_was_typed(
    demo, post, mailoutbox, fields, field, message
):
    data = {"email": "typed@example.org", "frequency": "daily", **fields}
    response = post("/follow/", data)
    assert response.status_code == 400
    text = response.content.decode()
    beside = text.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert message in beside
    assert re.search(rf'<(input|select|textarea|fieldset)[^>]*aria-describedby="[^"]*id_{field}_error', text), (
        "the field names its message"
    )
    for name in ("email", "keyword"):
        if data.get(name) and data[name].strip():
            assert f'value="{data[name]}"' in text
    if data.get("frequency") == "daily":
        assert 'value="daily" checked' in text
    assert not Subscription.objects.exists() and mailoutbox == []


def test_it_answers_a_wrong_method_and_an_empty_post_without_a_500(demo, post):
    assert post("/follow/", {}).status_code == 400
    assert post("/follow/", {"email": ["a@example.org", "b@example.org"], "board": ["x", "y"]}).status_code == 400


# Duplicates and the rate limit ---------------------------------------------------------------------


def test_it_keeps_one_subscription_per_thing_and_one_confirmation_an_hour(demo, post, mailoutbox):
    ask(post, board=demo.board.slug)
    ask(post, email="  ALICE@Example.org ", board=demo.board.slug, keyword="Better   care")
    assert Subscription.objects.filter(kind=Subscription.Kind.BOARD).count() == 1
    assert Address.objects.count() == 1
    assert len(to(mailoutbox, ALICE)) == 1  # the second confirmation waits for the hour to pass
    for _ in range(5):
        ask(post, keyword="better CARE")
    assert len(to(mailoutbox, ALICE)) == 1 and Subscription.objects.count() == 2
    assert Subscription.objects.get(kind=Subscription.Kind.KEYWORD).keyword == "Better care"

    Address.objects.update(confirmation_sent_at=timezone.now() - dt.timedelta(minutes=61))
    ask(post, keyword="better care")
    [_, second] = to(mailoutbox, ALICE)
    for subscription in Subscription.objects.all():  # the new confirmation lists both things waiting
        assert f"/follow/confirm/{subscription.token}/" in second.body


def test_it_sends_no_new_confirmation_for_a_confirmed_subscription(demo, alice, post, mailoutbox):
    Address.objects.update(confirmation_sent_at=None)
    ask(post, board=demo.board.slug, frequency="daily")
    assert to(mailoutbox, ALICE) == []
    subscription = Subscription.objects.get()
    assert subscription.frequency == "immediate" and subscription.confirmed_at == alice.confirmed_at


def test_it_asks_again_for_confirmation_after_a_stop(demo, alice, post, mailoutbox):
    post(f"/follow/unsubscribe/{alice.token}/")
    Address.objects.update(confirmation_sent_at=None)
    ask(post, board=demo.board.slug)
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None and subscription.unsubscribed_at is None
    assert subscription.token != alice.token  # the old links open nothing any more
    assert Client().get(f"/follow/confirm/{alice.token}/").status_code == 404
    [message] = to(mailoutbox, ALICE)
    assert subscription.token in message.body


# Matching: board, ward, keyword ------------------------------------------------------------------


def test_it_matches_wards_of_public_reports(demo, post, mailoutbox, django_capture_on_commit_callbacks):
    named, other = Ward.objects.order_by("pk")[:2]
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    Report.objects.filter(pk=public.pk).update(all_wards=False)
    public.wards.set([named])
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    Report.objects.filter(pk=exempt.pk).update(all_wards=False)
    exempt.wards.set([other])  # an exempt report's wards are not public
    for email, ward in [(ALICE, named), (BOB, other)]:
        ask(post, email=email, ward=ward.pk)
        confirm(post, Subscription.objects.get(address__email=email))
    mailoutbox.clear()
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert len(to(mailoutbox, ALICE)) == 1 and to(mailoutbox, BOB) == []


@pytest.mark.parametrize(
    "keyword, sent",
    [
        ("better care fund", True),
        ("BETTER", True),
        ("bett", False),
        ("fundplan", False),
        ("Health and Wellbeing", True),
    ],
)
def test_it_matches_a_keyword_as_a_whole_word_in_any_case(
    demo, post, mailoutbox, django_capture_on_commit_callbacks, keyword, sent
):
    ask(post, keyword=keyword)
    confirm(post, Subscription.objects.get())
    mailoutbox.clear()
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert len(to(mailoutbox, ALICE)) == (1 if sent else 0)


def test_it_sends_an_address_one_email_for_an_event_it_follows_twice(
    demo, alice, post, mailoutbox, django_capture_on_commit_callbacks
):
    Address.objects.update(confirmation_sent_at=None)
    ask(post, keyword="Better Care")
    confirm(post, Subscription.objects.get(kind=Subscription.Kind.KEYWORD))
    mailoutbox.clear()
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert len(to(mailoutbox, ALICE)) == 1


# The exempt rule ---------------------------------------------------------------------------------


def test_no_email_carries_an_exempt_reports_words_nor_does_a_keyword_match_them(
    demo, post, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = upcoming_meeting(demo)
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    agenda.agenda_add_report(meeting=meeting, report=public, user=demo.clerk)
    agenda.agenda_add_report(meeting=meeting, report=exempt, user=demo.clerk)
    # The exempt report's own words hold the marker; the agenda prints only the item's title.
    Report.objects.filter(pk=exempt.pk).update(
        subject=f"Contract award {MARKER}", summary=f"The bidders' prices {MARKER} overspend"
    )
    for email, fields in [
        (ALICE, {"keyword": MARKER}),
        (BOB, {"board": demo.board.slug}),
        ("c@example.org", {"keyword": "overspend"}),
    ]:
        ask(post, email=email, **fields)
        confirm(post, Subscription.objects.get(address__email=email))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_publish(meeting=meeting, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_add_item(
            meeting=meeting,
            user=demo.clerk,
            title="Staffing",
            is_exempt=True,
            exempt_paragraph=1,
            urgency_reason="Now.",
        )
        agenda.supplement_publish(meeting=meeting, user=demo.clerk)

    assert to(mailoutbox, ALICE) == [] and to(mailoutbox, "c@example.org") == []  # the keywords matched nothing
    bob = to(mailoutbox, BOB)
    assert len(bob) == 2 and "Part 2: 1 item not for publication." in bob[1].body
    assert bob[0].body and MARKER not in everything_sent(mailoutbox)
    assert EXEMPT_SUBJECT not in everything_sent(mailoutbox) and "Staffing" not in everything_sent(mailoutbox)
    assert PUBLIC_SUBJECT in bob[0].body  # the email does list the public items


def test_a_report_made_exempt_before_the_digest_leaves_it(demo, post, mailoutbox, django_capture_on_commit_callbacks):
    ask(post, keyword="Better Care", frequency="daily")
    subscription = Subscription.objects.get()
    confirm(post, subscription)
    meeting, public, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=public.pk).update(is_exempt=True, exempt_paragraphs=[3])
    mailoutbox.clear()
    assert emails.send_digests() == 0
    assert mailoutbox == []


# Minutes -----------------------------------------------------------------------------------------


def test_it_sends_minutes_as_they_are_published_and_approved(
    demo_record_open, post, mailoutbox, django_capture_on_commit_callbacks
):
    demo = demo_record_open
    ask(post, board=demo.board.slug)
    confirm(post, Subscription.objects.get())
    mailoutbox.clear()
    minutes.minutes_draft(meeting=demo.meeting, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        minutes.minutes_publish(meeting=demo.meeting, user=demo.clerk)
    [message] = to(mailoutbox, ALICE)
    assert (
        message.subject.startswith("Draft minutes published")
        and f"/meetings/{demo.meeting.pk}/minutes/" in message.body
    )
    following = next_meeting(demo.meeting)
    Meeting.objects.filter(pk=following.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        minutes.minutes_approve(meeting=demo.meeting, user=demo.clerk)
    assert to(mailoutbox, ALICE)[-1].subject.startswith("Minutes approved")


# The daily digest --------------------------------------------------------------------------------


def test_the_digest_lists_the_days_events_in_one_email(
    demo, alice, post, mailoutbox, django_capture_on_commit_callbacks
):
    Address.objects.update(confirmation_sent_at=None)
    ask(post, email=BOB, board=demo.board.slug, frequency="daily")
    bob = Subscription.objects.get(address__email=BOB)
    confirm(post, bob)
    mailoutbox.clear()
    meeting, _, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_event(
            kind=Event.Kind.DECISION, title="Decision notice: Better Care Fund", url="/decisions/1/", board=demo.board
        )
        services.record_event(kind=Event.Kind.DECISION, title="Another board's decision", url="/decisions/2/")
    assert len(to(mailoutbox, ALICE)) == 2 and to(mailoutbox, BOB) == []  # the immediate one had each at once

    out = StringIO()
    call_command("send_follow_digests", stdout=out)
    assert "Sent 1 digest email." in out.getvalue()
    [digest] = to(mailoutbox, BOB)
    assert "Agenda published" in digest.body and "Decision notice: Better Care Fund" in digest.body
    assert "Another board's decision" not in digest.body
    assert PUBLIC_SUBJECT in digest.body and f"/meetings/{meeting.pk}/" in digest.body
    assert bob.token in digest.extra_headers["List-Unsubscribe"] and bob.token in digest.body
    assert len(to(mailoutbox, ALICE)) == 2  # the digest goes to daily followers only

    call_command("send_follow_digests", stdout=StringIO())
    assert len(to(mailoutbox, BOB)) == 1  # nothing new: nothing sent


def test_the_digest_sends_nothing_before_confirmation_or_after_a_stop(
    demo, post, mailoutbox, django_capture_on_commit_callbacks
):
    ask(post, board=demo.board.slug, frequency="daily")
    subscription = Subscription.objects.get()
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    assert emails.send_digests() == 0
    confirm(post, subscription)
    post(f"/follow/unsubscribe/{subscription.token}/")
    assert emails.send_digests() == 0 and mailoutbox == []


def test_a_boards_page_links_to_the_form_with_the_board_chosen(demo):
    page = Client().get(f"/boards/{demo.board.slug}/").content.decode()
    assert f'href="/follow/?board={demo.board.slug}"' in page
    form = Client().get(f"/follow/?board={demo.board.slug}").content.decode()
    assert f'<option value="{demo.board.slug}" selected>' in form
    assert Client().get("/follow/?board=" + "x" * 5000).status_code == 200


def test_it_sends_the_events_emails_from_the_worker(
    demo, alice, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert to(mailoutbox, ALICE) == []  # not in the request that published the agenda
    [job] = [job for job in DBTaskResult.objects.all() if job.task_path.endswith("send_event_emails_task")]
    job.task.call(*job.args_kwargs["args"])
    assert len(to(mailoutbox, ALICE)) == 1


def test_it_queues_no_job_when_no_one_follows_as_it_happens(demo, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert Event.objects.count() == 1
    assert not [job for job in DBTaskResult.objects.all() if job.task_path.endswith("send_event_emails_task")]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_requests_racing_for_one_address_send_one_confirmation(mailoutbox):
    from django.db import connection

    from boards.models import Board
    from tests.test_concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks under real concurrency")
    board = Board.objects.create(name="Racing Board", slug="racing-board")
    things = [(Subscription.Kind.BOARD, board, None, "")]
    for round in range(20):
        email = f"racer{round}@example.org"
        Address.objects.create(email=email, confirmation_sent_at=timezone.now() - dt.timedelta(hours=2))  # asked before

        def ask_once(email=email):
            return services.follow_subscribe(email=email, things=things, frequency="immediate")

        results = run_together(*[ask_once] * 4)
        assert sorted(value for _, value in results) == [False, False, False, True], round
        assert Subscription.objects.filter(address__email=email).count() == 1
        assert len(to(mailoutbox, email)) == 1


def test_it_answers_an_unreadable_one_click_post_without_a_500(demo, alice):
    client = Client(enforce_csrf_checks=True)
    response = client.generic(
        "POST",
        f"/follow/unsubscribe/{alice.token}/",
        b"List-Unsubscribe=One-Click\xe9",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400 and "The address could not be understood" in response.content.decode()
    assert Subscription.objects.get().is_active  # nothing done on a request the site could not read
