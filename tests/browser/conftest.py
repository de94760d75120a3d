"""Browser tests: Chromium through Playwright against pytest-django's live server.

- Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`); Playwright cannot
  download a browser here. Without it the browser tests are skipped — unless
  PUSTAKA_REQUIRE_BROWSER=1 (CI sets it), when each of them fails and says why.
- Every page a test visits is checked with axe-core (`helpers.assert_accessible`): no violation
  of impact "serious" or "critical" may remain.
- Screenshots go to test-artifacts/screenshots/ (git-ignored) for a person to look at.
- The helpers (axe check, screenshots) are in helpers.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make (fixtures,
# reading a TOTP device) would otherwise raise SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A test waits at most this long for a page or an element; the pages are local and small.
TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return os.environ.get("PUSTAKA_REQUIRE_BROWSER", "") == "1"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture (the session's browser included) is set up: no Chromium, no test."""
    if item.get_closest_marker("browser") is None or CHROMIUM.exists():
        return
    if _browser_required():
        pytest.fail(
            f"PUSTAKA_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: a browser test may not be "
            "skipped here. Install Chromium (apt-get install -y chromium).",
            pytrace=False,
        )
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install -y chromium); PUSTAKA_REQUIRE_BROWSER unset"
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser as it comes: English (Accept-Language en-US), a laptop-sized window.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


@pytest.fixture
def site(live_server):
    """site("/hours/") -> the live server's absolute URL for that path."""

    def url(path: str = "/") -> str:
        return live_server.url + path

    return url
