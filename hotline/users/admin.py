"""Administration of accounts: create, change role or unit, deactivate, unlock, reset password."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit import service as audit
from hotline.org.models import SpecialistDesk, Workstation
from hotline.users.models import User
from hotline.users.roles import Role
from hotline.users.schemas import UserCreate, UserUpdate
from hotline.users.security import hash_password
from hotline.users.service import PasswordPolicyError, create_user


class UserAdminError(ValueError):
    pass


def _check_unit(*, session: Session, role: Role, workstation_id: int | None, desk_code: str | None) -> None:
    if role is Role.workstation_staff and workstation_id is None:
        raise UserAdminError("工作站人员必须指定所属工作站")
    if workstation_id is not None and session.get(Workstation, workstation_id) is None:
        raise UserAdminError(f"未知的工作站 workstation_id={workstation_id}")
    if desk_code is not None and session.get(SpecialistDesk, desk_code) is None:
        raise UserAdminError(f"未知的专席 desk_code={desk_code!r}")


def list_users(*, session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.id)).all()


def add_user(*, session: Session, data: UserCreate, actor_id: int, min_length: int) -> User:
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise UserAdminError(f"用户名 {data.username!r} 已存在")
    if len(data.password) < min_length:
        raise PasswordPolicyError(f"密码至少 {min_length} 位")
    _check_unit(session=session, role=data.role, workstation_id=data.workstation_id, desk_code=data.desk_code)
    user = create_user(
        session=session,
        username=data.username,
        password=data.password,
        display_name=data.display_name,
        role=data.role,
        workstation_id=data.workstation_id,
        desk_code=data.desk_code,
    )
    audit.record(
        session=session,
        actor_id=actor_id,
        action="user_create",
        target_type="user",
        target_id=user.id,
        detail={"username": user.username, "role": user.role},
    )
    return user


def update_user(*, session: Session, user: User, data: UserUpdate, actor_id: int, min_length: int) -> User:
    changes = data.model_dump(exclude_unset=True, exclude={"unlock", "password"})
    role = Role(changes.get("role", user.role))
    ws = changes.get("workstation_id", user.workstation_id)
    _check_unit(session=session, role=role, workstation_id=ws, desk_code=changes.get("desk_code", user.desk_code))
    if user.id == actor_id and (changes.get("active") is False or ("role" in changes and role is not Role.admin)):
        raise UserAdminError("不能停用自己或取消自己的管理员角色")
    for key, value in changes.items():
        setattr(user, key, value.value if isinstance(value, Role) else value)
    if data.unlock:
        user.locked_until, user.failed_logins = None, 0
    if data.password is not None:
        if len(data.password) < min_length:
            raise PasswordPolicyError(f"密码至少 {min_length} 位")
        user.password_hash = hash_password(data.password)
    # Tokens issued before a change of rights, deactivation or password reset stop working.
    if {"role", "workstation_id", "active"} & changes.keys() or data.password is not None:
        user.token_version += 1
    audit.record(
        session=session,
        actor_id=actor_id,
        action="user_update",
        target_type="user",
        target_id=user.id,
        detail={"fields": sorted([*changes, *(["password"] if data.password else [])]), "unlock": data.unlock},
    )
    return user
