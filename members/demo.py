"""The demo board's members as councillors, and the attendance at its meeting of 14 September 2022.

No public source used here gives the board's membership, parties or wards, so they are invented:
Councillor Ian Moncur (the demo's `member`) is kept, the other names are made up. Loaded by
`load_demo`; idempotent (every row is found before it is made).
"""

import datetime as dt

from accounts.models import User
from boards.models import Membership
from members.models import Attendance, Councillor, OtherAttendee, Party
from reports.models import Ward

PARTIES = [("Labour", "Lab", "#d50000"), ("Liberal Democrats", "LD", "#faa61a"), ("Conservative", "Con", "#0087dc")]

# username, first name, last name, party, wards, role on the board; the demo's `member` first.
COUNCILLORS = [
    ("member", "Councillor Ian", "Moncur", "Labour", ["Dukes"], Membership.Role.MEMBER),
    ("cllr.ellison", "Councillor Ruth", "Ellison", "Labour", ["Church"], Membership.Role.CHAIR),
    ("cllr.garside", "Councillor Tom", "Garside", "Liberal Democrats", ["Birkdale"], Membership.Role.VICE_CHAIR),
    ("cllr.rahman", "Councillor Aisha", "Rahman", "Labour", ["Linacre"], Membership.Role.MEMBER),
    ("cllr.kenyon", "Councillor Peter", "Kenyon", "Conservative", ["Harington"], Membership.Role.MEMBER),
    ("cllr.whitfield", "Councillor Joan", "Whitfield", "Labour", ["Netherton and Orrell"], Membership.Role.SUBSTITUTE),
]

TOOK_OFFICE_ON = dt.date(2022, 5, 9)  # the Monday after the local elections of 5 May 2022
SEATS_FROM = dt.date(2022, 5, 1)  # as the demo's `member` holds his seat

# 14 September 2022: one apology, with a substitute attending in that member's place.
ATTENDANCE = {
    "member": (Attendance.Status.PRESENT, None),
    "cllr.ellison": (Attendance.Status.PRESENT, None),
    "cllr.garside": (Attendance.Status.SUBSTITUTED, "cllr.whitfield"),
    "cllr.rahman": (Attendance.Status.PRESENT, None),
    "cllr.kenyon": (Attendance.Status.PRESENT, None),
}
OTHERS = [
    ("Margaret Ashworth", OtherAttendee.Role.OFFICER, "Director of Public Health"),
    ("Claire Kershaw", OtherAttendee.Role.OFFICER, "Democratic Services Officer"),
]


def load_members(users, board, meeting):
    """Parties, the board's councillors and their seats, and the attendance at `meeting` (14 September 2022)."""
    parties = {}
    for name, short, colour in PARTIES:
        parties[name], _ = Party.objects.get_or_create(name=name, defaults={"short_name": short, "colour": colour})
    people = {}
    for username, first, last, party, wards, role in COUNCILLORS:
        user = users.get(username)
        if user is None:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.sefton.gov.uk"},
            )
            if created:  # a councillor who does not sign in
                user.set_unusable_password()
                user.save(update_fields=["password"])
        councillor, created = Councillor.objects.get_or_create(
            user=user,
            defaults={
                "party": parties[party],
                "email": f"{last.lower()}.cllr@example.sefton.gov.uk",
                "phone": "0345 140 0845",
                "postal_address": "c/o Democratic Services, Bootle Town Hall, Oriel Road, Bootle L20 7AE",
                "took_office_on": TOOK_OFFICE_ON,
            },
        )
        if created:
            councillor.wards.set(Ward.objects.filter(name__in=wards))
        Membership.objects.get_or_create(board=board, user=user, defaults={"role": role, "starts_on": SEATS_FROM})
        people[username] = user
    if not meeting.attendances.exists():
        for username, (status, substitute) in ATTENDANCE.items():
            Attendance.objects.create(
                meeting=meeting,
                member=people[username],
                status=status,
                substitute=people.get(substitute),
                recorded_by=users["clerk"],
            )
        for position, (name, role, description) in enumerate(OTHERS, start=1):
            OtherAttendee.objects.create(
                meeting=meeting, position=position, name=name, role=role, description=description
            )
