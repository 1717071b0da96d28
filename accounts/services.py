"""Account writes: creating users with a role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction

from .roles import Role

USERNAME_TAKEN = "A user named %(name)s already exists."


@transaction.atomic
def user_create(
    *, username: str, role: Role, password: str | None, email: str = "", exist_ok: bool = False
) -> tuple[AbstractUser, bool]:
    """Create ``username`` with ``role``; ``password=None`` makes an unusable password.

    With ``exist_ok`` an existing user gets the role added (and the password if given)
    instead of an error, which keeps ``seed_demo`` idempotent.
    """
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    created = user is None
    if user is not None and not exist_ok:
        raise ValidationError({"username": USERNAME_TAKEN % {"name": username}})
    if user is None:
        user = user_model(username=username, email=email)
        user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if role is Role.OPERATOR:
        user.is_staff = True
    user.save()
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user, created
