"""Requests whose body cannot be read: a 400 with the site's page whatever DEBUG says, never a 500; an
upload whose file part cannot be read keeps the typed title and says so by the file field."""

import pytest
from django.test import Client

from tests.test_uploads import pdf_bytes

pytestmark = pytest.mark.django_db

FORMS = ["/accounts/login/", "/search/", "/public/", "/reports/new/", "/admin/login/", "/", "/follow/"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", FORMS)
def test_it_answers_a_latin_1_post_with_the_sites_400_page(db, settings, debug, url):
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)
    response = client.generic(
        "POST", url, b"username=caf\xe9&password=x", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The address could not be understood" in html
    assert "Sefton Council" in html


@pytest.mark.parametrize("debug", [False, True])
def test_it_answers_a_form_with_too_many_fields_with_the_sites_400_page(db, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{n}=x" for n in range(20))
    response = Client().post("/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "The address could not be understood" in response.content.decode()


def multipart(fields, file_name, content, boundary="----committee-test"):
    """A multipart body as a browser sends it: the fields in order, then the file (any length of name)."""
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("length", [1004, 5000])
def test_it_keeps_the_title_and_says_by_the_field_that_a_long_file_name_was_not_received(login, demo, length):
    client = login(demo.officer)
    body, content_type = multipart([("title", "Budget tables 2026")], "a" * (length - 4) + ".pdf", pdf_bytes())
    response = client.generic("POST", f"/reports/{demo.draft.pk}/appendices/", body, content_type=content_type)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Budget tables 2026"' in html
    assert "its name is too long" in html
    assert 'id="error_1_id_file"' in html or "invalid-feedback" in html
    assert not demo.draft.appendices.exists()


def test_it_still_accepts_a_file_whose_name_is_long_but_readable(login, demo):
    client = login(demo.officer)
    body, content_type = multipart([("title", "Budget tables 2026")], "b" * 200 + ".pdf", pdf_bytes())
    response = client.generic("POST", f"/reports/{demo.draft.pk}/appendices/", body, content_type=content_type)
    assert response.status_code == 302
    assert demo.draft.appendices.get().title == "Budget tables 2026"


def test_it_refuses_an_unreadable_upload_elsewhere_with_the_400_page(login, demo):
    client = login(demo.officer)
    body, content_type = multipart([("subject", "x")], "a" * 1000 + ".pdf", b"%PDF-1.4")
    response = client.generic("POST", f"/reports/{demo.draft.pk}/edit/", body, content_type=content_type)
    assert response.status_code == 400
    assert "The address could not be understood" in response.content.decode()
