import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from actions import demo as actions_demo
from boards.models import Board, Council, Meeting, Membership
from decisions import demo as decisions_demo
from interests import demo as interests_demo
from members.demo import load_members
from minutes import demo as minutes_demo
from officer_decisions import demo as officer_decisions_demo
from reports import demo
from reports.models import (
    ConsulteeKind,
    CorePurpose,
    CorePurposeContribution,
    Directorate,
    Implication,
    ImplicationType,
    Portfolio,
    Post,
    Recommendation,
    ReferenceSequence,
    Report,
    ReportEvent,
    Section,
    SignOff,
    Ward,
)
from reports.searchindex import reindex_report
from votes import demo as votes_demo

PASSWORD = "committee-demo"
LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


class Command(BaseCommand):
    help = "Create the demo council: reference data, demo users, the board, its meetings and the seed report."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a live system).")
        parser.add_argument(
            "--history",
            action="store_true",
            help="Also add two years of invented past meetings and reports on the demo boards (insight/demo.py).",
        )

    def handle(self, *args, force=False, history=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with a published password; it refuses to run with DEBUG off. "
                "Use --force if you really mean it."
            )
        with transaction.atomic():
            users = self.load_users()
            self.load_reference_data(users)
            board, meeting = self.load_board(users)
            self.load_seed_report(users, board, meeting)
            self.load_draft(users, board)
            self.extend(users, board, meeting)
            self.queue_report_pdfs()
        if history:
            from insight.demo import load_history

            made = load_history(users)
            self.stdout.write(f"Demo history: {made} past reports added (none if it was there already).")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo user's password is {PASSWORD!r}."))

    def extend(self, users, board, meeting):
        """The published agenda of 14 September 2022, and the board's next meeting with reports waiting."""
        self.load_past_agenda(users, meeting)
        load_members(users, board, meeting)  # councillors, and who attended on 14 September 2022
        self.queue_demo_packs(meeting)
        upcoming = self.load_upcoming_meeting(board)
        for content in demo.UPCOMING:
            self.load_approved_report(users, board, upcoming, content)
        interests_demo.load(users, meeting)
        votes_demo.load(users, meeting)  # the show of hands on the seed report, after attendance and declarations
        minutes_demo.load(users, meeting)  # last: approving the minutes locks the meeting's record
        decisions_demo.load(self, users)  # the Cabinet and the scrutiny committee (decisions/demo.py)
        officer_decisions_demo.load(users)
        actions_demo.load(users, meeting)  # actions arising from the decision of 14 September 2022
        # Every published agenda's packs (the Cabinet's too): the meeting pages and the open data link
        # to its front sheet and pack, which must open once the worker has built them.
        for published in Meeting.objects.filter(agenda_published_at__isnull=False).exclude(
            status=Meeting.Status.CANCELLED
        ):
            self.queue_demo_packs(published)

    def load_past_agenda(self, users, meeting):
        from boards.models import STANDARD_ITEMS, AgendaItem
        from boards.services import ensure_standard_items

        seed = Report.objects.get(subject=demo.SEED["subject"], board=meeting.board)
        if not meeting.items.exists():
            ensure_standard_items(meeting)
            AgendaItem.objects.create(
                meeting=meeting,
                position=len(STANDARD_ITEMS) + 1,
                kind=AgendaItem.Kind.REPORT,
                title=seed.subject,
                report=seed,
                added_at=at(2022, 9, 1),
                added_by=users["clerk"],
                decision=demo.SEED_DECISION,
            )
        if meeting.agenda_published_at is None:
            meeting.agenda_published_at = at(2022, 9, 6, 16, 0)
            meeting.agenda_published_by = users["clerk"]
            meeting.save(update_fields=["agenda_published_at", "agenda_published_by"])
        if seed.status == Report.Status.APPROVED:
            self.mark_published(seed, users["clerk"], at(2022, 9, 6, 16, 0))

    def mark_published(self, report, clerk, when):
        """An approved report as its published agenda left it: published, with the event that says so."""
        report.status = Report.Status.PUBLISHED
        report.save(update_fields=["status"])
        ReportEvent.objects.create(
            report=report, actor=clerk, action="published", from_status=Report.Status.APPROVED,
            to_status=Report.Status.PUBLISHED, at=when,
        )  # fmt: skip

    def queue_report_pdfs(self):
        """Queue the stored PDF of every approved or published report without one, as approval does."""
        from reports.tasks import queue_report_pdf

        final = Report.objects.filter(status__in=[Report.Status.APPROVED, Report.Status.PUBLISHED], pdf_file="")
        for report in final:
            queue_report_pdf(report)

    def queue_demo_packs(self, meeting):
        """Queue the published meeting's packs; the worker `make run` starts builds them."""
        from boards.models import AgendaPack
        from boards.tasks import queue_pack_builds

        if not AgendaPack.objects.filter(meeting=meeting).exists():
            queue_pack_builds(meeting)

    def load_upcoming_meeting(self, board):
        existing = board.meetings.filter(starts_at__gt=at(2022, 9, 15)).order_by("starts_at").first()
        if existing:
            return existing
        day = dt.date.today() + dt.timedelta(days=28)
        day += dt.timedelta(days=(2 - day.weekday()) % 7)  # the board meets on Wednesdays
        from boards.services import ensure_standard_items

        meeting = Meeting.objects.create(
            board=board, starts_at=at(day.year, day.month, day.day, 14, 0), venue=board.default_venue
        )
        ensure_standard_items(meeting)  # as scheduling a meeting does
        return meeting

    def load_approved_report(self, users, board, meeting, content):
        from reports.services import next_reference_number

        if Report.objects.filter(subject=content["subject"], board=board).exists():
            return
        today = dt.date.today()
        fields = {
            name: content[name]
            for name in [
                "subject", "is_key_decision", "in_forward_plan", "is_exempt", "exempt_paragraphs", "summary",
                "reasons", "alternatives", "revenue_costs", "capital_costs", "climate_impact", "climate_training",
                "climate_explanation", "external_consultations", "implementation_date", "contact_officer",
                "contact_phone", "contact_email", "background_papers",
            ]
        }  # fmt: skip
        report = Report.objects.create(
            author=users["officer"],
            status=Report.Status.APPROVED,
            board=board,
            meeting=meeting,
            report_of=Post.objects.get(title="Director of Public Health"),
            portfolio=Portfolio.objects.get(name="Health and Wellbeing"),
            all_wards=True,
            forward_plan_date=today - dt.timedelta(days=21),
            # An exempt paper is reviewed for release from the day the demo is made: releasing it is shown at once.
            release_review_on=today if content.get("release_condition") else None,
            release_condition=content.get("release_condition", ""),
            **fields,
        )
        if report.is_key_decision and report.in_forward_plan:  # democratic services accepted it that day
            report.forward_plan_accepted_on, report.forward_plan_accepted_by = report.forward_plan_date, users["clerk"]
        self.add_parts(report, content)
        for kind, username in [
            (ConsulteeKind.objects.get(prefix="FD"), "finance"),
            (ConsulteeKind.objects.get(prefix="LD"), "legal"),
        ]:
            number = next_reference_number(kind.prefix, today.year)
            SignOff.objects.create(
                report=report, kind=kind, signed_by=users[username], officer_title=kind.officer_title,
                prefix=kind.prefix, year=today.year, number=number,
                reference=SignOff.format_reference(kind.prefix, number, today.year), report_version=report.version,
            )  # fmt: skip
        for action, before, after, username in [
            ("created", "", Report.Status.DRAFT, "officer"),
            ("submitted", Report.Status.DRAFT, Report.Status.CONSULTATION, "officer"),
            ("signed_off", Report.Status.CONSULTATION, Report.Status.CONSULTATION, "finance"),
            ("signed_off", Report.Status.CONSULTATION, Report.Status.SIGNED_OFF, "legal"),
            ("approved", Report.Status.SIGNED_OFF, Report.Status.APPROVED, "director"),
        ]:
            ReportEvent.objects.create(
                report=report, actor=users[username], action=action, from_status=before, to_status=after
            )
        if report.forward_plan_accepted_on:
            ReportEvent.objects.create(
                report=report, actor=users["clerk"], action="forward_plan_accepted", from_status=report.status,
                to_status=report.status,
            )  # fmt: skip
        report.save()

    def load_users(self):
        users = {}
        for username, first, last, title, flags in demo.USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "job_title": title,
                    "email": f"{username}@example.sefton.gov.uk",
                    **flags,
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            users[username] = user
        return users

    def load_reference_data(self, users):
        for position, name in enumerate(demo.WARDS):
            Ward.objects.get_or_create(name=name, defaults={"position": position})
        for position, name in enumerate(demo.PORTFOLIOS):
            Portfolio.objects.get_or_create(name=name, defaults={"position": position})
        for position, name in enumerate(demo.DIRECTORATES):
            Directorate.objects.get_or_create(name=name, defaults={"position": position})
        for position, name in enumerate(demo.IMPLICATION_TYPES):
            ImplicationType.objects.get_or_create(name=name, defaults={"position": position})
        for position, name in enumerate(demo.CORE_PURPOSES):
            CorePurpose.objects.get_or_create(name=name, defaults={"position": position})
        for title, directorate, holder in demo.POSTS:
            Post.objects.get_or_create(
                title=title,
                defaults={
                    "directorate": Directorate.objects.get(name=directorate),
                    "holder": users.get(holder) if holder else None,
                },
            )
        for position, (name, officer_title, prefix, username) in enumerate(demo.CONSULTEE_KINDS):
            kind, _ = ConsulteeKind.objects.get_or_create(
                prefix=prefix, defaults={"name": name, "officer_title": officer_title, "position": position}
            )
            kind.officers.add(users[username])

    def load_board(self, users):
        if not Council.objects.exists():
            # The council's name stays blank, so COUNCIL_NAME ("Sefton Council") prints; no logo file.
            Council.objects.create(
                democratic_services_name="Democratic Services",
                democratic_services_email="democratic.services@example.sefton.gov.uk",
            )
        board, _ = Board.objects.get_or_create(
            slug=demo.BOARD["slug"],
            defaults={
                "name": demo.BOARD["name"],
                "default_venue": demo.BOARD["default_venue"],
                "clerk": users["clerk"],
            },
        )
        Membership.objects.get_or_create(
            board=board,
            user=users["member"],
            defaults={"role": Membership.Role.MEMBER, "starts_on": dt.date(2022, 5, 1)},
        )
        meeting, _ = Meeting.objects.get_or_create(
            board=board,
            starts_at=at(2022, 9, 14, 14, 0),
            defaults={"venue": demo.BOARD["default_venue"], "status": Meeting.Status.HELD},
        )
        return board, meeting

    def load_seed_report(self, users, board, meeting):
        seed = demo.SEED
        if Report.objects.filter(subject=seed["subject"], board=board).exists():
            return
        report = Report.objects.create(
            author=users["officer"],
            status=Report.Status.APPROVED,
            board=board,
            meeting=meeting,
            subject=seed["subject"],
            report_of=Post.objects.get(title=seed["report_of"]),
            all_wards=seed["all_wards"],
            portfolio=Portfolio.objects.get(name=seed["portfolio"]),
            is_key_decision=seed["is_key_decision"],
            in_forward_plan=seed["in_forward_plan"],
            is_exempt=seed["is_exempt"],
            summary=seed["summary"],
            reasons=seed["reasons"],
            alternatives=seed["alternatives"],
            revenue_costs=seed["revenue_costs"],
            capital_costs=seed["capital_costs"],
            climate_impact=seed["climate_impact"],
            climate_training=seed["climate_training"],
            climate_explanation=seed["climate_explanation"],
            external_consultations=seed["external_consultations"],
            implementation_date=seed["implementation_date"],
            contact_officer=seed["contact_officer"],
            contact_phone=seed["contact_phone"],
            contact_email=seed["contact_email"],
            background_papers=seed["background_papers"],
            created_at=at(2022, 8, 1),
            updated_at=at(2022, 8, 30),
        )
        self.add_parts(report, seed)
        for (prefix, number, year), username, day in zip(
            seed["sign_offs"], ["finance", "legal"], [24, 25], strict=True
        ):
            kind = ConsulteeKind.objects.get(prefix=prefix)
            SignOff.objects.create(
                report=report,
                kind=kind,
                signed_by=users[username],
                officer_title=kind.officer_title,
                prefix=prefix,
                year=year,
                number=number,
                reference=SignOff.format_reference(prefix, number, year),
                report_version=report.version,
                signed_at=at(2022, 8, day),
            )
            sequence, _ = ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
            if sequence.last_number < number:
                sequence.last_number = number
                sequence.save()
        timeline = [
            ("created", "", Report.Status.DRAFT, "officer", at(2022, 8, 1)),
            ("submitted", Report.Status.DRAFT, Report.Status.CONSULTATION, "officer", at(2022, 8, 22)),
            ("signed_off", Report.Status.CONSULTATION, Report.Status.CONSULTATION, "finance", at(2022, 8, 24)),
            ("signed_off", Report.Status.CONSULTATION, Report.Status.SIGNED_OFF, "legal", at(2022, 8, 25)),
            ("approved", Report.Status.SIGNED_OFF, Report.Status.APPROVED, "director", at(2022, 8, 30)),
        ]
        for action, before, after, username, when in timeline:
            ReportEvent.objects.create(
                report=report, actor=users[username], action=action, from_status=before, to_status=after, at=when
            )
        report.save()  # the last history row of version 1 comes after its parts

    def add_parts(self, report, content):
        for position, text in enumerate(content.get("recommendations", []), start=1):
            Recommendation.objects.create(report=report, position=position, text=text)
        for name, text in content.get("implications", {}).items():
            Implication.objects.create(report=report, type=ImplicationType.objects.get(name=name), text=text)
        for name, text in content.get("core_purposes", {}).items():
            CorePurposeContribution.objects.create(report=report, purpose=CorePurpose.objects.get(name=name), text=text)
        for position, (heading, body) in enumerate(content.get("sections", []), start=1):
            Section.objects.create(report=report, position=position, heading=heading, body=body)
        reindex_report(report)  # the loader writes the parts itself, so it keeps the search document too

    def load_draft(self, users, board):
        draft = demo.DRAFT
        if Report.objects.filter(subject=draft["subject"], author=users["officer"]).exists():
            return
        report = Report.objects.create(
            author=users["officer"],
            board=board,
            subject=draft["subject"],
            report_of=Post.objects.get(title="Director of Public Health"),
            portfolio=Portfolio.objects.get(name="Health and Wellbeing"),
            summary=draft["summary"],
            contact_officer=draft["contact_officer"],
            contact_email=draft["contact_email"],
        )
        self.add_parts(report, draft)
        ReportEvent.objects.create(report=report, actor=users["officer"], action="created", to_status=report.status)
        report.save()
