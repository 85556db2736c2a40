"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: Chromium is `/usr/bin/chromium` (`apt-get install chromium`);
without it every browser test is skipped with that message.
"""

from pathlib import Path

import pytest

from tests.worker import start_worker, stop_worker

CHROMIUM = Path("/usr/bin/chromium")
# No network here: without the background-networking flags Chromium's own connections (updates,
# sync, QUIC probes) are refused and slow everything down.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the package's tests, closed after the last one."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium) "
            "to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes Django's
    # ORM refuse to run from the tests' own code; only while the browser is up.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


# Records every Content-Security-Policy violation of every page the test visits: into the page
# (window.cspViolations, read at the end) and, as it happens, to the test (before the page is
# left for the next one).
CSP_LISTENER = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    page: event.documentURI,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: `${event.sourceFile}:${event.lineNumber}`,
  };
  window.cspViolations.push(violation);
  window.reportCspViolation?.(violation);
}, true);
"""


@pytest.fixture
def csp_violations():
    """The CSP violations seen so far on our pages; the `page` fixture fails the test on any."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    """A fresh browser profile (no cookies) on the live server, 1280×800, failing the test if
    any of our pages breaks its Content-Security-Policy (the sandbox's pages are not ours)."""
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True
    )
    context.set_default_timeout(10_000)

    def record(violation):
        if violation["page"].startswith(live_server.url) and violation not in csp_violations:
            csp_violations.append(violation)

    context.expose_function("reportCspViolation", record)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    yield page
    if not page.is_closed() and page.url.startswith(live_server.url):
        for violation in page.evaluate("window.cspViolations || []"):
            record(violation)
    context.close()
    assert csp_violations == [], f"Content-Security-Policy violations: {csp_violations}"


@pytest.fixture
def worker(sandbox, tmp_path):
    """A real `manage.py db_worker` on the test database, pointed at this test's sandbox."""
    log = tmp_path / "worker.log"
    process = start_worker(log)
    yield process
    stop_worker(process)
    print(f"--- worker log ({log})\n{log.read_text(errors='replace')}")  # shown on failure
