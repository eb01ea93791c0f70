"""`fedicom doctor`'s SMTP check talks to a real SMTP server (aiosmtpd on loopback) as notification emails
do, connect, EHLO, STARTTLS and login, and sends no email."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from fedicom.doctor import check_smtp, run_checks
from fedicom.settings import Settings, load_settings
from tests.deploy.webservers import self_signed
from tests.notifications.conftest import Smtp

USER, PASSWORD = "fedicom", "a mail password"


def settings_for(tmp_path: Path, smtp: Smtp, **changes: Any) -> Settings:
    return load_settings(data_dir=tmp_path / "data", dev=True, **{**smtp.settings(), **changes})


def accept_fedicom(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=good, handled=False)  # not handled: aiosmtpd answers 535 itself


def start(smtp: Smtp, **options: Any) -> None:
    smtp.controller = Controller(smtp.mailbox, hostname="127.0.0.1", port=smtp.port, **options)
    smtp.controller.start()


async def test_a_plain_relay_answers_and_no_email_is_sent(smtp: Smtp, tmp_path: Path) -> None:
    smtp.start()
    [result] = await run_checks(settings_for(tmp_path, smtp), only={"smtp"})
    assert result.status == "ok", result
    assert result.summary == f"127.0.0.1:{smtp.port} (none): EHLO answered; no email was sent"
    assert smtp.mailbox.messages == []


async def test_a_server_that_is_down_fails_with_the_settings_to_check(smtp: Smtp, tmp_path: Path) -> None:
    result = await check_smtp(settings_for(tmp_path, smtp))
    assert result.status == "fail"
    assert result.summary.startswith(f"cannot use the SMTP server 127.0.0.1:{smtp.port}: ")
    assert "FEDICOM_SMTP_PORT" in result.fix


async def test_login_is_checked(smtp: Smtp, tmp_path: Path) -> None:
    start(smtp, authenticator=accept_fedicom, auth_require_tls=False)
    good = await check_smtp(settings_for(tmp_path, smtp, smtp_username=USER, smtp_password=PASSWORD))
    assert good.status == "ok" and good.summary.endswith(
        "EHLO answered, logged in as fedicom; no email was sent"
    )
    bad = await check_smtp(settings_for(tmp_path, smtp, smtp_username=USER, smtp_password="wrong"))
    assert bad.status == "fail" and bad.summary.startswith(
        f"127.0.0.1:{smtp.port} refused the login of fedicom: 535"
    )
    assert bad.fix == "check FEDICOM_SMTP_USERNAME and FEDICOM_SMTP_PASSWORD"


async def test_starttls_is_required_and_its_certificate_verified(
    smtp: Smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp.start()  # no STARTTLS offered
    plain = await check_smtp(settings_for(tmp_path, smtp, smtp_security="starttls"))
    assert plain.status == "fail" and plain.summary == f"127.0.0.1:{smtp.port} does not offer STARTTLS"
    smtp.stop()

    cert, key = self_signed(tmp_path, "127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    start(smtp, tls_context=context, authenticator=accept_fedicom)
    settings = settings_for(
        tmp_path, smtp, smtp_security="starttls", smtp_username=USER, smtp_password=PASSWORD
    )
    untrusted = await check_smtp(settings)
    assert untrusted.status == "fail" and "CERTIFICATE_VERIFY_FAILED" in untrusted.summary

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # this machine trusts the server's authority
    trusted = await check_smtp(settings)
    assert trusted.status == "ok", trusted
    assert trusted.summary.endswith(
        "(starttls): EHLO answered, STARTTLS, logged in as fedicom; no email was sent"
    )
    assert smtp.mailbox.messages == []
