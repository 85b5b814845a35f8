"""Reads about votes that several pages need: who may vote on an item, the motions of a meeting
for its public page, and each item's record for the minutes."""

from dataclasses import dataclass, field

from interests.models import Declaration
from members.models import Attendance
from votes.models import Motion


@dataclass
class Voters:
    """Who may take part in a vote on one item: the members present (substitutes attending included),
    and among them those barred by a disclosable pecuniary interest with no dispensation."""

    recorded: bool  # whether attendance has been recorded at all
    present: list = field(default_factory=list)  # Users, in name order
    barred: dict = field(default_factory=dict)  # user id -> the reason, as a message can print it

    @property
    def present_ids(self):
        return {user.pk for user in self.present}

    @property
    def may_vote(self):
        return [user for user in self.present if user.pk not in self.barred]


def voters(item):
    """The members who could vote on `item`, read from the meeting's attendance and the item's
    declarations (two queries)."""
    rows = list(Attendance.objects.filter(meeting_id=item.meeting_id).select_related("member", "substitute"))
    present = []
    for row in rows:
        if row.status == Attendance.Status.PRESENT:
            present.append(row.member)
        elif row.status == Attendance.Status.SUBSTITUTED and row.substitute is not None:
            present.append(row.substitute)
    present.sort(key=lambda user: (user.last_name, user.first_name, user.pk))
    barred = {
        declaration.member_id: f"{declaration.member} declared a disclosable pecuniary interest in this item"
        for declaration in Declaration.objects.filter(item_id=item.pk, kind=Declaration.Kind.PECUNIARY)
        .exclude(conduct=Declaration.Conduct.DISPENSATION)
        .select_related("member")
    }
    return Voters(recorded=bool(rows), present=present, barred=barred)


def recommendations_text(item):
    """The motion as the report puts it: its recommendations, numbered as the report prints them."""
    if not item.report_id:
        return ""
    texts = item.report.recommendations.order_by("position", "pk").values_list("text", flat=True)
    return "\n".join(f"({number}) {text}" for number, text in enumerate(texts, start=1))


def motions_by_item(meeting):
    """The meeting's motions by agenda item id, each with its movers, amendments and named votes
    (four queries, however many items, amendments and members)."""
    motions = (
        Motion.objects.filter(item__meeting=meeting)
        .select_related("mover", "seconder")
        .prefetch_related("amendments__mover", "amendments__seconder", "member_votes__member")
    )
    return {motion.item_id: motion for motion in motions}


def item_records(meeting):
    """What the minutes need of each item's vote, in agenda order: a list of dicts with the item, the
    motion's text, mover, seconder, method, amendments (text, mover, seconder, counts, outcome),
    counts, named votes (recorded vote only), outcome and casting vote. Items with no motion are left out."""
    motions = motions_by_item(meeting)
    records = []
    for item in meeting.items.order_by("position", "pk"):
        motion = motions.get(item.pk)
        if motion is None:
            continue
        records.append(
            {
                "item": item,
                "motion": motion.text,
                "mover": motion.mover,
                "seconder": motion.seconder,
                "method": motion.method,
                "amendments": [
                    {
                        "text": a.text,
                        "mover": a.mover,
                        "seconder": a.seconder,
                        "for": a.votes_for,
                        "against": a.votes_against,
                        "abstentions": a.abstentions,
                        "outcome": a.outcome,
                        "casting_vote": a.casting_vote,
                    }
                    for a in motion.amendments.all()
                ],
                "for": motion.votes_for,
                "against": motion.votes_against,
                "abstentions": motion.abstentions,
                "named_votes": [(v.member, v.choice) for v in motion.member_votes.all()],
                "outcome": motion.outcome,
                "casting_vote": motion.casting_vote,
            }
        )
    return records
