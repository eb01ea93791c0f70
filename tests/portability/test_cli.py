"""`fedicom community export|import` as an operator runs them: the passphrase from a file or the
environment, a progress bar on stderr, one-line errors and exit status 1 for what is refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

from fedicom.activitypub.models import SigningKey
from fedicom.groups.models import Group
from tests.support.cli import DOMAIN, Run, in_db


def test_export_with_the_key_and_import_under_another_name(
    migrated: Run, env: dict[str, str], tmp_path: Path
) -> None:
    assert migrated("community", "create", "news", "--title", "News").exit_code == 0
    secret = tmp_path / "phrase.txt"
    secret.write_text("a long passphrase\n")
    archive = tmp_path / "news.zip"

    exported = migrated(
        "community", "export", "news", "--to", str(archive), "--with-keys", "--passphrase-file", str(secret)
    )
    assert exported.exit_code == 0, exported.output
    assert f"Exported news with its key (sealed) to {archive}" in exported.output
    with zipfile.ZipFile(archive) as zipped:
        assert "key.json" in zipped.namelist()

    wrong = migrated(
        "community", "import", str(archive), "--as", "news2", FEDICOM_ARCHIVE_PASSPHRASE="not it"
    )
    assert wrong.exit_code == 1
    assert "Error: the passphrase does not open the community's key in this archive" in wrong.output

    done = migrated(
        "community", "import", str(archive), "--as", "news2", FEDICOM_ARCHIVE_PASSPHRASE="a long passphrase"
    )
    assert done.exit_code == 0, done.output
    assert (
        f"Imported http://{DOMAIN}/c/news as @news2@{DOMAIN}" in done.output and "all checked" in done.output
    )

    async def keys() -> dict[str, str]:
        assert (await Group.get(name="news2")).title == "News"
        return {k.owner: k.private_pem for k in await SigningKey.all()}

    found = in_db(env, keys)
    assert found[f"http://{DOMAIN}/c/news2"] == found[f"http://{DOMAIN}/c/news"]


def test_a_damaged_or_foreign_file_is_refused_in_one_line(migrated: Run, tmp_path: Path) -> None:
    assert migrated("community", "create", "news").exit_code == 0
    archive = tmp_path / "news.zip"
    assert migrated("community", "export", "news", "--to", str(archive)).exit_code == 0
    assert migrated("community", "import", str(archive)).output.strip() == (
        "Error: a community named news already exists here: import it under another name"
    )
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zipped:
        zipped.writestr("manifest.json", '{"format": "something else"}')
    refused = migrated("community", "import", str(other))
    assert refused.exit_code == 1
    assert refused.output.strip() == "Error: this file is not a fedicom community archive"
    assert migrated("community", "export", "nobody", "--to", str(tmp_path / "x.zip")).exit_code == 1
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / ".x.zip.partial").exists()
