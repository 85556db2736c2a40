"""Doing in the browser what a person does: sign in, keep a screenshot of a page."""

import os
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def log_in(page, username, password=PASSWORD):
    """Sign in through the admin's login page, as a person types it."""
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def screenshot(page, name):
    """A full-page PNG in docs/screenshots/, only when SAVE_SCREENSHOTS=1 (so that a normal
    run leaves the git tree clean)."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / name, full_page=True)
