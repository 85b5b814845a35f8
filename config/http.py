"""HTTP that other sites' clients can rely on: CORS, conditional requests and compression.

The open data (the API, the calendars and the feeds) and the PDFs are read by programs as well as
people: aggregators polling every few minutes, calendar apps, other councils' widgets. These
middleware give them what HTTP promises, for those answers only:

- CORS: every answer under the API and the feeds, errors, redirects and an OPTIONS preflight
  included, may be read by a script on any site. Nothing there depends on who asks.
- Conditional requests: an answer of one of the open data types gets an ETag (from its content,
  unless the view set one) and a matching If-None-Match or If-Modified-Since gets 304 with no body.
  Pages served from the visitors' cache get the same ETag, since it is taken from the same content.
- Compression: only the open data types (JSON, iCalendar, RSS, Atom) are compressed. HTML pages
  are not, because they carry a CSRF token or a signed-in person's details beside text a visitor
  can choose (search terms): the BREACH attack reads such secrets from compressed sizes.
"""

from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

# Paths whose every answer says Access-Control-Allow-Origin: * (the API, the calendars and the feeds).
CORS_PREFIXES = ("/api/", "/feeds/")
CORS_ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since, Range, If-Range"
CORS_EXPOSED_HEADERS = "ETag, Last-Modified, Content-Range, Content-Disposition, Retry-After"

COMPRESSED_TYPES = ("application/json", "text/calendar", "application/rss+xml", "application/atom+xml")
CONDITIONAL_TYPES = (*COMPRESSED_TYPES, "application/pdf")


def _media_type(response):
    return response.get("Content-Type", "").split(";")[0].strip().lower()


class CorsMiddleware:
    """Access-Control-Allow-Origin: * on every answer under CORS_PREFIXES; OPTIONS answered there.

    Before every other middleware, so that a redirect (a missing slash), a 404, a 405 and a server
    error all carry it: a browser hides an answer without it from the script that asked, which then
    cannot even tell a missing object from a network failure. No credentials are allowed, so a
    signed-in person's cookies never travel with such a request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(CORS_PREFIXES):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response


class OpenDataGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its random padding), for the open data types only; see the module's note."""

    def process_response(self, request, response):
        if _media_type(response) not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)


class OpenDataConditionalGetMiddleware(ConditionalGetMiddleware):
    """ETag and 304 for the open data types and PDFs, on HEAD as on GET.

    Django's own skips HEAD; here the view has made the whole body for a HEAD too (the server drops
    it), so its ETag is the GET's, and a client checking with HEAD learns the same.
    """

    def process_response(self, request, response):
        if request.method not in ("GET", "HEAD") or _media_type(response) not in CONDITIONAL_TYPES:
            return response
        if self.needs_etag(response) and not response.has_header("ETag"):
            set_response_etag(response)
        etag = response.get("ETag")
        last_modified = (
            parse_http_date_safe(response.get("Last-Modified", "")) if response.get("Last-Modified") else None
        )
        if etag or last_modified:
            return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        return response
