"""Fixtures for checks of the built website: a local HTTP server and headless Chromium."""

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# MathJax comes from a CDN on the live site; the test machine is offline, so the page's
# requests for it are answered from the npm package `make test-site` installs here.
MATHJAX = ROOT / ".venv" / "mathjax" / "node_modules" / "mathjax"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make book` first (make test does)")
    return HTML


@pytest.fixture(scope="session")
def server(site):
    """Serve the built site on a free loopback port for the session."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _route(route):
    """MathJax from the local copy; every other off-site request is refused quietly."""
    url = route.request.url
    if url.startswith(MATHJAX_CDN):
        local = MATHJAX / url[len(MATHJAX_CDN) :].split("?")[0]
        if local.is_file():
            return route.fulfill(path=str(local))
    return route.fulfill(status=204, body="")


@pytest.fixture(scope="session")
def browser_context(browser):
    if not (MATHJAX / "es5" / "tex-mml-chtml.js").exists():
        pytest.fail(
            f"MathJax not found in {MATHJAX}: run `make test-site`, which installs it"
        )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(lambda url: not url.startswith("http://127.0.0.1"), _route)
    yield context
    context.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
