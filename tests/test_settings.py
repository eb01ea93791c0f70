"""Settings are validated at start with one line naming the bad setting, and all are documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedicom.errors import ConfigError
from fedicom.settings import Settings, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
S3 = {
    "media_store": "s3",
    "s3_endpoint": "http://s3",
    "s3_bucket": "b",
    "s3_access_key": "k",
    "s3_secret_key": "s",
}


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    for name in Settings.model_fields:
        assert f"`FEDICOM_{name.upper()}`" in text, name


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"domain": "bad domain"}, "FEDICOM_DOMAIN"),
        ({"base_url": "ftp://x.example", "dev": True}, "FEDICOM_BASE_URL"),
        ({"base_url": "http://x.example"}, "FEDICOM_BASE_URL"),
        ({"database_url": "mysql://x"}, "FEDICOM_DATABASE_URL"),
        ({"delivery": "sometimes"}, "FEDICOM_DELIVERY"),
        ({"delivery_concurrency": 0}, "FEDICOM_DELIVERY_CONCURRENCY"),
        ({"media_store": "nfs"}, "FEDICOM_MEDIA_STORE"),
        ({"media_store": "s3"}, "FEDICOM_S3_ENDPOINT must be set when FEDICOM_MEDIA_STORE is s3"),
        (
            {"media_store": "s3", "s3_endpoint": "http://s3", "s3_bucket": "b", "s3_access_key": "k"},
            "FEDICOM_S3_SECRET_KEY must be set",
        ),
        (
            {**S3, "s3_endpoint": "s3.example:9000"},
            "FEDICOM_S3_ENDPOINT must be an http or https URL",
        ),
    ],
)
def test_a_bad_setting_is_named_in_one_line(tmp_path: Path, overrides: dict, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(data_dir=tmp_path, **overrides)
    assert named in err.value.reason and "\n" not in err.value.reason


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path, dev=True).secret_key
    assert len(first) > 40
    assert load_settings(data_dir=tmp_path, dev=True).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_base_url_defaults_from_domain(tmp_path: Path) -> None:
    assert load_settings(data_dir=tmp_path, domain="c.example").base_url == "https://c.example"
    assert (
        load_settings(data_dir=tmp_path, domain="localhost:8000", dev=True).base_url
        == "http://localhost:8000"
    )


def test_environment_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEDICOM_DOMAIN", "brand.example")
    monkeypatch.setenv("FEDICOM_BASE_URL", "https://community.brand.example")
    s = load_settings(data_dir=tmp_path)
    assert (s.domain, s.web_host) == ("brand.example", "community.brand.example")
