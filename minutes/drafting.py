"""The first draft of a meeting's minutes, written by the system from the meeting's record.

From the record as it stands: attendance (present, apologies, substitutes, others, whether the
meeting was quorate), the declarations of interest by item, and each item in agenda order with its
number, its decision (AgendaItem.decision) and its vote (`minutes_item_vote`). Part 2 items go in
the separate Part 2 minutes; the public minutes name a Part 2 item only as the agenda does (its
number, title and the paragraphs of Schedule 12A).

Everything typed by people is escaped by the templates; the clerk then edits the draft, and what
they save is sanitised (minutes/services.py).
"""

from django.template.loader import render_to_string

from boards.models import EXCLUSION_RESOLUTION
from boards.selectors import agenda_parts, numbered_items
from interests.selectors import declarations_by_item
from members.selectors import attendance_record


def minutes_item_vote(item):
    """The vote on `item` as one sentence for the minutes ("Moved by X, seconded by Y. Carried: 6 for,
    1 against, no abstentions", or "Lost on the Chair's casting vote: 2 for, 2 against, ..." after a
    tie), with a recorded vote's names, or None when no vote is recorded.

    Drafting prints it under the item's decision, in the public minutes for a Part 1 item and in the
    Part 2 minutes otherwise. Read once per item, when the clerk drafts: a few queries each.
    """
    from votes.models import Method, Motion

    motion = (
        Motion.objects.filter(item=item)
        .select_related("mover", "seconder")
        .prefetch_related("amendments__mover", "amendments__seconder", "member_votes__member")
        .first()
    )
    if motion is None:
        return None
    sentences = []
    for amendment in motion.amendments.all():
        sentences.append(
            f"An amendment moved by {amendment.mover} and seconded by {amendment.seconder}, "
            f"“{amendment.text}”, was {amendment.outcome_phrase} "
            f"({amendment.counts_display})."
        )
    sentences.append(
        f"Moved by {motion.mover}, seconded by {motion.seconder}. {motion.outcome_display}: {motion.counts_display}."
    )
    if motion.method == Method.RECORDED:
        by_choice = {}
        for vote in motion.member_votes.all():
            by_choice.setdefault(vote.get_choice_display(), []).append(str(vote.member))
        sentences.append(
            "A recorded vote: "
            + "; ".join(f"{choice}: {', '.join(sorted(names))}" for choice, names in by_choice.items())
            + "."
        )
    return " ".join(sentences)


def _items(numbered, declared):
    return [
        {
            "number": number,
            "item": item,
            "declarations": declared.get(item.pk, []),
            "vote": minutes_item_vote(item),
        }
        for number, item in numbered
    ]


def draft_minutes(meeting):
    """(public minutes HTML, Part 2 minutes HTML) drafted from the meeting's record as it stands."""
    numbered = numbered_items(meeting)
    part1, part2 = agenda_parts(numbered)
    declared = declarations_by_item(meeting)
    context = {
        "meeting": meeting,
        "record": attendance_record(meeting),
        "part1": _items(part1, declared),
        "part2": _items(part2, declared),
        "exclusion_resolution": EXCLUSION_RESOLUTION,
    }
    public = render_to_string("minutes/draft_public.html", context).strip()
    exempt = render_to_string("minutes/draft_part2.html", context).strip() if part2 else ""
    return public, exempt
