from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from boards.models import AgendaItem
from boards.selectors import numbered_items
from boards.views import get_meeting_to_manage
from votes import selectors, services
from votes.forms import AmendmentFormSet, MotionForm
from votes.models import Method, Motion


def _initial(item, motion):
    """What the form starts from: the vote as recorded, or the report's recommendations as the motion."""
    if motion is None:
        return {"text": selectors.recommendations_text(item), "method": Method.SHOW_OF_HANDS}, []
    initial = {
        "text": motion.text,
        "method": motion.method,
        "mover": motion.mover_id,
        "seconder": motion.seconder_id,
        "casting": bool(motion.casting_vote),
        "casting_vote": motion.casting_vote,
        **{f"member_{v.member_id}": v.choice for v in motion.member_votes.all()},
    }
    if motion.method == Method.SHOW_OF_HANDS:
        initial.update(votes_for=motion.votes_for, votes_against=motion.votes_against, abstentions=motion.abstentions)
    amendments = [
        {
            "text": a.text,
            "mover": a.mover_id,
            "seconder": a.seconder_id,
            "votes_for": a.votes_for,
            "votes_against": a.votes_against,
            "abstentions": a.abstentions,
            "casting": bool(a.casting_vote),
            "casting_vote": a.casting_vote,
        }
        for a in motion.amendments.all()
    ]
    return initial, amendments


def _ballot(form, people):
    data = form.cleaned_data
    return services.Ballot(
        text=data.get("text") or "",
        mover=people.get(data.get("mover")),
        seconder=people.get(data.get("seconder")),
        counts=form.counts(),
        casting_vote=form.casting_vote(),
    )


def _save(request, item, form, formset):
    """Hand the posted vote to the service; put its messages beside the fields. True when saved."""
    used = [f for f in formset if (f.cleaned_data.get("text") or "").strip()]
    names = form.names()
    wanted = {form.cleaned_data.get("mover"), form.cleaned_data.get("seconder"), *names}
    for f in used:
        wanted |= {f.cleaned_data.get("mover"), f.cleaned_data.get("seconder")}
    people = User.objects.in_bulk([pk for pk in wanted if pk])
    motion = _ballot(form, people)
    motion.names = names
    try:
        services.record_vote(
            item=item,
            user=request.user,
            method=form.cleaned_data["method"],
            motion=motion,
            amendments=[_ballot(f, people) for f in used],
        )
    except services.VoteRefused as exc:
        for key, message in exc.errors.items():
            if key.startswith("amendment-"):
                number, field = key.removeprefix("amendment-").split("-", 1)
                used[int(number) - 1].add_error(field, message)
            elif key in form.fields:
                form.add_error(key, message)
            else:  # a vote posted for someone the form did not offer: no field to show it beside
                form.add_error(None, message)
        if not exc.errors:
            form.add_error(None, str(exc))
        return False
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record(request, pk, item_pk):
    """Democratic services record the motion on an item, its amendments and the vote."""
    meeting = get_meeting_to_manage(request.user, pk)
    item = get_object_or_404(AgendaItem.objects.select_related("report"), pk=item_pk, meeting=meeting)
    who = selectors.voters(item)
    motion = (
        Motion.objects.filter(item=item)
        .select_related("mover", "seconder")
        .prefetch_related("amendments", "member_votes")
        .first()
    )
    closed = services.voting_open(meeting)
    initial, amendments = _initial(item, motion)
    data = request.POST if request.method == "POST" else None
    form = MotionForm(data, initial=initial, people=who.present)
    formset = AmendmentFormSet(data, initial=amendments, prefix="amendment", form_kwargs={"people": who.present})
    status = 200
    if request.method == "POST":
        if closed or not who.recorded:
            form.add_error(None, closed or "Record the meeting's attendance first: a vote is checked against it.")
        elif form.is_valid() and formset.is_valid() and _save(request, item, form, formset):
            messages.success(request, "Vote saved.")
            return redirect(reverse("votes:record", args=[meeting.pk, item.pk]))
        status = 400
    number = next((n for n, i in numbered_items(meeting, waiting=True) if i.pk == item.pk), "")
    context = {
        "meeting": meeting,
        "item": item,
        "number": number,
        "form": form,
        "formset": formset,
        "who": who,
        "motion": motion,
        "closed": closed,
    }
    return render(request, "votes/record.html", context, status=status)
