"""Each role signs in through the real login form in Chromium and lands on its own page."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANDINGS = {
    Role.TAGGER: ("/tagging/queue/", "My queue"),
    Role.EDITOR: ("/tagging/review/", "Review"),
    Role.SUBSCRIBER: ("/for-you/", "For you"),
    Role.OPERATOR: ("/operations/", "Operations"),
}


@pytest.mark.parametrize("role", list(LANDINGS))
def test_role_signs_in_and_lands_on_its_home_page(
    page, live_server, login, screenshot, make_user, role
):
    user = make_user(role)
    login(user.username, PASSWORD)
    path, heading = LANDINGS[role]
    assert page.url == f"{live_server.url}{path}"
    assert heading in page.locator("h1").first.inner_text()
    assert page.locator(".whoami").inner_text() == user.username
    screenshot(f"landing-{role.value}")


def test_login_page_rejects_a_bad_password(page, live_server, make_user, screenshot):
    user = make_user(Role.TAGGER)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "wrong")
    page.click("main button[type=submit]")
    assert page.locator(".form-error").is_visible()
    screenshot("login-error")
