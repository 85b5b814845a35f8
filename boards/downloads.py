"""Serving stored PDFs: conditional requests (ETag) and byte ranges, straight from storage."""

import re

from django.http import FileResponse, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.http import content_disposition_header, quote_etag

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _etag_matches(header, etag):
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _ranged(handle, start, length):
    handle.seek(start)
    remaining = length
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def disposition(request, filename):
    """Content-Disposition of a file's answer: opened in the browser at its address, saved with `?download=1`.

    OParl's File: its `accessUrl` must not send `attachment`, its `downloadUrl` must, with the file's name.
    """
    return content_disposition_header(request.GET.get("download") == "1", filename)


def not_modified(request, version, *, private=True):
    """304 when the client's copy is `version` (If-None-Match), else None: checked before any work."""
    etag = quote_etag(version)
    if not _etag_matches(request.headers.get("If-None-Match"), etag):
        return None
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control(private)
    return response


def cache_control(private):
    return "private, max-age=0, must-revalidate" if private else "public, max-age=300, must-revalidate"


def serve_pdf(request, fieldfile, *, version, filename, private=True):
    """A stored PDF as a response that honours If-None-Match, Range and If-Range.

    `version` identifies the content (the pack's content key); it becomes the ETag, so a client
    that has this build gets 304 and a download manager can resume with Range.
    """
    etag = quote_etag(version)
    cache = cache_control(private)
    unchanged = not_modified(request, version, private=private)
    if unchanged:
        return unchanged

    handle = fieldfile.open("rb")
    size = fieldfile.size
    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    use_range = range_header and (if_range is None or if_range.strip() == etag)
    match = RANGE.match(range_header.strip()) if use_range else None
    if use_range and not match:
        use_range = False  # multiple or malformed ranges: send the whole file, as RFC 9110 allows
    if match:
        first, last = match.groups()
        if first == "" and last == "":
            match = None
        elif first == "":
            length = min(int(last), size)
            start, end = size - length, size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if match and (start >= size or (first and last and int(last) < int(first)) or end < start):
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            response["ETag"] = etag
            return response
    if match:
        response = StreamingHttpResponse(
            _ranged(handle, start, end - start + 1), status=206, content_type="application/pdf"
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type="application/pdf")
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = cache
    response["Content-Disposition"] = disposition(request, filename)
    return response
