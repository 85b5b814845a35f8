"""The editor's cost per request, against the minimal view, measured in one process.

Times `time.process_time()` per request (the server's CPU, as the test client runs the whole
request in this process) and counts queries for: the minimal view (bench/urls_load.py), the
editor page of the demo draft, and an autosave of it (the editor's fetch POST: the form as the
page posts it, with one field changed as typing would). Prints milliseconds, queries, and the
multiple of the minimal view, against the budgets of issue 21 (editor 20x, autosave 10x).

Run against a migrated database with the demo loaded, production-like (DEBUG off):

    DATABASE_URL=postgres://... SECRET_KEY=<50+ chars> ALLOWED_HOSTS=testserver HTTPS=0 \\
        .venv/bin/python bench/editor_cost.py [--requests 50]

It changes the demo draft's summary (autosaves) and leaves it so; `manage.py load_demo` does not
reset it, so run it on a bench database.
"""

import argparse
import os
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_load")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

# The test client has no static files' manifest to read; the plain storage costs no more to look up.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.client import BOUNDARY, encode_multipart  # noqa: E402

ENCODED = f"multipart/form-data;boundary={BOUNDARY}"  # already encoded: the client leaves the body as it is
from django.test.utils import CaptureQueriesContext  # noqa: E402


class FormFields(HTMLParser):
    """What a browser posts for the form with id `form_id`: (name, value) pairs in order."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self.textarea = self.select = None
        self.templates = 0  # rows inside <template> are not part of the form until added

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.templates += 1
        if self.templates or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.pairs.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "file"}:
                self.pairs.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.pairs.append((self.select, a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template" and self.templates:
            self.templates -= 1
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            self.pairs.append((self.textarea[0], value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside:
            self.inside = False


def posted(html):
    parser = FormFields("report-form")
    parser.feed(html)
    data = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    return data


def measure(label, n, request, prepare=lambda: None):
    """CPU ms per request (median and mean) and queries of the last request.

    `prepare` runs before each request, untimed: what the browser does (encoding the form).
    """
    request(prepare())  # warm: templates compiled, connection open
    times = []
    for _ in range(n):
        reset_queries()
        prepared = prepare()
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            response = request(prepared)
            times.append((time.process_time() - start) * 1000)
        assert response.status_code == 200, (label, response.status_code, response.content[:500])
    return statistics.median(times), statistics.mean(times), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    from accounts.models import User
    from reports.models import Report

    officer = User.objects.get(username="officer")
    draft = Report.objects.filter(author=officer, status=Report.Status.DRAFT).order_by("pk").first()
    client = Client()
    client.force_login(officer)
    edit_url = f"/reports/{draft.pk}/edit/"
    data = posted(client.get(edit_url).content.decode())
    data["_autosave"] = ["1"]
    data["editor_page"] = ["e" * 32]
    counter = [0]
    versions_before = draft.history.values("version").distinct().count()

    def typed():
        """The form as the editor's script posts it after more typing, encoded as the browser does."""
        counter[0] += 1
        data["summary"] = [f"{draft.summary} Typed {counter[0]}."]
        return encode_multipart(BOUNDARY, data)

    def autosave(body):
        response = client.post(edit_url, body, content_type=ENCODED, HTTP_ACCEPT="application/json")
        result = response.json()
        data["version"] = [str(result["version"])]
        if "revision" in result:
            data["revision"] = [str(result["revision"])]
        return response

    rows = [
        ("minimal view", measure("minimal", args.requests, lambda _: client.get("/bench/minimal/")), None),
        ("editor page", measure("editor", args.requests, lambda _: client.get(edit_url)), 20),
        ("autosave", measure("autosave", args.requests, autosave, typed), 10),
    ]
    base = rows[0][1][0]
    print(f"DEBUG={settings.DEBUG} database={connection.vendor} requests={args.requests}")
    print(f"{'':14} {'median ms':>9} {'mean ms':>8} {'queries':>7} {'multiple':>8}  budget")
    for label, (median, mean, queries), budget in rows:
        multiple = median / base
        verdict = "" if budget is None else f"{budget}x {'ok' if multiple <= budget else 'OVER'}"
        print(f"{label:14} {median:9.2f} {mean:8.2f} {queries:7d} {multiple:8.1f}  {verdict}")
    versions_after = draft.history.values("version").distinct().count()
    print(f"versions of the draft: {versions_before} before, {versions_after} after {counter[0]} autosaves")


if __name__ == "__main__":
    main()
