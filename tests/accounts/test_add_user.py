from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import Role, roles_of

pytestmark = pytest.mark.django_db


def test_add_user_creates_an_account_with_role_and_password(django_user_model):
    call_command("add_user", "alice", "--role", "tagger", "--password", "s3cret-pass")
    user = authenticate(username="alice", password="s3cret-pass")
    assert user is not None
    assert roles_of(user) == {Role.TAGGER}


def test_operator_role_makes_staff(django_user_model):
    call_command("add_user", "olga", "--role", "operator", "--password", "s3cret-pass")
    assert django_user_model.objects.get(username="olga").is_staff


def test_add_user_refuses_an_existing_name_with_a_reason(django_user_model):
    call_command("add_user", "bob", "--role", "editor", "--password", "s3cret-pass")
    with pytest.raises(CommandError, match="already exists"):
        call_command("add_user", "bob", "--role", "tagger", "--password", "other-pass")


def test_add_user_rejects_an_unknown_role():
    with pytest.raises(CommandError):
        call_command("add_user", "carol", "--role", "admin", "--password", "x")


def test_add_user_without_password_and_terminal_creates_unusable_password(django_user_model):
    call_command("add_user", "dave", "--role", "subscriber")
    assert not django_user_model.objects.get(username="dave").has_usable_password()
