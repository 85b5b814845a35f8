"""Workflow steps under real concurrency: threads, each with its own PostgreSQL connection.

Each round starts its threads together on a barrier, after each has opened its connection, so
their transactions really overlap and only the row locks keep the outcome right.
"""

import datetime as dt
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import ReferenceSequence, Report, ReportEvent, SignOff
from tests.test_workflow import complete_draft, form_data, walk_to

ROUNDS = 100

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks under real concurrency")


def run_together(*calls):
    """Run each call in its own thread and connection, all released at once; returns ("ok"|"refused"|"error", value)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except services.TransitionRefused as refusal:
            results[index] = ("refused", refusal)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    errors = [value for outcome, value in results if outcome == "error"]
    assert not errors, f"unexpected errors: {errors!r}"
    return results


def test_two_consultees_signing_at_once_give_two_sign_offs_and_one_state_change(demo):
    year = timezone.localdate().year
    start = {s.prefix: s.last_number for s in ReferenceSequence.objects.filter(year=year)}
    reports = [walk_to(demo, complete_draft(demo, subject=f"Round {n}"), "consultation") for n in range(ROUNDS)]
    for report in reports:
        results = run_together(
            lambda pk=report.pk: services.report_sign_off(report=Report.objects.get(pk=pk), user=demo.finance),
            lambda pk=report.pk: services.report_sign_off(report=Report.objects.get(pk=pk), user=demo.legal),
        )
        assert [outcome for outcome, _ in results] == ["ok", "ok"]
        report.refresh_from_db()
        assert report.status == Report.Status.SIGNED_OFF
        assert SignOff.objects.filter(report=report, voided_at__isnull=True).count() == 2
        assert report.events.filter(action="signed_off").count() == 2
        assert report.events.filter(to_status=Report.Status.SIGNED_OFF).count() == 1, "exactly one state change"

    references = list(SignOff.objects.filter(report__in=reports).values_list("reference", flat=True))
    assert len(references) == 2 * ROUNDS
    assert len(set(references)) == len(references), "no duplicate reference"
    for prefix in ["FD", "LD"]:
        numbers = sorted(SignOff.objects.filter(report__in=reports, prefix=prefix).values_list("number", flat=True))
        first = start.get(prefix, 0) + 1
        assert numbers == list(range(first, first + ROUNDS)), f"{prefix} numbers are issued one by one, no gaps"


def test_one_consultee_pressing_sign_off_twice_at_once_signs_once(demo):
    for n in range(ROUNDS // 2):
        report = walk_to(demo, complete_draft(demo, subject=f"Double {n}"), "consultation")
        results = run_together(
            *[lambda pk=report.pk: services.report_sign_off(report=Report.objects.get(pk=pk), user=demo.finance)] * 2
        )
        assert sorted(outcome for outcome, _ in results) == ["ok", "refused"]
        assert SignOff.objects.filter(report=report).count() == 1
        assert report.events.filter(action="signed_off").count() == 1


def test_the_first_sign_offs_of_a_year_race_safely_for_their_sequence(demo, monkeypatch):
    for n in range(20):
        year = 2101 + n
        moment = dt.datetime(year, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
        first = walk_to(demo, complete_draft(demo, subject=f"First {n}"), "consultation")
        second = walk_to(demo, complete_draft(demo, subject=f"Second {n}"), "consultation")
        monkeypatch.setattr("django.utils.timezone.now", lambda moment=moment: moment)
        results = run_together(
            *[
                lambda pk=report.pk: services.report_sign_off(report=Report.objects.get(pk=pk), user=demo.finance)
                for report in (first, second)
            ]
        )
        monkeypatch.undo()
        references = sorted(value.reference for _, value in results)
        assert references == [f"FD.1/{year % 100:02d}", f"FD.2/{year % 100:02d}"]


def test_two_editors_saving_at_once_lose_no_text(demo):
    """One save wins and is stored exactly; the other is refused, told what changed, and keeps its text."""
    report = walk_to(demo, complete_draft(demo, subject="Edited by two"), "draft")
    url = reverse("reports:edit", args=[report.pk])
    outcomes = Counter()
    for n in range(ROUNDS):
        report.refresh_from_db()
        base = form_data(report)
        texts = [
            f"Summary typed by the first editor in round {n}.",
            f"Summary typed by the second editor in round {n}.",
        ]

        def save(text, base=base):
            client = Client()
            client.force_login(demo.officer)
            return client.post(url, {**base, "summary": text})

        results = run_together(*[lambda text=text: save(text) for text in texts])
        statuses = [response.status_code for _, response in results]
        assert sorted(statuses) == [302, 409], f"round {n}: {statuses}"
        winner = statuses.index(302)
        loser = 1 - winner
        outcomes[winner] += 1

        report.refresh_from_db()
        assert report.summary == texts[winner], "the winner's text is stored exactly"
        assert report.version == int(base["version"]) + 1
        page = results[loser][1].content.decode()
        assert "Someone else saved this report while you were editing it" in page, "the refused editor is told"
        assert texts[loser] in page, "and their typed text is still in the form"
        assert texts[winner] in page, "and the message shows what changed meanwhile"
    assert sum(outcomes.values()) == ROUNDS


def test_a_return_and_a_sign_off_at_once_never_leave_a_live_sign_off_on_a_draft(demo):
    for n in range(ROUNDS // 4):
        report = walk_to(demo, complete_draft(demo, subject=f"Race {n}"), "consultation")
        results = run_together(
            lambda pk=report.pk: services.report_sign_off(report=Report.objects.get(pk=pk), user=demo.finance),
            lambda pk=report.pk: services.report_return(
                report=Report.objects.get(pk=pk), user=demo.legal, comment="Not yet."
            ),
        )
        report.refresh_from_db()
        live = SignOff.objects.filter(report=report, voided_at__isnull=True).count()
        if report.status == Report.Status.DRAFT:
            assert live == 0, "a returned report keeps no live sign-off"
        else:
            assert [outcome for outcome, _ in results] == ["ok", "refused"]
        assert ReportEvent.objects.filter(report=report, action="returned").count() <= 1
