"""What the rest of the system calls: predictions from the serving model of a task."""

from __future__ import annotations

from pathlib import Path

from routing.classify import store
from routing.classify.model import Prediction
from routing.classify.model import predict as model_predict

# Below this calibrated confidence the console asks the agent to choose (the suggestion may override).
DEFAULT_CONFIDENCE_THRESHOLD = 0.6


def has_serving_model(task: str, *, root: Path | None = None) -> bool:
    return store.serving_version(task, root=root) is not None


def classify(text: str, *, task: str, root: Path | None = None) -> Prediction:
    """Predict with the serving model of ``task``; raises ``store.ModelNotFound`` when none serves."""
    model, _ = store.load_serving_cached(task, root=root)
    return model_predict(model, text)
