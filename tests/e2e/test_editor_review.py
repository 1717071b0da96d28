"""An editor opens the disagreement queue, filters it, opens the most disputed title, returns an
answer to its tagger in place (htmx), edits the pre-filled consensus and adjudicates."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from catalog.models import CanonicalTags, OutboxEvent
from tagging.models import Tagging
from tests.conftest import PASSWORD
from tests.tagging.review_support import make_title, review_codebook, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _world(make_user):
    review_codebook()
    taggers = [make_user(Role.TAGGER, username=name) for name in ("ana", "ben", "chloe")]
    calm = make_title("Calm Waters")
    fight = make_title("Night of the Long Knives")
    for t in taggers:
        submit(calm, t, {"violence": 1, "tone": ["sincere"], "period": "present"})
    submit(
        fight,
        taggers[0],
        {"violence": 2, "tone": ["quirky"], "period": "past"},
        notes="Fight at <b>1:02</b>",
        evidence={"violence": [{"value": 2, "seconds": 3720}]},
    )
    submit(fight, taggers[1], {"violence": 5, "tone": ["irreverent"], "period": "past"})
    submit(fight, taggers[2], {"violence": 4, "tone": ["irreverent", "dark"], "period": "future"})
    return fight


def test_editor_adjudicates_from_the_disagreement_queue(
    page, live_server, login, screenshot, make_user
):
    fight = _world(make_user)
    editor = make_user(Role.EDITOR)
    login(editor.username, PASSWORD)
    assert page.url.endswith("/tagging/review/")
    rows = page.locator("#queue tbody tr")
    assert rows.first.inner_text().startswith("Night of the Long Knives")
    page.wait_for_selector("#agreement svg.chart")  # fetched after the page when not cached yet
    screenshot("editor-review-home")

    # htmx filter: rank by violence only, in place.
    page.select_option("select[name=dimension]", "violence")
    page.wait_for_load_state("networkidle")
    assert "Night of the Long Knives" in page.locator("#queue tbody tr").first.inner_text()

    page.click("text=Night of the Long Knives")
    page.wait_for_load_state("networkidle")
    assert (
        "Fight at <b>1:02</b>" in page.locator(".notes").first.inner_text()
    )  # escaped, shown as text
    # the proposal: median 4 for violence, majority "past", per-tag majority "irreverent"
    assert page.locator("select[name=v-violence]").input_value() == "4"
    assert "@ 1:02:00" in page.locator(".pin").first.inner_text()  # ana's evidence timestamp
    assert page.locator("select[name=v-period]").input_value() == "past"
    assert page.locator("input[name=v-tone][value=irreverent]").is_checked()
    assert not page.locator("input[name=v-tone][value=quirky]").is_checked()
    screenshot("editor-review-title")

    # Return chloe's answer with a comment, without leaving the page.
    chloe = Tagging.objects.get(title=fight, tagger__username="chloe")
    card = page.locator(f"#returned-{chloe.pk}")
    card.locator("summary").click()
    card.locator("textarea[name=comment]").fill("Is it really set in the future?")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(f"#returned-{chloe.pk} .badge-warn")
    chloe.refresh_from_db()
    assert chloe.status == Tagging.Status.RETURNED

    # Edit the proposal and adjudicate.
    page.select_option("select[name=v-violence]", "5")
    page.fill("input[name=reason]", "Stabbing scene at 1:02")
    outbox_before = OutboxEvent.objects.count()
    page.click("button[value=adjudicate]")
    page.wait_for_load_state("networkidle")
    assert "Canonical tags saved" in page.locator(".messages").inner_text()
    canonical = CanonicalTags.objects.get(title=fight)
    assert canonical.values["violence"] == 5
    assert canonical.source == "adjudicated"
    assert OutboxEvent.objects.count() == outbox_before + 1
    screenshot("editor-review-adjudicated")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("editor-review-title-390")


def test_editor_pages_render_in_a_narrow_window(page, live_server, login, screenshot, make_user):
    _world(make_user)
    editor = make_user(Role.EDITOR)
    page.set_viewport_size({"width": 390, "height": 844})
    login(editor.username, PASSWORD)
    for path, name in [
        ("/tagging/review/", "review"),
        ("/tagging/review/taggers/", "taggers"),
        ("/tagging/review/taxonomy/", "taxonomy"),
        ("/tagging/review/planning/", "planning"),
        ("/tagging/review/taxonomy/confusion/", "confusion"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").first.is_visible()
        # nothing wider than the screen except inside scrollable tables/charts
        assert page.evaluate("document.documentElement.scrollWidth") <= 392
        screenshot(f"editor-{name}-390")
