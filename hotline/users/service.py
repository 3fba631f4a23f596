"""Authentication with lockout, password change, and the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.org.service import subtree_ids
from hotline.users.models import User
from hotline.users.roles import Role
from hotline.users.security import hash_password, verify_password


class AuthError(Exception):
    """Wrong credentials; deliberately does not say which part was wrong."""


class LockedOut(Exception):
    def __init__(self, until_text: str) -> None:
        super().__init__(f"账号已锁定，请于 {until_text} 后重试")


class PasswordPolicyError(ValueError):
    pass


def authenticate(*, session: Session, username: str, password: str, threshold: int, lock_minutes: int) -> User:
    user = session.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is None or not user.active:
        raise AuthError
    if user.locked_until is not None and user.locked_until > now:
        local = user.locked_until + timedelta(hours=8)
        raise LockedOut(local.strftime("%H:%M"))
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= threshold:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
        session.commit()
        raise AuthError
    user.failed_logins = 0
    user.locked_until = None
    return user


def change_password(*, session: Session, user: User, old: str, new: str, min_length: int) -> None:
    if not verify_password(user.password_hash, old):
        raise AuthError
    if len(new) < min_length:
        raise PasswordPolicyError(f"新密码至少 {min_length} 位")
    if new == old:
        raise PasswordPolicyError("新密码不能与旧密码相同")
    user.password_hash = hash_password(new)
    user.token_version += 1


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    workstation_id: int | None = None,
    desk_code: str | None = None,
) -> User:
    if role is Role.workstation_staff and workstation_id is None:
        raise ValueError(f"user {username!r}: workstation staff need a workstation")
    user = User(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name,
        role=role.value,
        workstation_id=workstation_id,
        desk_code=desk_code,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting user as policies see it, with the workstation scope resolved once per request."""

    id: int
    username: str
    display_name: str
    role: Role
    workstation_id: int | None
    desk_code: str | None
    scope: frozenset[int]

    @property
    def is_workstation(self) -> bool:
        return self.role is Role.workstation_staff


def principal_for(*, session: Session, user: User) -> Principal:
    scope: frozenset[int] = frozenset()
    if user.workstation_id is not None:
        scope = frozenset(subtree_ids(session=session, root_id=user.workstation_id))
    return Principal(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        workstation_id=user.workstation_id,
        desk_code=user.desk_code,
        scope=scope,
    )
