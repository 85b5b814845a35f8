"""The open data API's `created`, `modified` and `deleted`, kept by comparing what it prints.

`bring_up_to_date()` runs before every API answer. When the public record has changed since it
last ran (`public_stamp()`, the same digest the public page cache keys on), it prints every public
object as the API would (with the configured SITE_URL, so the request's host plays no part),
embedded objects included, and compares each with its ApiRecord: a new object is created now, a
changed digest is modified now, and an object no longer printed is deleted now (OParl: it stays
at its URL as `{"id", "type", "created", "modified", "deleted": true}`, with nothing else). So
`modified` moves whenever anything an object prints changes, its embedded objects included, and
an aggregator asking `?modified_since=` learns of every change and every deletion.

The comparison costs a print of the whole public record (a few seconds at a council's decade of
papers) once per change to what is public; answers in between read the records in one query.
"""

import hashlib
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from boards.public_cache import public_stamp, remembered
from config.paths import Addresses
from public.models import ApiRecord, ApiState

TIMES = ("created", "modified")
OPARL = "https://schema.oparl.org/1.1/"
# Object types of our own, beside OParl's: each is documented at its anchor on /open-data/.
VENDOR_TYPES = {"OfficerDecision", "DecisionNotice"}


def type_url(name):
    """The `type` of an object: OParl's schema URL, or for a type of our own its documentation on /open-data/
    (on the configured site, whatever host was asked, so it names the type the same everywhere)."""
    if name in VENDOR_TYPES:
        return f"{settings.SITE_URL}{reverse('public:open_data')}#{name}"
    return OPARL + name


def type_name(url):
    """ "Meeting" of OParl's https://schema.oparl.org/1.1/Meeting, "OfficerDecision" of .../open-data/#OfficerDecision."""
    return url.rsplit("#", 1)[-1] if "#" in url else url.rsplit("/", 1)[-1]


def api_root():
    return reverse("api:system")


def address(url, root=None):
    """(kind, key) of an object's id, e.g. ("meetings", "12") for .../api/v1/meetings/12/. `root`:
    api_root(), when the caller asks for many (it is a reverse())."""
    path = urlsplit(url).path.removeprefix(root or api_root()).strip("/")
    kind, _, key = path.partition("/")
    return kind, key


def objects_in(data):
    """Every OParl object in `data` (itself and those embedded in it, at any depth), outermost first."""
    if isinstance(data, dict):
        if "id" in data and "type" in data:
            yield data
        for value in data.values():
            yield from objects_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from objects_in(value)


def digest(obj):
    """A digest of what `obj` prints, its embedded objects included, leaving out its own times."""
    content = {k: v for k, v in obj.items() if k not in TIMES}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def site_urls():
    """Absolute URLs on the configured site, as the comparison prints them."""
    return Addresses(origin=settings.SITE_URL)


def _printed(every_object):
    """{(kind, key): (type, digest)} of everything `every_object(url)` (the API's objects) prints now."""
    found, root = {}, api_root()
    for top in every_object(site_urls()):
        for obj in objects_in(top):
            found[address(obj["id"], root)] = (type_name(obj["type"]), digest(obj))
    return found


def compare(every_object, now=None):
    """Bring every ApiRecord in line with what `every_object(url)` prints now; returns (created, modified,
    deleted) counts."""
    now = now or timezone.now()
    printed = _printed(every_object)
    records = {(r.kind, r.key): r for r in ApiRecord.objects.all()}
    new, changed = [], []
    for (kind, key), (type_, value) in printed.items():
        record = records.get((kind, key))
        if record is None:
            new.append(ApiRecord(kind=kind, key=key, type=type_, digest=value, created=now, modified=now))
        elif record.digest != value or record.deleted:
            record.digest, record.deleted, record.modified = value, False, now
            changed.append(record)
    gone = [r for address_, r in records.items() if address_ not in printed and not r.deleted]
    for record in gone:
        record.digest, record.deleted, record.modified = "", True, now
    ApiRecord.objects.bulk_create(new, batch_size=500)
    ApiRecord.objects.bulk_update(changed + gone, ["digest", "deleted", "modified"], batch_size=500)
    return len(new), len(changed), len(gone)


def bring_up_to_date(every_object):
    """Compare once per state of the public record: at most one process compares, the others wait for it.

    `every_object(url)` yields every top-level object the API prints (public.api.every_object)."""
    stamp = remembered(public_stamp)
    if ApiState.objects.filter(pk=1, stamp=stamp).exists():
        return
    with transaction.atomic():
        state, _ = ApiState.objects.select_for_update().get_or_create(pk=1)
        if state.stamp != stamp:
            compare(every_object)
            state.stamp = stamp
            state.save(update_fields=["stamp"])


def _moment(value):
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def add_times(data):
    """Give every object in `data` its `created` and `modified`, read for all of them in one query."""
    root = api_root()
    found = [(obj, address(obj["id"], root)) for obj in objects_in(data)]
    wanted = {where for _, where in found}
    kinds = {kind for kind, _ in wanted}
    rows = ApiRecord.objects.filter(kind__in=kinds, key__in={key for _, key in wanted}).values_list(
        "kind", "key", "created", "modified"
    )
    times = {(kind, key): (created, modified) for kind, key, created, modified in rows}
    for obj, where in found:
        known = times.get(where)
        if known:
            obj["created"], obj["modified"] = _moment(known[0]), _moment(known[1])
    return data


def tombstone(url, record):
    """What stays of a deleted object at its URL: its id, type and times, and `deleted`."""
    return {
        "id": url,
        "type": type_url(record.type),
        "created": _moment(record.created),
        "modified": _moment(record.modified),
        "deleted": True,
    }


def deleted_record(kind, key):
    return ApiRecord.objects.filter(kind=kind, key=key, deleted=True).first()
