from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from hotline.users.roles import Role

Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.-]{2,64}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    display_name: Name
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    role: Role
    workstation_id: int | None = None
    desk_code: Annotated[str, StringConstraints(max_length=32)] | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: Name | None = None
    role: Role | None = None
    workstation_id: int | None = None
    desk_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    active: bool | None = None
    unlock: bool = False
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


class UserAdminOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    workstation_id: int | None
    workstation_name: str | None
    desk_code: str | None
    active: bool
    locked_until: datetime | None
    created_at: datetime
