"""Password hashing (argon2) and expiring signed tokens (JWT, HS256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from hotline.db import utcnow

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    token_version: int
    expires_at: datetime


class InvalidToken(Exception):
    pass


def issue_token(*, user_id: int, token_version: int, secret: str, ttl: timedelta) -> tuple[str, datetime]:
    expires_at = utcnow() + ttl
    token = jwt.encode(
        {"sub": str(user_id), "tv": token_version, "exp": expires_at, "iat": utcnow()}, secret, algorithm="HS256"
    )
    return token, expires_at


def decode_token(token: str, *, secret: str) -> TokenClaims:
    try:
        data = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    from datetime import UTC

    return TokenClaims(int(data["sub"]), int(data.get("tv", 0)), datetime.fromtimestamp(data["exp"], UTC))
