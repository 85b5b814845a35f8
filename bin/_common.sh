# Shared by bin/backup and bin/restore (sourced, not run): the project's Python, and the settings
# the app itself would use, read from the same environment, as shell variables.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

# Sets PG* (so that no password appears on a command line), MEDIA_ROOT and S3_BUCKET.
load_settings() {
  local out
  out=$(cd "$ROOT" && "$PYTHON" - <<'PY'
import os
import shlex

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.conf import settings

db = settings.DATABASES["default"]
print(f"DB_ENGINE={shlex.quote(db['ENGINE'])}")
for key, var in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")]:
    if db.get(key):
        print(f"export {var}={shlex.quote(str(db[key]))}")
if db.get("OPTIONS", {}).get("sslmode"):
    print(f"export PGSSLMODE={shlex.quote(db['OPTIONS']['sslmode'])}")
print(f"MEDIA_ROOT={shlex.quote(str(settings.MEDIA_ROOT))}")
print(f"S3_BUCKET={shlex.quote(getattr(settings, 'S3_BUCKET', ''))}")
PY
  ) || die "could not read the settings: run this with the app's environment (DATABASE_URL, SECRET_KEY, ...)"
  eval "$out"
  [ "$DB_ENGINE" = "django.db.backends.postgresql" ] ||
    die "DATABASE_URL is not PostgreSQL ($DB_ENGINE); for the SQLite first-run default, copy var/ with the app stopped"
}
