"""Addresses for the rows of a long page, with reverse() called once for the page, not once a row."""

from django.urls import reverse

_HOLE = 987654321987  # an id no row has: where a row's own id goes


def path_of(viewname):
    """A function of an object's id that gives the path `reverse(viewname, args=[id])` would.

    reverse() reads the active language, the URLconf and the script prefix through asgiref's
    context-locals: about 50 µs a call on CI's two cores, a millisecond for a search's twenty results.
    Call this once per request (the prefix and the language are the request's), then once per row
    the function it returns, which only formats the id in."""
    before, after = reverse(viewname, args=[_HOLE]).split(str(_HOLE))
    return lambda pk: f"{before}{int(pk)}{after}"


class Addresses:
    """URLs of many objects, as `origin + reverse(name, args=args) + query`: a view whose one argument is
    an id has its path made once (path_of), then only the id formatted in for each object. An API page
    of fifty meetings names some five thousand (its items, papers, organisations, each list's links):
    reverse() for each was half the page's time."""

    def __init__(self, origin=""):
        self.origin = origin
        self._paths = {}

    def __call__(self, name, *args, query=""):
        if len(args) == 1 and type(args[0]) is int:
            path = self._paths.get(name)
            if path is None:
                path = self._paths[name] = path_of(name)
            return self.origin + path(args[0]) + query
        return self.origin + reverse(name, args=args) + query
