"""bin/backup and bin/restore: everything out of one PostgreSQL database and its files, into an
empty one, and nothing lost: every table row for row (reports, their version history, sign-offs,
appendices), every sequence, every file byte for byte."""

import hashlib
import os
import re
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from reports.models import Report
from tests.editor import editor_data
from tests.test_uploads import pdf_bytes

ROOT = Path(__file__).resolve().parents[1]


def run(script, *args, database=None, media=None, check=True):
    """Run a bin/ script as an operator would: a clean environment holding the app's settings."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "HOME": os.environ.get("HOME", "/root"),
    }
    if database:
        env["DATABASE_URL"] = database
    if media:
        env["MEDIA_ROOT"] = str(media)
    result = subprocess.run(
        [ROOT / "bin" / script, *map(str, args)], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_it_refuses_to_back_up_sqlite(tmp_path):
    result = run("backup", tmp_path / "backup", check=False)
    assert result.returncode == 1
    assert "DATABASE_URL is not PostgreSQL" in result.stderr
    assert not (tmp_path / "backup").exists()


def test_it_needs_a_directory(tmp_path):
    assert run("backup", check=False).returncode == 2
    assert "usage: restore DIR" in run("restore", check=False).stderr


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
class TestRoundTrip:
    @pytest.fixture(autouse=True)
    def _postgres_only(self):
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: pg_dump and pg_restore")

    @pytest.fixture
    def source(self, demo, login):
        """The demo council, plus an uploaded appendix, an edited draft and a stored report PDF."""
        client = login(demo.officer)
        upload = SimpleUploadedFile("plan.pdf", pdf_bytes(pages=2), content_type="application/pdf")
        response = client.post(f"/reports/{demo.draft.pk}/appendices/", {"title": "The plan", "file": upload})
        assert response.status_code == 302
        draft = Report.objects.get(pk=demo.draft.pk)
        client.post(
            f"/reports/{draft.pk}/edit/", editor_data(version=draft.version, subject=draft.subject, summary="v2")
        )
        seed = demo.seed
        seed.pdf_file.save("seed.pdf", ContentFile(pdf_bytes(pages=3)), save=False)
        seed.save(update_fields=["pdf_file"])
        return demo

    @pytest.fixture
    def empty_database(self):
        name = f"restore_{os.getpid()}"
        admin = self.connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    @staticmethod
    def connect(name):
        db = connection.settings_dict
        return psycopg2.connect(
            dbname=name, host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None
        )

    @staticmethod
    def url(name):
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"

    @staticmethod
    def contents(conn):
        """Every table's rows (as text, sorted) and every sequence's position."""
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            tables = [row[0] for row in cursor.fetchall()]
            rows = {}
            for table in tables:
                cursor.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
                )
                rows[table] = cursor.fetchone()
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
            sequences = dict(cursor.fetchall())
        return rows, sequences

    @staticmethod
    def files(root):
        return {
            str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in Path(root).rglob("*")
            if path.is_file()
        }

    def test_it_restores_everything_into_an_empty_database(self, source, empty_database, tmp_path):
        source_name = connection.settings_dict["NAME"]
        backup = tmp_path / "backup"
        result = run("backup", backup, database=self.url(source_name), media=settings.MEDIA_ROOT)
        assert "Backup written to" in result.stdout
        assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "backup.txt", "database.dump", "media.tar"]
        assert oct(backup.stat().st_mode & 0o777) == "0o700"

        restored_media = tmp_path / "restored-media"
        result = run("restore", backup, database=self.url(empty_database), media=restored_media)
        referred = re.search(r"(\d+) files referred to, 0 missing", result.stdout)
        assert referred and int(referred[1]) >= 2, result.stdout

        original, restored = self.connect(source_name), self.connect(empty_database)
        try:
            (rows_before, sequences_before), (rows_after, sequences_after) = (
                self.contents(original),
                self.contents(restored),
            )
            with restored.cursor() as cursor:
                cursor.execute("SELECT file FROM reports_appendix")
                appendix_files = [row[0] for row in cursor.fetchall()]
                cursor.execute("SELECT pdf_file FROM reports_report WHERE pdf_file <> ''")
                report_files = [row[0] for row in cursor.fetchall()]
        finally:
            original.close()
            restored.close()

        assert rows_after == rows_before
        assert sequences_after == sequences_before
        for table in ["reports_report", "reports_historicalreport", "reports_signoff", "reports_appendix",
                      "reports_historicalappendix", "reports_reportevent", "accounts_user"]:  # fmt: skip
            assert rows_after[table][0] > 0, f"{table} is empty: the test proves nothing about it"
        assert rows_after["reports_historicalreport"][0] > rows_after["reports_report"][0]  # versions, not just rows

        assert self.files(restored_media) == self.files(settings.MEDIA_ROOT)
        assert len(appendix_files) == 1 and len(report_files) == 1
        for name in appendix_files + report_files:
            assert (restored_media / name).read_bytes() == (Path(settings.MEDIA_ROOT) / name).read_bytes()

    def test_it_never_restores_over_existing_data(self, source, tmp_path):
        backup = tmp_path / "backup"
        run("backup", backup, database=self.url(connection.settings_dict["NAME"]), media=settings.MEDIA_ROOT)
        result = run(
            "restore", backup, database=self.url(connection.settings_dict["NAME"]), media=tmp_path / "m", check=False
        )
        assert result.returncode == 1
        assert "restore into an empty database" in result.stderr

    def test_it_refuses_a_damaged_backup(self, source, empty_database, tmp_path):
        backup = tmp_path / "backup"
        run("backup", backup, database=self.url(connection.settings_dict["NAME"]), media=settings.MEDIA_ROOT)
        with open(backup / "media.tar", "r+b") as archive:
            archive.seek(600)
            archive.write(b"X")
        result = run("restore", backup, database=self.url(empty_database), media=tmp_path / "m", check=False)
        assert result.returncode == 1
        assert "its checksums do not match" in result.stderr
        conn = self.connect(empty_database)
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert cursor.fetchone()[0] == 0
        conn.close()

    def test_it_refuses_to_back_up_into_a_directory_in_use(self, source, tmp_path):
        (tmp_path / "backup").mkdir()
        (tmp_path / "backup" / "something").write_text("x")
        result = run("backup", tmp_path / "backup", database=self.url(connection.settings_dict["NAME"]), check=False)
        assert result.returncode == 1 and "is not empty" in result.stderr
