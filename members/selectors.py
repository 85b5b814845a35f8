"""Reads about councillors and attendance that pages in several apps need (the public meeting page,
the clerk's meeting page, the councillor's page, My work)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from boards.models import Meeting, Membership
from config.periods import in_force_on
from members.models import EXPECTED_ROLES, Apology, Attendance, Councillor


def expected_memberships(meeting):
    """The memberships expected at `meeting`: chair, vice-chair and members in force on its date, in role order."""
    return (
        meeting.board.memberships.current(on=meeting.date)
        .filter(role__in=EXPECTED_ROLES)
        .in_role_order()
        .select_related("user")
    )


def substitute_candidates(meeting):
    """Who may attend in an expected member's place: the board's substitutes in force on the meeting's
    date and any other councillor, never a member the meeting expects."""
    expected = expected_memberships(meeting).values("user_id")
    substitutes = meeting.board.memberships.current(on=meeting.date).filter(role=Membership.Role.SUBSTITUTE)
    return (
        User.objects.filter(Q(pk__in=substitutes.values("user_id")) | Q(councillor__isnull=False))
        .exclude(pk__in=expected)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@dataclass
class AttendanceRecord:
    """A meeting's attendance as recorded: each expected member's row, the others, and the quorum."""

    meeting: Meeting
    rows: list
    others: list
    quorum: int

    @property
    def is_recorded(self):
        return bool(self.rows)

    @property
    def present(self):
        return [row for row in self.rows if row.status == Attendance.Status.PRESENT]

    @property
    def apologies(self):
        return [row for row in self.rows if row.status in {Attendance.Status.APOLOGIES, Attendance.Status.SUBSTITUTED}]

    @property
    def substitutes(self):
        return [row for row in self.rows if row.status == Attendance.Status.SUBSTITUTED]

    @property
    def absent(self):
        return [row for row in self.rows if row.status == Attendance.Status.ABSENT]

    @property
    def voting_present(self):
        """Members present plus substitutes attending in a member's place: what the quorum counts."""
        return len(self.present) + len(self.substitutes)

    @property
    def is_quorate(self):
        return self.voting_present >= self.quorum


def attendance_record(meeting):
    """The meeting's attendance as recorded (rows empty until democratic services record it)."""
    rows = list(
        meeting.attendances.select_related("member__councillor", "substitute").order_by(
            "member__last_name", "member__first_name"
        )
    )
    return AttendanceRecord(
        meeting=meeting, rows=rows, others=list(meeting.other_attendees.all()), quorum=meeting.board.quorum
    )


def standing_apologies(meeting):
    """The apologies members have sent for `meeting` and not withdrawn, oldest first."""
    return list(meeting.apologies.standing().select_related("member", "substitute"))


def coming_meetings_expecting(user):
    """The coming meetings (not cancelled) at which `user` is an expected member, each with `apology`:
    their standing apologies or None."""
    meetings = list(
        Meeting.objects.filter(starts_at__gte=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("board")
        .order_by("starts_at")
    )
    seats = list(user.memberships.filter(role__in=EXPECTED_ROLES))
    apologies = {a.meeting_id: a for a in Apology.objects.standing().filter(member=user).select_related("substitute")}
    mine = []
    for meeting in meetings:
        if any(seat.board_id == meeting.board_id and _in_force(seat, meeting.date) for seat in seats):
            meeting.apology = apologies.get(meeting.pk)
            mine.append(meeting)
    return mine


def is_expected_at(user, meeting):
    """Whether `user` holds an expected seat (chair, vice-chair, member) on the board on the meeting's date."""
    return (
        user.is_authenticated
        and meeting.board.memberships.filter(in_force_on(meeting.date), user=user, role__in=EXPECTED_ROLES).exists()
    )


def _in_force(seat, day):
    return (seat.starts_on is None or seat.starts_on <= day) and (seat.ends_on is None or seat.ends_on >= day)


def councillor_lists():
    """The public list: every councillor, grouped by ward and by party, in two queries whatever their number."""
    councillors = list(Councillor.objects.for_lists())
    by_ward, by_party = defaultdict(list), defaultdict(list)
    for councillor in councillors:
        for ward in councillor.wards.all() or [None]:
            by_ward[ward].append(councillor)
        by_party[councillor.party].append(councillor)
    wards = sorted(by_ward.items(), key=lambda pair: (pair[0] is None, pair[0].name if pair[0] else ""))
    # Councillors of no party ("Independent" unless the council records one) come last.
    parties = sorted(by_party.items(), key=lambda pair: (pair[0] is None, pair[0].name if pair[0] else ""))
    return {"councillors": councillors, "by_ward": wards, "by_party": parties}


@dataclass
class BoardAttendance:
    """A councillor's attendance at one board's meetings: expected, present, apologies, absent."""

    board: object
    expected: int = 0
    present: int = 0
    apologies: int = 0
    absent: int = 0
    not_recorded: int = 0
    meetings: list = field(default_factory=list)


def councillor_attendance(user, recent=10):
    """Per board, the meetings held so far at which `user` was expected and what was recorded; and the
    `recent` latest of those meetings as (meeting, status label or None). A constant number of queries."""
    seats = list(user.memberships.filter(role__in=EXPECTED_ROLES).select_related("board"))
    if not seats:
        return [], []
    meetings = (
        Meeting.objects.filter(board__in={seat.board_id for seat in seats}, starts_at__lt=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("board")
        .order_by("-starts_at")
    )
    recorded = {a.meeting_id: a for a in user.attendances.select_related("substitute")}
    boards, seen = {}, []
    for meeting in meetings:
        if not any(s.board_id == meeting.board_id and _in_force(s, meeting.date) for s in seats):
            continue
        tally = boards.setdefault(meeting.board_id, BoardAttendance(board=meeting.board))
        tally.expected += 1
        attendance = recorded.get(meeting.pk)
        if attendance is None:
            tally.not_recorded += 1
        elif attendance.status == Attendance.Status.PRESENT:
            tally.present += 1
        elif attendance.status == Attendance.Status.ABSENT:
            tally.absent += 1
        else:
            tally.apologies += 1
        seen.append((meeting, attendance))
    return sorted(boards.values(), key=lambda tally: tally.board.name), seen[:recent]


def councillor_seats(user):
    """Every seat `user` has held on a board, current ones first, each with `is_current`."""
    today = timezone.localdate()
    seats = list(user.memberships.select_related("board").order_by("-starts_on", "board__name"))
    for seat in seats:
        seat.is_current = _in_force(seat, today)
    return sorted(seats, key=lambda seat: not seat.is_current)


def substitutions_by(user, recent=10):
    """The meetings `user` attended as a substitute, latest first."""
    return list(
        Attendance.objects.filter(substitute=user)
        .select_related("meeting__board", "member")
        .order_by("-meeting__starts_at")[:recent]
    )
