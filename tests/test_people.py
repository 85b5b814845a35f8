"""People and roles (issue 17): administrators invite people by email, give and take roles and deactivate
accounts without the Django admin; democratic services do the same for councillors."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import PersonEvent, User
from accounts.services import PeopleRefused
from members.models import Councillor
from reports.models import ConsulteeKind, Post

pytestmark = pytest.mark.django_db

PASSWORD = "plover-quarry-marmalade-41"


def refused(message, call, field=None, **kwargs):
    with pytest.raises(PeopleRefused) as caught:
        call(**kwargs)
    assert str(caught.value) == message
    assert caught.value.field == field
    return caught.value


def invite(demo, by=None, **changes):
    fields = {
        "email": "Priya.Shah@Sefton.example",
        "first_name": "Priya",
        "last_name": "Shah",
        "job_title": "Public Health Analyst",
        **changes,
    }
    return services.user_invite(by=by or demo.admin, **fields)


def link_in(message):
    return re.search(r"http://\S+/accounts/invitation/\S+/", message.body).group(0)


def path_of(link):
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


# Inviting ---------------------------------------------------------------------------------------------


def test_it_invites_a_person_who_chooses_their_own_password(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(demo)
    assert person.username == "priya.shah"
    assert person.email == "Priya.Shah@sefton.example"  # the domain in lower case, as Django keeps it
    assert not person.has_usable_password() and person.is_active and person.roles == []
    (message,) = mail.outbox
    assert message.to == ["Priya.Shah@sefton.example"]
    assert "Your user name is: priya.shah" in message.body
    assert "works once, for 7 days" in message.body
    assert PASSWORD not in message.body
    event = PersonEvent.objects.get(user=person)
    assert (event.action, event.actor) == ("invited", demo.admin)


def test_it_refuses_an_email_that_already_has_an_account(demo):
    message = "Someone already has an account with this email address: find them in the list of people."
    refused(message, invite, field="email", demo=demo, email="OFFICER@example.sefton.gov.uk")
    invite(demo)
    refused(message, invite, field="email", demo=demo, email="priya.shah@SEFTON.example")
    assert User.objects.filter(first_name="Priya").count() == 1


def test_it_refuses_a_username_that_is_taken_and_numbers_one_made_from_the_email(demo):
    refused(
        "This user name is taken: choose another, or leave it empty.",
        invite,
        field="username",
        demo=demo,
        username="Officer",
    )
    first = invite(demo, email="officer@elsewhere.example")
    assert first.username == "officer2"


def test_democratic_services_invite_councillors_only(demo):
    refused("Democratic services can add councillors only.", invite, field="councillor", demo=demo, by=demo.clerk)
    person = invite(demo, by=demo.clerk, councillor=True)
    assert Councillor.objects.filter(user=person).exists()
    refused("Only administrators and democratic services can add people.", invite, demo=demo, by=demo.officer)


def test_the_link_sets_the_password_once(demo, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(demo)
    url = path_of(link_in(mail.outbox[0]))
    page = client.get(url)
    assert page.status_code == 200 and b"Choose your password" in page.content
    answer = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert client.login(username="priya.shah", password=PASSWORD)
    client.logout()
    again = client.get(url)
    assert again.status_code == 404 and b"This link has been used" in again.content
    posted_again = client.post(url, {"new_password1": "another-" + PASSWORD, "new_password2": "another-" + PASSWORD})
    assert posted_again.status_code == 404
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_link_older_than_seven_days_has_expired(demo, client, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(demo)
    url = path_of(link_in(mail.outbox[0]))
    later = timezone.now() + dt.timedelta(days=7, minutes=1)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    page = client.get(url)
    assert page.status_code == 410 and b"This link has expired" in page.content
    answer = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert answer.status_code == 410
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_a_link_within_seven_days_still_works(demo, client, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        invite(demo)
    url = path_of(link_in(mail.outbox[0]))
    later = timezone.now() + dt.timedelta(days=6, hours=23)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda url: url.replace("/invitation/", "/invitation/Zm9v"),  # a uid that is no user
        lambda url: url[:-3] + "00/",  # a token that is not ours
        lambda url: re.sub(r"/invitation/[^/]+/", "/invitation/OTk5OTk5/", url),  # user 999999: no one
        lambda url: url.rsplit("/", 2)[0] + "/nodash/",
    ],
)
def test_a_mangled_link_is_refused_plainly(demo, client, django_capture_on_commit_callbacks, mangle):
    with django_capture_on_commit_callbacks(execute=True):
        invite(demo)
    page = client.get(mangle(path_of(link_in(mail.outbox[0]))))
    assert page.status_code == 404 and b"This link does not work" in page.content


def test_a_weak_password_is_refused_beside_the_field(demo, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(demo)
    url = path_of(link_in(mail.outbox[0]))
    page = client.post(url, {"new_password1": "password1", "new_password2": "password1"})
    assert page.status_code == 400
    assert page.context["form"].errors["new_password2"]
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_sending_again_voids_the_first_link(demo, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(demo)
    first = path_of(link_in(mail.outbox[0]))
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite_again(user=person, by=demo.admin)
    second = path_of(link_in(mail.outbox[1]))
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_deactivated_persons_link_does_not_work(demo, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(demo)
    url = path_of(link_in(mail.outbox[0]))
    services.user_deactivate(user=person, by=demo.admin)
    assert client.get(url).status_code == 404


def test_it_does_not_invite_again_someone_with_a_password(demo):
    refused(
        "They have already set a password: they can sign in.",
        services.user_invite_again,
        user=demo.officer,
        by=demo.admin,
    )


# Roles --------------------------------------------------------------------------------------------------


def roles(**changes):
    return {
        "is_author": False,
        "consultee_kinds": [],
        "posts": [],
        "is_democratic_services": False,
        "is_monitoring_officer": False,
        "is_superuser": False,
        **changes,
    }


def test_it_gives_roles_and_records_them_in_words(demo):
    person = invite(demo)
    finance = ConsulteeKind.objects.get(prefix="FD")
    services.user_set_roles(user=person, by=demo.admin, **roles(is_author=True, consultee_kinds=[finance]))
    person.refresh_from_db()
    assert person.roles == ["Report author", "Consultee: Finance (FD)"]
    event = person.person_events.get(action="roles_changed")
    assert event.note == "Now: Consultee: Finance (FD), Report author"
    assert demo.finance.consultee_kinds.filter(pk=finance.pk).exists()  # the other consultee keeps the role


def test_a_post_moves_to_its_new_holder(demo):
    person = invite(demo)
    post = Post.objects.get(title="Director of Public Health")
    services.user_set_roles(user=person, by=demo.admin, **roles(posts=[post]))
    post.refresh_from_db()
    assert post.holder == person
    assert "Approver: Director of Public Health" not in User.objects.get(pk=demo.director.pk).roles
    assert demo.director.person_events.get().note.startswith("No longer: Approver: Director of Public Health")


def test_administrator_makes_an_administrator_who_can_use_the_django_admin(demo):
    person = invite(demo)
    services.user_set_roles(user=person, by=demo.admin, **roles(is_superuser=True))
    person.refresh_from_db()
    assert person.is_superuser and person.is_staff


def test_an_administrator_cannot_take_their_own_role_away(demo):
    refused(
        "You cannot take away your own administrator role: ask another administrator.",
        services.user_set_roles,
        field="is_superuser",
        user=demo.admin,
        by=demo.admin,
        **roles(),
    )
    assert User.objects.get(pk=demo.admin.pk).is_superuser


def test_only_administrators_change_roles(demo):
    refused(
        "Only administrators can change people's roles.",
        services.user_set_roles,
        user=demo.member,
        by=demo.clerk,
        **roles(is_author=True),
    )


# Deactivating ----------------------------------------------------------------------------------------


def test_deactivating_stops_sign_in_and_keeps_the_history(demo, client):
    reports_before = demo.officer.reports.count()
    client.force_login(demo.officer)
    services.user_deactivate(user=demo.officer, by=demo.admin)
    officer = User.objects.get(pk=demo.officer.pk)
    assert not officer.is_active and officer.reports.count() == reports_before > 0
    assert client.get(reverse("home")).status_code == 302  # signed out at the next click
    assert not client.login(username="officer", password="committee-demo")
    services.user_reactivate(user=officer, by=demo.admin)
    assert client.login(username="officer", password="committee-demo")
    assert [e.action for e in officer.person_events.all()] == ["deactivated", "reactivated"]


def test_deactivating_is_refused_for_oneself_and_for_officers_by_democratic_services(demo):
    refused("You cannot deactivate your own account.", services.user_deactivate, user=demo.admin, by=demo.admin)
    refused("You cannot change this person's account.", services.user_deactivate, user=demo.officer, by=demo.clerk)
    services.user_deactivate(user=demo.member, by=demo.clerk)  # a councillor
    refused(f"{demo.member} is already deactivated.", services.user_deactivate, user=demo.member, by=demo.clerk)


# The pages ----------------------------------------------------------------------------------------------


def test_the_list_shows_roles_in_words(demo, client):
    client.force_login(demo.admin)
    page = client.get(reverse("accounts:people"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Approver: Director of Public Health" in text
    assert "Consultee: Legal (LD)" in text and "Monitoring officer" in text
    assert "Board member: Health and Wellbeing Board" in text


def test_democratic_services_see_councillors_only(demo, client):
    client.force_login(demo.clerk)
    page = client.get(reverse("accounts:people"))
    people = set(page.context["page"].object_list)
    assert demo.member in people and demo.officer not in people
    assert client.get(reverse("accounts:person", args=[demo.officer.pk])).status_code == 404
    assert client.get(reverse("accounts:person", args=[demo.member.pk])).status_code == 200
    assert "councillor" not in client.get(reverse("accounts:person_new")).context["form"].fields


def test_the_list_finds_by_name_and_shows_the_deactivated_apart(demo, client):
    client.force_login(demo.admin)
    services.user_deactivate(user=demo.outsider, by=demo.admin)
    found = client.get(reverse("accounts:people"), {"q": "ashworth"}).context["page"].object_list
    assert list(found) == [demo.director]
    active = client.get(reverse("accounts:people")).context["page"].object_list
    assert demo.outsider not in active
    gone = client.get(reverse("accounts:people"), {"show": "deactivated"}).context["page"].object_list
    assert list(gone) == [demo.outsider]


def test_the_invite_form_keeps_what_was_typed_and_says_why_beside_the_field(demo, client):
    client.force_login(demo.admin)
    form = {"email": demo.director.email, "first_name": "Margaret", "last_name": "Ashworth"}
    page = client.post(reverse("accounts:person_new"), form)
    assert page.status_code == 400
    assert page.context["form"].errors["email"] == [
        "Someone already has an account with this email address: find them in the list of people."
    ]
    assert 'value="Margaret"' in page.content.decode()
    empty = client.post(reverse("accounts:person_new"), {})
    assert empty.status_code == 400 and set(empty.context["form"].errors) == {"email", "first_name", "last_name"}
    bad = client.post(reverse("accounts:person_new"), {**form, "email": "not an address"})
    assert "email" in bad.context["form"].errors


def test_the_invite_page_sends_the_invitation(demo, client, django_capture_on_commit_callbacks):
    client.force_login(demo.admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("accounts:person_new"),
            {"email": "new@sefton.example", "first_name": "New", "last_name": "Officer", "username": "new.officer"},
        )
    person = User.objects.get(username="new.officer")
    assert answer["Location"] == reverse("accounts:person", args=[person.pk])
    assert mail.outbox[0].to == ["new@sefton.example"]


def test_the_role_picker_says_what_each_role_may_do_and_saves(demo, client):
    client.force_login(demo.admin)
    page = client.get(reverse("accounts:person", args=[demo.outsider.pk]))
    text = page.content.decode()
    for words in [
        "Drafts reports on the council",
        "signs them off (the system issues the reference",
        "Approves the reports made in the post",
        "Runs boards and meetings",
        "Keeps the register of members",
        "Manages people, roles and the reference lists",
        "Reads their boards' papers",
    ]:
        assert words in text.replace("&#x27;", "'"), words
    assert "Director of Public Health (now held by Margaret Ashworth)" in text
    legal = ConsulteeKind.objects.get(prefix="LD")
    answer = client.post(
        reverse("accounts:person", args=[demo.outsider.pk]), {"is_author": "on", "consultee_kinds": [legal.pk]}
    )
    assert answer.status_code == 302
    assert User.objects.get(pk=demo.outsider.pk).roles == ["Report author", "Consultee: Legal (LD)"]


def test_the_role_picker_puts_a_refusal_beside_its_field(demo, client):
    client.force_login(demo.admin)
    page = client.post(reverse("accounts:person", args=[demo.admin.pk]), {"is_author": "on"})
    assert page.status_code == 400
    assert page.context["roles_form"].errors["is_superuser"]
    assert not User.objects.get(pk=demo.admin.pk).is_author


def test_democratic_services_cannot_post_roles(demo, client):
    client.force_login(demo.clerk)
    answer = client.post(reverse("accounts:person", args=[demo.member.pk]), {"is_superuser": "on"})
    assert answer.status_code == 404
    assert not User.objects.get(pk=demo.member.pk).is_superuser


def test_the_deactivate_page_asks_first(demo, client):
    client.force_login(demo.admin)
    url = reverse("accounts:person_deactivate", args=[demo.director.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Approver: Director of Public Health" in page.content.decode()
    assert User.objects.get(pk=demo.director.pk).is_active
    client.post(url)
    assert not User.objects.get(pk=demo.director.pk).is_active
    own = client.post(reverse("accounts:person_deactivate", args=[demo.admin.pk]))
    assert own.status_code == 409 and b"You cannot deactivate your own account." in own.content


def test_the_person_page_lists_their_history(demo, client):
    client.force_login(demo.admin)
    services.user_deactivate(user=demo.outsider, by=demo.admin)
    page = client.get(reverse("accounts:person", args=[demo.outsider.pk]))
    assert "Deactivated" in page.content.decode() and "This account is deactivated" in page.content.decode()


@pytest.mark.parametrize("username", ["officer", "director", "member", "outsider"])
def test_the_people_pages_are_not_there_for_others(demo, client, username):
    client.force_login(demo.users[username])
    for url in [
        reverse("accounts:people"),
        reverse("accounts:person_new"),
        reverse("accounts:person", args=[demo.member.pk]),
        reverse("accounts:person_deactivate", args=[demo.member.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_the_navigation_offers_people_to_those_who_manage_them(demo, client):
    people = reverse("accounts:people")
    for username, shown in [("admin", True), ("clerk", True), ("officer", False), ("member", False)]:
        client.force_login(demo.users[username])
        assert (f'href="{people}"' in client.get(reverse("reports:list")).content.decode()) is shown, username
