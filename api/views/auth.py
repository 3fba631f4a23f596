from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AnyUser, SessionDep, SettingsDep
from hotline.org.models import Workstation
from hotline.users import service
from hotline.users.models import User
from hotline.users.roles import permissions_of
from hotline.users.security import issue_token
from hotline.users.service import Principal

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    workstation_id: int | None
    workstation_name: str | None
    desk: str | None
    permissions: list[str]


class LoginOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserOut


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


def user_out(p: Principal, *, session: SessionDep) -> UserOut:
    ws = session.get(Workstation, p.workstation_id) if p.workstation_id else None
    return UserOut(
        id=p.id,
        username=p.username,
        display_name=p.display_name,
        role=p.role.value,
        role_label=p.role.label,
        workstation_id=p.workstation_id,
        workstation_name=ws.name if ws else None,
        desk=p.desk_code,
        permissions=sorted(permissions_of(p.role)),
    )


@router.post("/login")
def login(body: LoginIn, session: SessionDep, settings: SettingsDep) -> LoginOut:
    user = service.authenticate(
        session=session,
        username=body.username,
        password=body.password,
        threshold=settings.lockout_threshold,
        lock_minutes=settings.lockout_minutes,
    )
    session.commit()
    token, expires = issue_token(
        user_id=user.id,
        token_version=user.token_version,
        secret=settings.secret_key,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    return LoginOut(
        access_token=token,
        expires_at=expires,
        user=user_out(service.principal_for(session=session, user=user), session=session),
    )


@router.get("/me")
def me(principal: AnyUser, session: SessionDep) -> UserOut:
    return user_out(principal, session=session)


@router.post("/password", status_code=204)
def change_password(body: PasswordIn, principal: AnyUser, session: SessionDep, settings: SettingsDep) -> None:
    user = session.get(User, principal.id)
    assert user is not None
    service.change_password(
        session=session,
        user=user,
        old=body.old_password,
        new=body.new_password,
        min_length=settings.password_min_length,
    )
    session.commit()
