from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_valid_credentials_and_authenticates_api_calls(tagger):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": tagger.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/taxonomy/").status_code == 200


def test_bad_credentials_get_a_400_in_the_error_shape(tagger):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": tagger.username, "password": "bad"}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "non_field_errors" in body["errors"]


def test_api_requires_authentication():
    response = APIClient().get("/api/v1/titles/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_schema_and_docs_are_served(tagger):
    client = APIClient()
    client.force_authenticate(tagger)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/titles/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_token_auth_reads_roles_and_refuses_bad_or_inactive(tagger, editor):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    res = client.post("/api/v1/assignments/next/")
    # 403 rather than 401: session authentication comes first and sends no WWW-Authenticate.
    assert res.status_code in (401, 403)
    assert res.json() == {"detail": "Invalid token.", "errors": {}}
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    assert client.post("/api/v1/assignments/next/").status_code == 403  # editors do not tag
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=tagger).key}")
    assert client.post("/api/v1/assignments/next/").status_code == 204  # a tagger, no work
    tagger.is_active = False
    tagger.save()
    res = client.post("/api/v1/assignments/next/")
    assert res.status_code in (401, 403)
    assert res.json()["detail"] == "User inactive or deleted."


def test_the_api_takes_a_session_login_and_a_token_client_loads_no_session(tagger, monkeypatch):
    from django.contrib.sessions.backends.base import SessionBase

    client = APIClient()
    assert client.login(username=tagger.username, password=PASSWORD)
    assert client.get("/api/v1/assignments/").status_code == 200

    loaded = []
    real = SessionBase._get_session
    monkeypatch.setattr(
        SessionBase, "_session", property(lambda self: loaded.append(1) or real(self))
    )
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": tagger.username, "password": PASSWORD}
    )
    token_client = APIClient(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    loaded.clear()
    assert token_client.get("/api/v1/assignments/").status_code == 200
    assert loaded == []
