"""The tagger pages through Django's test client: who may open what, blind double-coding in the
templates, autosave answers (saved / 400 / 409), submit errors, read-only and returned states."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from catalog.models import CanonicalTags
from tagging.models import Assignment, Tagging
from tagging.services.taggings import tagging_create, tagging_return, tagging_submit
from tests.catalog.factories import TitleFactory
from tests.conftest import PASSWORD
from tests.tagging.factories import assign

pytestmark = pytest.mark.django_db

COMPLETE = {"genre": ["drama"], "tone": ["sincere"], "violence": 1, "sex": 0, "language": 2}
FORM = {
    "v-genre": ["drama"],
    "v-tone": ["sincere"],
    "v-violence": "1",
    "v-sex": "0",
    "v-language": "2",
}


@pytest.fixture
def web(client, tagger):
    client.login(username=tagger.username, password=PASSWORD)
    return client


def htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_queue_lists_only_own_assignments_with_status_due_and_priority(web, tagger, make_user):
    mine = assign(tagger, title=TitleFactory(title="Mine Title"), priority=4)
    assign(make_user(Role.TAGGER), title=TitleFactory(title="Their Title"))
    res = web.get("/tagging/queue/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "Mine Title" in html
    assert "Their Title" not in html
    assert f"/tagging/tag/{mine.title_id}/" in html
    assert 'id="next-title"' in html


def test_queue_needs_the_tagger_role(client, make_user):
    client.login(username=make_user(Role.SUBSCRIBER).username, password=PASSWORD)
    assert client.get("/tagging/queue/").status_code == 403


def test_next_button_opens_the_claimed_title_or_says_no_work(web, tagger):
    title = TitleFactory()
    res = web.post("/tagging/next/")
    assert res.status_code == 302
    assert res.url == f"/tagging/tag/{title.pk}/"
    Assignment.objects.update(status="submitted")
    res = web.post("/tagging/next/", follow=True)
    assert "No titles are waiting" in res.content.decode()


def test_tag_page_is_404_for_a_title_not_assigned(web):
    assert web.get(f"/tagging/tag/{TitleFactory().pk}/").status_code == 404


def test_tag_page_renders_the_full_taxonomy_with_anchors(web, tagger):
    a = assign(tagger, title=TitleFactory(synopsis="A lighthouse story."))
    html = web.get(f"/tagging/tag/{a.title_id}/").content.decode()
    for slug in (
        "genre",
        "tone",
        "theme",
        "setting",
        "violence",
        "sex",
        "language",
        "gore",
        "romance",
        "suspense",
        "plot-conclusiveness",
        "time-period",
        "audience",
        "based-on-book",
        "true-story",
    ):
        assert f'id="dim-{slug}"' in html
    assert "Occasional fights, shootings or deaths" in html  # violence level 2 anchor
    assert "A lighthouse story." in html
    assert 'name="version" value="0"' in html


def test_tag_page_shows_a_video_player_when_the_title_has_media(web, tagger):
    a = assign(tagger, title=TitleFactory(media_url="https://media.example/t.mp4"))
    html = web.get(f"/tagging/tag/{a.title_id}/").content.decode()
    assert '<video id="player"' in html
    assert "Pin player time" in html


def test_tag_page_never_shows_other_answers_or_canonical_tags(web, tagger, make_user):
    title = TitleFactory()
    other = make_user(Role.TAGGER)
    assign(other, title=title)
    tagging_create(tagger=other, title=title, values={"violence": 5}, notes="OTHER-TAGGER-NOTE")
    CanonicalTags.objects.create(title=title, values={"violence": 4}, source="adjudicated")
    CanonicalTags.objects.filter(title=title).update(values={"genre": ["CANONICAL-MARKER"]})
    assign(tagger, title=title)
    html = web.get(f"/tagging/tag/{title.pk}/").content.decode()
    assert "OTHER-TAGGER-NOTE" not in html
    assert "CANONICAL-MARKER" not in html
    assert "checked" not in html  # nothing pre-filled from anyone else's answers


def test_autosave_creates_then_updates_and_returns_the_new_version(web, tagger):
    a = assign(tagger)
    url = f"/tagging/tag/{a.title_id}/save/"
    res = htmx_post(web, url, {**FORM, "version": "0", "notes": "n", "seconds_spent": "12"})
    assert res.status_code == 200
    html = res.content.decode()
    assert "Saved" in html
    assert 'name="version" value="1"' in html
    assert 'hx-swap-oob="true"' in html  # history refreshed out of band
    res = htmx_post(web, url, {**FORM, "v-violence": "3", "version": "1", "seconds_spent": "20"})
    assert 'name="version" value="2"' in res.content.decode()
    tagging = Tagging.objects.get()
    assert tagging.values["violence"] == 3
    assert tagging.seconds_spent == 20
    assert tagging.revisions.count() == 2


def test_autosave_with_a_stale_version_is_409_and_stores_nothing(web, tagger):
    a = assign(tagger)
    url = f"/tagging/tag/{a.title_id}/save/"
    htmx_post(web, url, {**FORM, "version": "0"})
    htmx_post(web, url, {**FORM, "v-violence": "2", "version": "1"})
    res = htmx_post(web, url, {**FORM, "v-violence": "5", "version": "1"})
    assert res.status_code == 409
    assert "conflict" in res.content.decode().lower()
    assert Tagging.objects.get().values["violence"] == 2


def test_autosave_from_a_second_tab_before_any_save_is_409(web, tagger):
    a = assign(tagger)
    url = f"/tagging/tag/{a.title_id}/save/"
    htmx_post(web, url, {**FORM, "version": "0"})
    assert htmx_post(web, url, {**FORM, "version": "0"}).status_code == 409


def test_autosave_with_bad_values_is_400_naming_the_field(web, tagger):
    a = assign(tagger)
    res = htmx_post(
        web,
        f"/tagging/tag/{a.title_id}/save/",
        {"v-violence": "9", "v-genre": ["nope"], "version": "0"},
    )
    assert res.status_code == 400
    html = res.content.decode()
    assert "violence" in html
    assert "genre" in html
    assert not Tagging.objects.exists()


def test_submit_with_missing_fields_shows_errors_beside_them(web, tagger):
    a = assign(tagger)
    res = web.post(f"/tagging/tag/{a.title_id}/submit/", {"v-genre": ["comedy"], "version": "0"})
    assert res.status_code == 400
    html = res.content.decode()
    for slug in ("tone", "violence", "sex", "language"):
        assert f'id="err-{slug}"' in html
    assert 'id="err-genre"' not in html
    assert Tagging.objects.get().status == "draft"  # the draft was kept


def test_submit_then_the_page_is_read_only(web, tagger):
    a = assign(tagger)
    res = web.post(
        f"/tagging/tag/{a.title_id}/submit/",
        {**FORM, "version": "0", "notes": "<b>bold</b>"},
        follow=True,
    )
    html = res.content.decode()
    assert 'id="submitted-banner"' in html
    assert '<fieldset class="form-body" disabled>' in html
    assert "hx-post" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html  # notes escaped
    assert "<b>bold</b>" not in html
    res = htmx_post(
        web,
        f"/tagging/tag/{a.title_id}/save/",
        {**FORM, "version": str(Tagging.objects.get().version)},
    )
    assert res.status_code == 409


def test_returned_tagging_shows_the_comment_and_is_editable(web, tagger, editor):
    a = assign(tagger)
    t = tagging_create(tagger=tagger, title=a.title, values=COMPLETE)
    t = tagging_submit(tagging=t, user=tagger)
    tagging_return(tagging=t, editor=editor, comment="Language <is> 3: listen at 00:41.")
    html = web.get(f"/tagging/tag/{a.title_id}/").content.decode()
    assert 'id="returned-banner"' in html
    assert "Language &lt;is&gt; 3: listen at 00:41." in html
    assert "hx-post" in html
    assert '<fieldset class="form-body" >' in html or '<fieldset class="form-body">' in html


def test_history_lists_every_saved_version(web, tagger):
    a = assign(tagger)
    url = f"/tagging/tag/{a.title_id}/save/"
    htmx_post(web, url, {**FORM, "version": "0"})
    htmx_post(web, url, {**FORM, "v-violence": "4", "version": "1"})
    html = web.get(f"/tagging/tag/{a.title_id}/").content.decode()
    assert "v2 · Draft" in html
    assert "v1 · Draft" in html
    assert "changed: violence" in html
