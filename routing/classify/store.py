"""Versioned model artifacts: ``<data_dir>/models/<task>/<version>/{model.joblib,meta.json}``.

``<data_dir>/models/<task>/serving.json`` names the serving version and the versions served before it
(most recent last), so ``rollback`` steps back one switch at a time.

Loading is safe in the sense that matters for joblib (which can run code): only files inside our own
models folder are opened, and only when their sha256 matches the one recorded in ``meta.json`` when we
wrote them.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from routing.classify.model import TrainedModel

_TASK = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}(-[0-9]+)?$")
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
SERVING_FILE = "serving.json"


class ModelNotFound(LookupError):
    """No such task/version, or no serving model for a task."""


@dataclass(slots=True)
class ModelInfo:
    task: str
    version: str
    created_at: str
    data_sha256: str
    labels: list[str]
    n_train: int
    kind: str
    temperature: float
    evaluation: dict[str, Any] = field(default_factory=dict)
    file_sha256: str = ""
    # The embedder the model needs at predict time (``kb.search.get_embedder`` name and model id);
    # None: TF-IDF only.
    embedder: str | None = None
    embedder_id: str | None = None
    serving: bool = False


def models_root() -> Path:
    from hotline.settings import get_settings

    return get_settings().data_dir / "models"


def _task_dir(task: str, root: Path | None) -> Path:
    if not _TASK.match(task):
        raise ValueError(f"invalid task name {task!r}: lower-case letters, digits and _ only")
    return (root or models_root()) / task


def _version_dir(task: str, version: str, root: Path | None) -> Path:
    if not _VERSION.match(version):
        raise ModelNotFound(f"invalid model version {version!r} for task {task!r}")
    d = _task_dir(task, root) / version
    if not (d / META_FILE).is_file():
        raise ModelNotFound(f"no model version {version!r} for task {task!r} under {d.parent}")
    return d


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_serving(task: str, root: Path | None) -> dict[str, Any]:
    path = _task_dir(task, root) / SERVING_FILE
    if not path.is_file():
        return {"version": None, "history": []}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_serving(task: str, state: dict[str, Any], root: Path | None) -> None:
    path = _task_dir(task, root) / SERVING_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a file
    _cache_clear()


def save(
    task: str,
    model: TrainedModel,
    *,
    evaluation: dict[str, Any] | None = None,
    serve: bool = False,
    root: Path | None = None,
) -> ModelInfo:
    """Store ``model`` as a new version of ``task`` (and make it serving with ``serve``)."""
    now = datetime.now(UTC)
    base = f"{now:%Y%m%dT%H%M%SZ}-{model.data_sha256[:8]}"
    tdir = _task_dir(task, root)
    tdir.mkdir(parents=True, exist_ok=True)
    version, n = base, 1
    while (tdir / version).exists():
        n += 1
        version = f"{base}-{n}"
    vdir = tdir / version
    vdir.mkdir()
    joblib.dump(model, vdir / MODEL_FILE, compress=3)
    info = ModelInfo(
        task=task,
        version=version,
        created_at=now.isoformat(),
        data_sha256=model.data_sha256,
        labels=list(model.labels),
        n_train=model.n_train,
        kind=model.kind,
        temperature=model.temperature,
        evaluation=dict(evaluation or {}),
        file_sha256=_sha256(vdir / MODEL_FILE),
        embedder=getattr(model, "embedder", None),
        embedder_id=getattr(model, "embedder_id", None),
    )
    meta = asdict(info)
    meta.pop("serving")
    (vdir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    if serve:
        switch(task, version, root=root)
        info.serving = True
    return info


def list_versions(task: str, *, root: Path | None = None) -> list[ModelInfo]:
    """Every stored version of ``task``, oldest first, with ``serving`` set on the serving one."""
    tdir = _task_dir(task, root)
    if not tdir.is_dir():
        return []
    serving = _read_serving(task, root).get("version")
    out = []
    for d in sorted(p for p in tdir.iterdir() if p.is_dir() and _VERSION.match(p.name)):
        if (d / META_FILE).is_file():
            meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
            out.append(ModelInfo(**meta, serving=meta["version"] == serving))
    return out


def serving_version(task: str, *, root: Path | None = None) -> str | None:
    return _read_serving(task, root).get("version")


def serving_history(task: str, *, root: Path | None = None) -> list[str]:
    """The versions served before the current one, most recent last (what ``rollback`` steps back to)."""
    return list(_read_serving(task, root).get("history", []))


def is_task_name(name: str) -> bool:
    return bool(_TASK.match(name))


def is_version_name(name: str) -> bool:
    return bool(_VERSION.match(name))


def switch(task: str, version: str, *, root: Path | None = None) -> None:
    """Serve ``version`` of ``task``; the previous serving version is remembered for ``rollback``."""
    _version_dir(task, version, root)
    state = _read_serving(task, root)
    if state.get("version") == version:
        return
    if state.get("version"):
        state["history"].append(state["version"])
    state["version"] = version
    _write_serving(task, state, root)


def rollback(task: str, *, root: Path | None = None) -> str:
    """Serve the version served before the current one; returns it."""
    state = _read_serving(task, root)
    if not state.get("history"):
        raise ModelNotFound(f"task {task!r} has no earlier serving version to roll back to")
    state["version"] = state["history"].pop()
    _write_serving(task, state, root)
    return state["version"]


def load(task: str, version: str | None = None, *, root: Path | None = None) -> tuple[TrainedModel, ModelInfo]:
    """Load ``version`` (default: the serving one) after checking the file's recorded sha256."""
    if version is None:
        version = serving_version(task, root=root)
        if version is None:
            raise ModelNotFound(f"no serving model for task {task!r}; train one with `hotline routing train`")
    vdir = _version_dir(task, version, root)
    meta = json.loads((vdir / META_FILE).read_text(encoding="utf-8"))
    path = vdir / MODEL_FILE
    if _sha256(path) != meta["file_sha256"]:
        raise ValueError(f"model file {path} does not match the sha256 recorded in its meta.json; refusing to load")
    model = joblib.load(path)
    if not isinstance(model, TrainedModel):
        raise ValueError(f"{path} does not hold a TrainedModel")
    return model, ModelInfo(**meta, serving=version == serving_version(task, root=root))


_lock = threading.Lock()
_cache: dict[tuple[str, str, str], TrainedModel] = {}


def _cache_clear() -> None:
    with _lock:
        _cache.clear()


def load_serving_cached(task: str, *, root: Path | None = None) -> tuple[TrainedModel, str]:
    """The serving model of ``task``, loaded once per (root, task, version) per process."""
    version = serving_version(task, root=root)
    if version is None:
        raise ModelNotFound(f"no serving model for task {task!r}; train one with `hotline routing train`")
    key = (str((root or models_root()).resolve()), task, version)
    with _lock:
        model = _cache.get(key)
    if model is None:
        model, _ = load(task, version, root=root)
        with _lock:
            _cache[key] = model
    return model, version
