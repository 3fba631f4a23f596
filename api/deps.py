"""Request-scoped session, the current principal, and role policies as ``Annotated`` aliases.

Every route depends on exactly one ``Policy`` (or is listed in ``PUBLIC_ROUTES``); a test walks the
route table to keep it that way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from hotline.db import session_scope
from hotline.settings import Settings
from hotline.users.models import User
from hotline.users.roles import CENTRE_ROLES, INTAKE_ROLES, Role
from hotline.users.security import InvalidToken, decode_token
from hotline.users.service import Principal, principal_for

PUBLIC_ROUTES = {"/api/auth/login", "/api/health", "/api/public/orders/{number}", "/api/ws"}

_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the view returns, rolled back if it raises. GET requests
    get a read session (deferred BEGIN on SQLite, so a read never holds the write lock); a GET that also
    writes (an export's audit entry) must ask for ``WriteSessionDep``."""
    factory = (
        request.app.state.read_sessionmaker if request.method in ("GET", "HEAD") else (request.app.state.sessionmaker)
    )
    with session_scope(factory) as session:
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.sessionmaker) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def principal_from_token(*, session: Session, token: str, settings: Settings) -> Principal:
    try:
        claims = decode_token(token, secret=settings.secret_key)
    except InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "登录已失效，请重新登录") from exc
    user = session.get(User, claims.user_id)
    if user is None or not user.active or user.token_version != claims.token_version:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "登录已失效，请重新登录")
    return principal_for(session=session, user=user)


def current_principal(
    session: SessionDep,
    settings: SettingsDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "未登录", headers={"WWW-Authenticate": "Bearer"})
    return principal_from_token(session=session, token=creds.credentials, settings=settings)


class Policy:
    """Admits the listed roles; anyone else gets 403 naming their role."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(self, principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in self.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"角色 {principal.role.label} 无权执行此操作")
        return principal


AnyUser = Annotated[Principal, Depends(Policy(*Role))]
OrderReader = Annotated[Principal, Depends(Policy(*CENTRE_ROLES, Role.workstation_staff, Role.observer))]
IntakeUser = Annotated[Principal, Depends(Policy(*INTAKE_ROLES))]
CallLogger = Annotated[Principal, Depends(Policy(Role.agent, Role.desk_agent, Role.supervisor, Role.admin))]
Unmasker = Annotated[Principal, Depends(Policy(Role.supervisor, Role.admin))]
CentreUser = Annotated[Principal, Depends(Policy(*CENTRE_ROLES))]
Supervisor = Annotated[Principal, Depends(Policy(Role.supervisor, Role.admin))]
Admin = Annotated[Principal, Depends(Policy(Role.admin))]
Exporter = Annotated[Principal, Depends(Policy(Role.supervisor, Role.admin, Role.observer))]
