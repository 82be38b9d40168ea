"""Browser tests: the real app served by uvicorn on loopback, driven in headless Chromium.

The server runs in a thread on its own database (`synth_browser` on the test run's embedded
PostgreSQL), seeded once per run through the real services (tests/browser/seed.py) and
committed, since a browser's requests cannot join a test's rolled-back transaction. Chromium
is Debian's (`/usr/bin/chromium`, installed by .ci/run), driven by Playwright's Python API;
Playwright's own browser download is never used.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from synth.api.app import create_app
from synth.auth.models import Role
from synth.bootstrap import prepare
from synth.config import get_settings
from synth.db import engine as db_engine
from synth.db.engine import make_engine, recreate_database, session_factory
from synth.people.models import Person
from tests.browser.seed import Seeded, seed
from tests.embedders import minilm
from tests.factories import token

CHROMIUM = os.environ.get("SYNTH_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / "test-output" / "screenshots"
# Flags for a sandbox with no network: without the background-networking ones Chromium
# keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_DATABASE = "synth_browser"


@dataclass
class Live:
    """The running app: its URL, what was seeded, and keys made on demand."""

    url: str
    seed: Seeded
    engine: Engine

    def key(self, role: Role, person: Person | None = None) -> str:
        """A new API key's token for `role` (bound to `person`)."""
        with session_factory(self.engine)() as db:
            made = token(db, role, person)
            db.commit()
            return made


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _seeded_engine(engine: Engine) -> tuple[Engine, Seeded]:
    """A fresh, migrated database on the test server, seeded (the eval runs the seed makes
    need SYNTH_DATABASE_URL to find that server)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        get_settings.cache_clear()
        db_engine.get_engine.cache_clear()
        try:
            browser_engine = make_engine(recreate_database(BROWSER_DATABASE))
            prepare(browser_engine)
            return browser_engine, seed(browser_engine, minilm())
        finally:
            get_settings.cache_clear()
            db_engine.get_engine.cache_clear()


@pytest.fixture(scope="session")
def live(engine: Engine) -> Iterator[Live]:
    browser_engine, seeded = _seeded_engine(engine)
    app = create_app(browser_engine, embedder=minilm())
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="browser-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield Live(url=f"http://127.0.0.1:{port}", seed=seeded, engine=browser_engine)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        browser_engine.dispose()


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Browser]:
    """Chromium for one test module. Playwright's sync API holds an event loop marked as
    running in this thread while it lives, which any other `run_until_complete` here (the
    eval suite's, in the seed and in later test files) would trip over: so it starts after
    the seed (`live`) and stops at the end of each browser module."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's `chromium` (see .ci/run)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page per test; console errors fail it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    # A refused page logs its 403/404 as a failed resource load: that is the point of it.
    real = [e for e in errors if "Failed to load resource" not in e]
    assert not real, f"the page logged errors: {real}"


def sign_in(page: Page, live: Live, token: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{live.url}/app/sign-in")
    page.get_by_label("API key").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shot(page: Page, name: str) -> Path:
    """Keep a screenshot of the whole page under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
