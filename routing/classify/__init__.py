"""Order classification: trained, versioned TF-IDF + linear models, plus documented rules.

Public API:

* ``classify(text, *, task) -> Prediction`` — the serving model of ``task`` (``store.ModelNotFound``
  when none); ``has_serving_model(task)``.
* ``train(texts, labels, *, progress=True) -> TrainedModel``, ``train_pairs(pairs)``,
  ``train_from_jsonl(path, text_field, label_field)``; ``model.predict(model, text) -> Prediction``.
* ``store``: ``save``, ``list_versions``, ``switch``, ``rollback``, ``load``.
* ``rules``: request types the data does not teach (举报, 表扬) and urgency; see docs/request-types.md.

The package deliberately exports no ``predict`` name: ``routing.suggest.predict`` imports
``routing.classify.predict`` to detect a classifier, and should check ``has_serving_model`` first.
"""

from routing.classify.model import (
    Alternative,
    EmptyTrainingSet,
    Prediction,
    TrainedModel,
    WeightedWord,
    train,
    train_from_jsonl,
    train_pairs,
)
from routing.classify.service import DEFAULT_CONFIDENCE_THRESHOLD, classify, has_serving_model

__all__ = [
    "DEFAULT_CONFIDENCE_THRESHOLD",
    "Alternative",
    "EmptyTrainingSet",
    "Prediction",
    "TrainedModel",
    "WeightedWord",
    "classify",
    "has_serving_model",
    "train",
    "train_from_jsonl",
    "train_pairs",
]
