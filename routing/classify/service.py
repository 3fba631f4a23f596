"""What the rest of the system calls: predictions from the serving model of a task."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from routing.classify import store
from routing.classify.model import Prediction
from routing.classify.model import predict as model_predict

# Below this calibrated confidence the console asks the agent to choose (the suggestion may override).
DEFAULT_CONFIDENCE_THRESHOLD = 0.6


def has_serving_model(task: str, *, root: Path | None = None) -> bool:
    return store.serving_version(task, root=root) is not None


def classify(
    text: str,
    *,
    task: str,
    root: Path | None = None,
    vector: np.ndarray | None = None,
    vector_model: str | None = None,
) -> Prediction:
    """Predict with the serving model of ``task``; raises ``store.ModelNotFound`` when none serves.

    ``vector``: the text's query embedding by ``vector_model`` (an ``Embedder.name``), shared with
    search; used when the model was trained with that embedder, else the model embeds the text with
    its own (documented cost: one more embedding per call). A model without embeddings ignores it.
    """
    model, _ = store.load_serving_cached(task, root=root)
    if vector is not None and vector_model != getattr(model, "embedder_id", None):
        vector = None
    return model_predict(model, text, vector=vector, vector_model=vector_model)
