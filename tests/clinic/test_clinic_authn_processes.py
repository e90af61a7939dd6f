"""Two server processes, one database: a login lockout made through one holds on the other, and a session ended
through one (log out; deactivation by the clinic admin) is ended on the other.

Starts two `sciatica-care serve` processes (waitress) on 127.0.0.1, on one fresh PostgreSQL database when
DATABASE_URL names PostgreSQL (a database of its own on that server, dropped at the end), else on one SQLite data
folder. Bounded in time.
"""

from __future__ import annotations

import base64
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clinic_fixtures import fresh_postgres_database
from django_otp.oath import totp
from test_clinic_crash import Server, clean_env, run

pytestmark = [pytest.mark.slow]

PASSWORD = "a-long-enough-passphrase"  # noqa: S105 - test data


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Cookies kept by hand (the session cookie is Secure, which a cookie jar would not send over http)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, base: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": base + path}
        if data is not None and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        req = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310 - loopback
        try:
            response = self.opener.open(req, timeout=15)
            status, text, location = response.status, response.read().decode(), ""
            got = response.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as exc:
            status, text, location = exc.code, exc.read().decode(), exc.headers.get("Location", "")
            got = exc.headers.get_all("Set-Cookie") or []
        for cookie in got:
            name, _, value = cookie.split(";")[0].partition("=")
            if value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, text, location

    def form(self, base: str, path: str) -> str:
        status, text, _ = self.request(base, path)
        assert status == 200, (path, status)
        return text

    def login(self, base: str, username: str, password: str = PASSWORD) -> int:
        self.form(base, "/login/")
        return self.request(base, "/login/", {"username": username, "password": password})[0]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of both servers: one fresh PostgreSQL database, or one SQLite data folder."""
    env = clean_env(tmp_path / "clinic")
    with fresh_postgres_database(env, "sc_twoproc") as chosen:
        yield chosen


def _servers(tmp_path: Path, env: dict[str, str]) -> tuple[Server, Server]:
    import test_clinic_crash

    original = test_clinic_crash.clean_env
    test_clinic_crash.clean_env = lambda data_dir: env  # type: ignore[assignment]
    try:
        return Server(tmp_path / "clinic", tmp_path / "one.log"), Server(tmp_path / "clinic", tmp_path / "two.log")
    finally:
        test_clinic_crash.clean_env = original


def _run(env: dict[str, str], tmp_path: Path, *args: str, stdin: str = "") -> str:
    import test_clinic_crash

    original = test_clinic_crash.clean_env
    test_clinic_crash.clean_env = lambda data_dir: env  # type: ignore[assignment]
    try:
        return run(args[0], tmp_path / "clinic", *args[1:], stdin=stdin)
    finally:
        test_clinic_crash.clean_env = original


def _enrol(browser: Browser, base: str) -> None:
    """The clinic admin's first sign-in: set up the authenticator from the key the page shows."""
    page = browser.form(base, "/account/second-factor/")
    key = re.search(r'class="otp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")  # type: ignore[union-attr]
    raw = base64.b32decode(key + "=" * (-len(key) % 8))
    code = str(totp(raw)).zfill(6)
    status, text, _ = browser.request(base, "/account/second-factor/", {"token": code, "next": "/patients/"})
    assert status == 200, text[:500]
    assert "recovery codes" in text


def test_lockout_and_session_revocation_hold_across_two_processes(tmp_path: Path,
                                                                   database: dict[str, str]) -> None:
    started = time.monotonic()
    for user, role in (("owner", "clinic_admin"), ("prac", "practitioner"), ("other", "practitioner")):
        _run(database, tmp_path, "createuser", "--username", user, "--role", role, "--clinic", "Riverside",
             "--password-stdin", stdin=PASSWORD + "\n")
    one, two = _servers(tmp_path, database)
    try:
        one.wait_ready()
        two.wait_ready()
        # A lockout made through one process holds on the other.
        for _ in range(5):
            assert Browser().login(one.base, "PRAC ", "wrong") in (200, 429)
        assert Browser().login(two.base, "prac") == 429
        assert Browser().login(two.base, "other") == 302  # the pair is locked, not the address

        # A session works on both; logging out through one ends it on the other.
        other = Browser()
        assert other.login(one.base, "other") == 302
        assert other.request(two.base, "/patients/")[0] == 200
        other.request(one.base, "/logout/", {})
        status, _, location = other.request(two.base, "/patients/")
        assert status == 302
        assert "/login/" in location

        # Deactivation through one process ends the person's session on the other.
        _run(database, tmp_path, "createuser", "--username", "prac2", "--role", "practitioner", "--clinic",
             "Riverside", "--password-stdin", stdin=PASSWORD + "\n")
        prac = Browser()
        assert prac.login(two.base, "prac2") == 302
        assert prac.request(one.base, "/patients/")[0] == 200
        owner = Browser()
        assert owner.login(one.base, "owner") == 302
        _enrol(owner, one.base)
        staff = owner.form(two.base, "/staff/")  # the admin's verified session holds on the other process too
        pk = re.search(r'href="/staff/(\d+)/">[^<]*[Pp]rac2', staff)
        pk = pk or re.search(r'href="/staff/(\d+)/"[^>]*>\s*prac2', staff)
        assert pk, staff[:2000]
        detail = owner.form(one.base, f"/staff/{pk.group(1)}/")
        version = re.search(r'/deactivate/".*?name="version" value="(\d+)"', detail, re.S)
        assert version is not None
        status, _, _ = owner.request(one.base, f"/staff/{pk.group(1)}/deactivate/", {"version": version.group(1)})
        assert status == 302
        status, _, location = prac.request(two.base, "/patients/")
        assert status == 302
        assert "/login/" in location
        assert prac.login(two.base, "prac2") != 302
    finally:
        one.stop()
        two.stop()
    assert time.monotonic() - started < 240
