"""The one event stream: a transactional outbox with commit-ordered, gap-free positions."""

from hotline.events.models import Event, EventCounter
from hotline.events.outbox import emit, on_commit_listeners

__all__ = ["Event", "EventCounter", "emit", "on_commit_listeners"]
