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


def open_from_navigation(page, name):
    """Follow the admin link `name` as staff would: the lists start with Django's navigation
    sidebar closed on a laptop (vouchers/static/vouchers/lists.js), so open it first when the
    link is not on screen."""
    link = page.get_by_role("link", name=name, exact=True).first
    if not link.is_visible():
        page.locator("#toggle-nav-sidebar").click()
    link.click()
