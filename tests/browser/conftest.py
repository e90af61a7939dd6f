"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

They run against the real engine. Select them with `-m browser`; in CI (CI=true) a missing Chromium or Playwright
fails the run instead of skipping it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("SCIATICA_CARE_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI") == "true"
HERE = Path(__file__).resolve().parent

if importlib.util.find_spec("django") is None:
    if IN_CI:
        raise RuntimeError("Django is not installed but CI=true: the browser tests must run in CI")
    collect_ignore_glob = ["test_*.py"]
else:
    if importlib.util.find_spec("sciatica_care") is None:
        sys.path.insert(0, str(HERE.parents[1] / "src"))
    sys.path.insert(0, str(HERE.parent / "clinic"))
    sys.path.insert(0, str(HERE.parent / "portal"))  # portal_fixtures
    sys.path.insert(0, str(HERE))  # browser_steps
    from sciatica_care.site import testenv

    testenv.configure()
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from clinic_fixtures import (  # noqa: F401
        PASSWORD,
        audit_triggers_lifted_for_flush,
        clear_cache,
        fast_hasher,
        make_staff,
        second_factor_off,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright (select with -m browser)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Any:
    problem = None
    if importlib.util.find_spec("playwright") is None:
        problem = "Playwright for Python is not installed (pip install playwright)"
    elif not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if problem:
        if IN_CI:
            pytest.fail(problem + " — required in CI", pytrace=False)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Any:
    from csp_watch import watched_page

    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    yield watched_page(context)
    context.close()


@pytest.fixture
def shots() -> Path:
    folder = HERE.parents[1] / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def practitioner(make_staff: Any) -> Any:
    """A practitioner of a fresh clinic, `dr.lin`, who logs in with the test password."""
    from sciatica_care.clinic.models import Clinic, Role

    return make_staff(Clinic.objects.create(name="Riverside"), Role.PRACTITIONER, "dr.lin")


@pytest.fixture
def course(practitioner: Any) -> dict[str, Any]:
    """A consenting patient with an open course and its first plan (from the base intake)."""
    from clinic_fixtures import base_intake

    from sciatica_care.clinic import records

    patient = records.create_patient(practitioner, first_name="Bea", last_name="Jones",
                                     date_of_birth=dt.date(1990, 2, 3), sex="female", consent_treatment=True)
    episode = records.open_episode(practitioner, patient)
    records.record_intake(practitioner, episode, base_intake())
    return {"patient": patient, "episode": episode}
