from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import Admin, SessionDep, SettingsDep
from hotline.users import admin
from hotline.users.models import User
from hotline.users.roles import Role
from hotline.users.schemas import UserAdminOut, UserCreate, UserUpdate

router = APIRouter(prefix="/api/users", tags=["users"])


def _out(u: User) -> UserAdminOut:
    return UserAdminOut(
        id=u.id,
        username=u.username,
        display_name=u.display_name,
        role=u.role,
        role_label=Role(u.role).label,
        workstation_id=u.workstation_id,
        workstation_name=u.workstation.name if u.workstation else None,
        desk_code=u.desk_code,
        active=u.active,
        locked_until=u.locked_until,
        created_at=u.created_at,
    )


@router.get("")
def list_users(session: SessionDep, _: Admin) -> list[UserAdminOut]:
    return [_out(u) for u in admin.list_users(session=session)]


@router.post("", status_code=201)
def create_user(body: UserCreate, session: SessionDep, settings: SettingsDep, principal: Admin) -> UserAdminOut:
    try:
        user = admin.add_user(
            session=session, data=body, actor_id=principal.id, min_length=settings.password_min_length
        )
    except admin.UserAdminError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return _out(user)


@router.patch("/{user_id}")
def update_user(
    user_id: int, body: UserUpdate, session: SessionDep, settings: SettingsDep, principal: Admin
) -> UserAdminOut:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, f"用户 {user_id} 不存在")
    try:
        admin.update_user(
            session=session, user=user, data=body, actor_id=principal.id, min_length=settings.password_min_length
        )
    except admin.UserAdminError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return _out(user)
