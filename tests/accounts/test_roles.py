from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role, has_role, roles_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.TAGGER, "/tagging/queue/"),
        (Role.EDITOR, "/tagging/review/"),
        (Role.SUBSCRIBER, "/for-you/"),
        (Role.OPERATOR, "/operations/"),
    ],
)
def test_each_role_lands_on_its_own_home_page(make_user, role, landing):
    user = make_user(role)
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(response.url)
    assert home.status_code == 302
    assert home.url == landing
    assert client.get(landing).status_code == 200


def test_anonymous_user_is_sent_to_login():
    response = Client().get("/tagging/queue/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_wrong_password_shows_an_error_and_stays_anonymous(tagger):
    client = Client()
    response = client.post("/accounts/login/", {"username": tagger.username, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/tagging/review/", "/operations/", "/for-you/"])
def test_tagger_cannot_open_other_roles_pages(tagger, path):
    client = Client()
    client.force_login(tagger)
    assert client.get(path).status_code == 403


def test_staff_users_are_operators_and_superusers_hold_every_role(django_user_model):
    staff = django_user_model.objects.create_user("staffer", is_staff=True)
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    assert roles_of(staff) == {Role.OPERATOR}
    assert roles_of(admin) == set(Role)
    assert has_role(admin, Role.SUBSCRIBER)


def test_user_without_role_sees_an_explanation(django_user_model):
    user = django_user_model.objects.create_user("nobody", password=PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 403
    assert b"no role" in response.content


def test_logout_requires_post_and_ends_the_session(tagger):
    client = Client()
    client.force_login(tagger)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/tagging/queue/").status_code == 302


def test_session_user_and_roles_come_from_one_query(make_user, django_assert_num_queries):
    """A logged-in request loads the user with its roles (``RoleAwareModelBackend``): the role
    check that every page makes costs no query of its own."""
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    editor = make_user(Role.EDITOR)
    client = Client()
    client.force_login(editor)
    request = RequestFactory().get("/")
    request.session = client.session
    assert request.session["_auth_user_id"] == str(editor.pk)  # the session is read first
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user.pk == editor.pk
        assert roles_of(user) == {Role.EDITOR}
        assert has_role(user, Role.EDITOR)
        assert not has_role(user, Role.TAGGER)


def test_a_deactivated_users_session_no_longer_signs_them_in(tagger):
    client = Client()
    client.force_login(tagger)
    assert client.get("/tagging/queue/").status_code == 200
    tagger.is_active = False
    tagger.save(update_fields=["is_active"])
    response = client.get("/tagging/queue/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
