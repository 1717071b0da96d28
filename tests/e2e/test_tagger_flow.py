"""A tagger in Chromium: queue, "Next title", tagging with mouse and keyboard, autosave that
survives a reload, submit, the read-only submitted state — at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

from accounts.roles import Role
from tagging.models import Assignment, Tagging
from tests.catalog.factories import TitleFactory
from tests.conftest import PASSWORD
from tests.tagging.factories import load_default_codebook

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(make_user):
    load_default_codebook()
    tagger = make_user(Role.TAGGER)
    queued = TitleFactory(
        title="The Quiet Harbour",
        year=2019,
        runtime_minutes=104,
        synopsis="A retired lighthouse keeper takes in a runaway and the town starts talking.",
    )
    Assignment.objects.create(title=queued, tagger=tagger, priority=2)
    pool = TitleFactory(
        title="Night Train to Lyon", year=1987, synopsis="Strangers, a stolen letter, one night."
    )
    return tagger, queued, pool


def test_tagger_tags_a_title_with_mouse_and_keyboard_and_submits(
    page, live_server, login, screenshot, setup
):
    tagger, queued, _pool = setup
    page.set_viewport_size({"width": 1280, "height": 900})
    login(tagger.username, PASSWORD)
    assert page.url.endswith("/tagging/queue/")
    assert "The Quiet Harbour" in page.locator("table").inner_text()
    screenshot("tagger-queue-1280")

    page.click("#next-title")
    page.wait_for_url(re.compile(rf"/tagging/tag/{queued.pk}/$"))
    assert page.locator("h1").inner_text().startswith("The Quiet Harbour")

    # mouse: genres and tones are chips
    page.click("label[for=o-genre-drama]")
    page.click("label[for=o-tone-sincere]")
    # hovering a level shows its anchor
    page.hover("label[for=o-violence-3]")
    assert "Strong" in page.locator("[data-hint-for=violence]").inner_text()
    # keyboard: focus the violence scale, type the level; j moves to the next field
    page.focus("#o-violence-0")
    page.keyboard.press("2")
    page.keyboard.press("j")
    page.keyboard.press("0")
    page.keyboard.press("j")
    page.keyboard.press("1")
    assert page.is_checked("#o-violence-2")
    assert page.is_checked("#o-sex-0")
    assert page.is_checked("#o-language-1")
    assert "Moderate" in page.locator("[data-hint-for=violence]").inner_text()
    page.fill("#notes", "<b>calm</b> film")

    # autosave: the save-state shows "Saved hh:mm:ss" and the version moves on
    page.wait_for_selector("#save-state.save-saved", timeout=10_000)
    page.wait_for_function(
        "() => !document.querySelector('#save-state').classList.contains('save-dirty')"
    )
    page.wait_for_timeout(1500)  # let the last debounce flush
    page.wait_for_selector("#save-state.save-saved")
    assert re.search(r"Saved \d\d:\d\d:\d\d", page.locator("#save-state").inner_text())
    tagging = Tagging.objects.get(tagger=tagger, title=queued)
    assert tagging.values == {
        "genre": ["drama"],
        "tone": ["sincere"],
        "violence": 2,
        "sex": 0,
        "language": 1,
    }
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("tagger-tag-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("tagger-tag-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # a reload loses nothing
    page.reload()
    assert page.is_checked("#o-genre-drama")
    assert page.is_checked("#o-violence-2")
    assert page.is_checked("#o-language-1")
    assert page.input_value("#notes") == "<b>calm</b> film"
    assert page.locator("#save-state input[name=version]").input_value() == str(tagging.version)

    # submit with "s", confirming the dialog
    page.once("dialog", lambda dialog: dialog.accept())
    page.focus("#o-violence-2")
    page.keyboard.press("s")
    page.wait_for_selector("#submitted-banner")
    assert page.locator("#tagging-status").inner_text().strip() == "Submitted"
    assert page.locator("#o-violence-2").is_disabled()
    assert page.locator("#notes").is_disabled()
    assert page.is_checked("#o-violence-2")
    assert "v" in page.locator("#history").inner_text()
    tagging.refresh_from_db()
    assert tagging.status == "submitted"
    assert tagging.notes == "<b>calm</b> film"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("tagger-submitted-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot("tagger-submitted-390")
    page.goto(f"{live_server.url}/tagging/queue/")
    screenshot("tagger-queue-390")


def test_submit_errors_show_beside_the_fields(page, live_server, login, screenshot, setup):
    tagger, queued, _ = setup
    login(tagger.username, PASSWORD)
    page.goto(f"{live_server.url}/tagging/tag/{queued.pk}/")
    page.click("label[for=o-genre-comedy]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-btn")
    page.wait_for_selector("#form-errors")
    for slug in ("tone", "violence", "sex", "language"):
        assert page.locator(f"#dim-{slug}.field-invalid .errorlist").is_visible()
    assert not page.locator("#dim-genre .errorlist").count()
    assert page.is_checked("#o-genre-comedy")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("tagger-tag-errors-390")
    assert Tagging.objects.get().status == "draft"


def test_markup_in_notes_is_escaped_on_the_page(page, live_server, login, setup):
    tagger, queued, _ = setup
    Tagging.objects.create(
        title=queued,
        tagger=tagger,
        assignment=queued.assignments.get(),
        notes='<img src=x onerror="window.pwned=1">',
    )
    login(tagger.username, PASSWORD)
    page.goto(f"{live_server.url}/tagging/tag/{queued.pk}/")
    assert page.input_value("#notes") == '<img src=x onerror="window.pwned=1">'
    assert page.evaluate("() => window.pwned") is None
