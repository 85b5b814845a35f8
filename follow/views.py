"""The Follow pages: public, no sign-in. The token in a link is the only key to a subscription, and no
page says anything about an address's subscriptions but to the holder of that subscription's token."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from follow import services
from follow.forms import FollowForm


def _subscription_or_404(token):
    subscription = services.get_subscription(token)
    if subscription is None:
        raise Http404("No such link")
    return subscription


@require_http_methods(["GET", "HEAD", "POST"])
def follow(request):
    """The form: an address, what to follow, how often. Sends a confirmation email, nothing more."""
    # A board's page links here with ?board=<slug>: the form starts with that board chosen.
    initial = {"board": request.GET.get("board", "")[:200]}
    form = FollowForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.follow_subscribe(
            email=form.cleaned_data["email"], things=form.things(), frequency=form.cleaned_data["frequency"]
        )
        # The same page whatever the address already follows, and whether a confirmation went now or
        # within the hour: it tells no one about someone else's subscriptions.
        return render(request, "follow/sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "follow/follow.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The confirmation link's page: a button confirms (a mail scanner opening the link confirms nothing)."""
    subscription = _subscription_or_404(token)
    if request.method == "POST":
        try:
            subscription = services.follow_confirm(token=token)
        except services.FollowRefused as refused:
            return render(
                request, "follow/confirm.html", {"subscription": subscription, "refused": str(refused)}, status=409
            )
        return render(request, "follow/confirmed.html", {"subscription": subscription})
    return render(request, "follow/confirm.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058: a mail client's one-click POST carries no CSRF token; the link's token is the key
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """Stop a subscription: the page has a button; the button and a mail client's one-click POST stop it."""
    subscription = _subscription_or_404(token)
    if request.method == "POST":
        subscription = services.follow_unsubscribe(token=token)
        return render(request, "follow/unsubscribed.html", {"subscription": subscription})
    return render(request, "follow/unsubscribe.html", {"subscription": subscription})
