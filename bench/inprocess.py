"""What bench/pages.py and bench/scale.py share: a database of their own, and requests served in-process.

Requests go straight to Django's WSGI handler, as gunicorn's worker calls it (the full middleware
stack, the response read to its last byte and closed), with none of the test client's extras, so
the CPU a request costs is the server's alone. Cookies (the session, the CSRF token) are kept
per `Browser` as a browser keeps them.

The database, the temporary files and the environment are set up by `open_site` and undone by the
`Cleanup` it is given (bench/load.py's), whatever happens; `run_on_own_site` is a script's whole
run around it (Ctrl-C and SIGTERM included).
"""

import io
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

from load import Cleanup, _form_fields, _multipart, create_database, drop_database  # noqa: E402, F401


def open_site(cleanup, *, sqlite, pg, prefix):
    """Create a database of this process's own (PostgreSQL, or a SQLite file), set the production-like
    environment (DEBUG off, the bench URLconf with the minimal view) and start Django."""
    import shutil

    work = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    cleanup.add(f"remove {work}", lambda: shutil.rmtree(work))
    if sqlite:
        database_url, label = f"sqlite:///{work / 'db.sqlite3'}", f"SQLite ({work / 'db.sqlite3'})"
    else:
        name = f"committee_{prefix}_{os.getpid()}"
        create_database(pg, name)
        cleanup.add(f"drop the database {name}", lambda: drop_database(pg, name))
        database_url, label = f"{pg.rstrip('/')}/{name}", f"PostgreSQL ({name})"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings_load",
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "VAR_DIR": str(work),
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "LOG_LEVEL": "WARNING",
            # One connection for the whole run, so the database backend whose CPU is read stays the same.
            "CONN_MAX_AGE": "86400",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    def close_connections():
        from django.db import connections

        connections.close_all()

    cleanup.add("close the database connections", close_connections)
    return work, label


def run_on_own_site(args, *, prefix, run):
    """A benchmark's whole run: open the site (`open_site`, on `args.sqlite` or `args.pg`), call
    `run(label)`, then undo what was set up, on failure, Ctrl-C and SIGTERM too. Returns the exit
    status: 0, or 130 when interrupted."""
    cleanup = Cleanup()

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _, label = open_site(cleanup, sqlite=args.sqlite, pg=args.pg, prefix=prefix)
        run(label)
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        cleanup.run()


def sign_in(user):
    """A session for `user`, made with the session engine (a password hash is not what is measured)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.passwords.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Browser:
    """One visitor's requests through the WSGI handler, with their cookies."""

    handler = None

    def __init__(self, session=None):
        if Browser.handler is None:
            from django.core.wsgi import get_wsgi_application

            Browser.handler = get_wsgi_application()
        self.cookies = {"sessionid": session} if session else {}

    def request(self, method, url, body=b"", content_type="", headers=None):
        """Returns (status code, headers, body bytes)."""
        parts = urlsplit(url)
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": HOST,
            "HTTP_HOST": HOST,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["CONTENT_TYPE"] = content_type
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        result = self.handler(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(morsel.key, None)
                    else:
                        self.cookies[morsel.key] = morsel.value
        return answer["status"], dict(answer["headers"]), content

    def get(self, url):
        return self.request("GET", url)


def count_queries(call):
    """The number of SQL statements `call()` runs."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return count[0]


def database_backend():
    """The PostgreSQL backend process serving this connection (its pid), or None on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _process_cpu(pid):
    """CPU seconds (user + system) process `pid` has used, from /proc (a PostgreSQL backend on this machine)."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(call, *, requests, warmup, backend=None, before=None, baseline=None):
    """Per request of `call()`, over `requests` calls after `warmup`: the median CPU milliseconds of this
    process, the median wall-clock milliseconds, and the mean CPU milliseconds of the database backend
    `backend` (a pid; a mean, since the kernel counts it in clock ticks of 10 ms). `before()`, when
    given, runs before each call, untimed (its database work is in the backend's mean).

    `baseline`, when given (the minimal view), is timed BASELINE_TURNS times before each call, and the
    median of those is returned too: timed in turn with the page, it sees the machine as the page does,
    so the page's multiple of it holds while other work on the machine comes and goes."""
    for _ in range(warmup):
        if before:
            before()
        call()
    cpu, wall, base = [], [], []
    backend_before = _process_cpu(backend)
    for _ in range(requests):
        for _ in range(BASELINE_TURNS if baseline else 0):
            c0 = time.process_time()
            baseline()
            base.append((time.process_time() - c0) * 1000)
        if before:
            before()
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    database = (_process_cpu(backend) - backend_before) * 1000 / requests
    if baseline:
        return statistics.median(cpu), statistics.median(wall), database, statistics.median(base)
    return statistics.median(cpu), statistics.median(wall), database


BASELINE_TURNS = 3


class Editor:
    """An officer in the editor: opens it, then autosaves as the editor's script does: the page's own id
    with every save, so its autosaves fold into one version, the version and revision of each answer,
    and only the fields changed since the last save (here the summary, typed on), named in `_changed`,
    form-encoded (static/js/report-editor.js)."""

    def __init__(self, browser, edit_url, summary):
        self.browser, self.edit_url, self.summary = browser, edit_url, summary
        self.fields = None
        self.saves = 0

    def open(self):
        status, _, content = self.browser.get(self.edit_url)
        if status != 200:
            raise RuntimeError(f"the editor answered {status}")
        page = secrets.token_hex(16)
        self.fields = [(n, page if n == "editor_page" else v) for n, v in _form_fields(content.decode(), "report-form")]

    def autosave(self):
        if self.fields is None:
            self.open()
        self.saves += 1
        kept = {"csrfmiddlewaretoken", "version", "revision", "editor_page"}
        fields = [(name, value) for name, value in self.fields if name in kept]
        fields += [("_changed", "summary"), ("_autosave", "1")]
        # The summary's text is encoded once (urlencode quotes it byte by byte in Python: the client's
        # work, not the server's, and about a tenth of what an autosave costs the server).
        if getattr(self, "_summary_encoded", None) is None:
            self._summary_encoded = urlencode({"summary": self.summary})
        typed = self._summary_encoded + urlencode({"": f" Edit {self.saves}."})[1:]
        body, content_type = f"{urlencode(fields)}&{typed}".encode(), "application/x-www-form-urlencoded"
        headers = {"Accept": "application/json", "Origin": f"http://{HOST}"}
        status, _, content = self.browser.request("POST", self.edit_url, body, content_type, headers)
        if status != 200:
            raise RuntimeError(f"an autosave answered {status}: {content[:300]!r}")
        import json

        result = json.loads(content)
        if result.get("errors") or result.get("list_errors") or not result.get("saved"):
            raise RuntimeError(f"an autosave answered {str(result)[:300]}")
        ids = {"recommendation-id": iter(result.get("recommendation_ids") or []),
               "section-id": iter(result.get("section_ids") or [])}  # fmt: skip
        updated = []
        for name, value in self.fields:
            if name in {"version", "revision"}:
                value = str(result[name])
            elif name in ids:
                value = str(next(ids[name], value))
            updated.append((name, value))
        self.fields = updated


def query_url(path, **params):
    return f"{path}?{urlencode(params)}" if params else path
