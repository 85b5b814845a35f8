from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

from public.queries import is_public_report


def public_or_login_required(public_url_name):
    """For the internal report views: an anonymous visitor asking for a report the public may read is
    sent to its public page; any other anonymous visitor is asked to sign in.

    Signed-in people stay on the internal view, where `get_report_for` decides as before (someone
    with no part in a report gets 404 there; the public pages and search link them to the public page).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            if not request.user.is_authenticated:
                if is_public_report(pk):
                    return redirect(public_url_name, pk)
                return redirect_to_login(request.get_full_path())
            return view(request, pk, *args, **kwargs)

        return wrapped

    return decorator
