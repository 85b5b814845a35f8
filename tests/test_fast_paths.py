"""The cheaper ways every request takes (config/sessions.py, config/auth.py, config/template_builtins.py,
config/storage.py): the same answers as Django's own."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.template import Context, Template
from django.template.exceptions import TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from config.auth import ModelBackend
from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_session_is_read_until_it_expires_and_not_after():
    store = SessionStore()
    store["colour"] = "green"
    store.create()
    assert SessionStore(store.session_key)["colour"] == "green"
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert "colour" not in expired
    assert expired.session_key is None  # a fresh session is made, as Django's store does


def test_an_unknown_or_malformed_session_key_is_nobody():
    assert dict(SessionStore("nosuchkey" * 4).items()) == {}
    assert dict(SessionStore("'; DROP TABLE django_session; --").items()) == {}


def test_the_signed_in_user_is_found_and_an_inactive_one_is_not(client):
    user = User.objects.create_user("reader", password="a long passphrase 42")
    backend = ModelBackend()
    assert backend.get_user(user.pk) == user
    assert backend.get_user(str(user.pk)) == user
    assert backend.get_user("not a number") is None
    assert backend.get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_signing_in_and_out_through_the_pages(client):
    User.objects.create_user("reader", password="a long passphrase 42", is_author=True)
    answer = client.post(reverse("login"), {"username": "reader", "password": "a long passphrase 42"})
    assert answer.status_code == 302
    assert client.session[SESSION_KEY]
    assert client.get(reverse("reports:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("reports:list")).status_code == 302


def render(text, **context):
    return Template(text).render(Context(context))


def test_url_answers_as_django_does_with_and_without_arguments():
    assert render("{% url 'home' %}") == reverse("home")
    assert render("{% url 'reports:detail' 7 %}") == reverse("reports:detail", args=[7])
    assert render("{% url 'reports:detail' pk=n %}", n=8) == reverse("reports:detail", kwargs={"pk": 8})
    assert render("{% url 'reports:detail' n %}", n=9) == reverse("reports:detail", args=[9])
    assert (
        render("{% url 'reports:detail' n as where %}[{{ where }}]", n=3) == f"[{reverse('reports:detail', args=[3])}]"
    )


def test_url_of_no_such_name_still_raises_and_as_still_swallows():
    for _ in range(2):  # remembered or not
        with pytest.raises(NoReverseMatch):
            render("{% url 'no-such-page' %}")
        assert render("{% url 'no-such-page' as where %}[{{ where }}]") == "[]"
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_url_with_an_argument_that_cannot_be_a_key_is_reversed_afresh():
    class Key(str):
        __hash__ = None

    assert render("{% url 'reports:detail' n %}", n=Key("5")) == reverse("reports:detail", args=[5])


def test_url_follows_the_script_prefix_and_the_urlconf(settings):
    from django.urls import set_script_prefix

    plain = render("{% url 'home' %}")
    set_script_prefix("/council/")
    try:
        assert render("{% url 'home' %}") == "/council" + plain
    finally:
        set_script_prefix("/")
    with override_settings(ROOT_URLCONF="bench.urls_load"):
        assert render("{% url 'bench_minimal' %}") == "/bench/minimal/"
    with pytest.raises(NoReverseMatch):
        render("{% url 'bench_minimal' %}")


def test_url_escapes_as_django_does():
    assert render("{% url 'reports:detail' n %}", n="1") == reverse("reports:detail", args=["1"])
    assert "&amp;" not in render("{% autoescape off %}{% url 'home' %}{% endautoescape %}")
