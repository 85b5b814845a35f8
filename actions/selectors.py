"""Reads of actions: the tracker, one person's, the counts on the clerk's meeting page, and the public
actions of given agenda items (for the public story of an issue)."""

from collections import defaultdict

from django.db.models import Case, Count, IntegerField, Max, Sum, Value, When

from accounts.models import User
from actions.models import Action, ActionUpdate
from boards.models import Board

# What every list of actions prints: the action, its owner, the item, meeting and board it arises from.
RELATED = ("owner", "item__meeting__board", "item__report")


def tracker(user, *, board=None, status="", owner=None, overdue=False, today=None):
    """The actions `user` may see, filtered, soonest due first."""
    actions = Action.objects.visible_to(user).select_related(*RELATED)
    if board is not None:
        actions = actions.filter(item__meeting__board=board)
    if status:
        actions = actions.filter(status=status)
    if owner is not None:
        actions = actions.filter(owner=owner)
    if overdue:
        actions = actions.overdue(today)
    return actions.order_by("due_on", "pk")


def boards_with_actions(user):
    """The boards whose actions `user` may see, for the tracker's filter."""
    return Board.objects.filter(pk__in=Action.objects.visible_to(user).values("item__meeting__board")).order_by("name")


def owners_of_actions(user):
    """The owners of the actions `user` may see, for the tracker's filter."""
    return User.objects.filter(pk__in=Action.objects.visible_to(user).values("owner")).order_by(
        "last_name", "first_name", "pk"
    )


def owned_by(user):
    """`user`'s own actions: unfinished first (soonest due first), then the finished."""
    finished_last = Case(
        When(status__in=Action.UNFINISHED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Action.objects.filter(owner=user).select_related(*RELATED).order_by(finished_last, "due_on", "pk")


def counts_by_item(meeting):
    """{agenda item pk: how many actions arise from its decision} for one meeting, in one query."""
    rows = Action.objects.filter(item__meeting=meeting).values("item").annotate(n=Count("pk"))
    return {row["item"]: row["n"] for row in rows}


def public_for_items(items):
    """{agenda item pk: [its public actions, soonest due first]} for the given items (or their pks).

    Only Part 1 items' actions, their exemption read now: an exempt item's actions are left out
    entirely, so not even their number is told. Items with no public action are not keys.
    """
    pks = [getattr(item, "pk", item) for item in items]
    found = defaultdict(list)
    for action in Action.objects.public().filter(item__in=pks).select_related(*RELATED).order_by("due_on", "pk"):
        found[action.item_id].append(action)
    return dict(found)


def stamp():
    """A digest's worth of what any public page prints of actions: their rows in sum, their history,
    and their owners' names and posts (a few rows: owners are officers). For the public page cache."""
    actions = Action.objects.aggregate(
        n=Count("pk"), pks=Sum("pk"), updated=Max("updated_at"), due=Max("due_on"), items=Sum("item_id")
    )
    updates = ActionUpdate.objects.aggregate(n=Count("pk"), last=Max("pk"))
    owners = list(
        User.objects.filter(actions_owned__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "job_title")
    )
    return (actions, updates, owners)
