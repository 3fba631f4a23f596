"""The administrators' view of the model store: list a task's versions, switch the serving one, roll
back — each switch written to the audit log. Errors are ``ModelAdminError`` with a Chinese message and
the HTTP status the API answers with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from hotline.audit.service import record
from routing.classify import store

# Tasks the dispatch suggestion asks a model for (``routing.suggest.service.Predictors.default``).
KNOWN_TASKS: dict[str, str] = {
    "category": "诉求分类",
    "request_type": "诉求类型",
    "urgency": "紧急程度",
    "lead_unit": "主办单位模型",
}


class ModelAdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ModelVersionOut(BaseModel):
    version: str
    created_at: str
    data_sha256: str
    labels: list[str]
    n_train: int
    kind: str
    temperature: float
    evaluation: dict[str, Any] = Field(default_factory=dict)
    embedder: str | None = None  # the embedder the model needs at predict time; None: TF-IDF only
    serving: bool


class TaskOut(BaseModel):
    name: str
    label: str


class ModelsOut(BaseModel):
    task: str
    task_label: str
    serving_version: str | None
    can_rollback: bool
    versions: list[ModelVersionOut]  # newest first
    tasks: list[TaskOut]


class SwitchIn(BaseModel):
    version: str = Field(min_length=1, max_length=64)


class SwitchOut(ModelsOut):
    previous_version: str | None
    message: str


def tasks(root: Path) -> list[str]:
    """The known tasks, then any other task that has stored versions."""
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and store.is_task_name(p.name)) if root.is_dir() else []
    return [*KNOWN_TASKS, *(t for t in found if t not in KNOWN_TASKS and store.list_versions(t, root=root))]


def _check_task(task: str, root: Path) -> None:
    if task in tasks(root):
        return
    if not store.is_task_name(task):
        raise ModelAdminError(422, f"分类任务名称「{task}」无效：只能使用小写字母、数字和下划线")
    raise ModelAdminError(404, f"没有分类任务「{task}」的模型；可用的任务：{'、'.join(tasks(root))}")


def listing(task: str, root: Path) -> ModelsOut:
    _check_task(task, root)
    versions = store.list_versions(task, root=root)
    return ModelsOut(
        task=task,
        task_label=KNOWN_TASKS.get(task, task),
        serving_version=store.serving_version(task, root=root),
        can_rollback=bool(store.serving_history(task, root=root)),
        versions=[
            ModelVersionOut(
                version=v.version,
                created_at=v.created_at,
                data_sha256=v.data_sha256,
                labels=v.labels,
                n_train=v.n_train,
                kind=v.kind,
                temperature=v.temperature,
                evaluation=v.evaluation,
                embedder=v.embedder_id,
                serving=v.serving,
            )
            for v in reversed(versions)
        ],
        tasks=[TaskOut(name=t, label=KNOWN_TASKS.get(t, t)) for t in tasks(root)],
    )


def switch(*, session: Session, task: str, version: str, actor_id: int, root: Path) -> SwitchOut:
    """Serve ``version`` of ``task`` and audit it (the caller commits)."""
    _check_task(task, root)
    version = version.strip()
    previous = store.serving_version(task, root=root)
    try:
        store.switch(task, version, root=root)
    except store.ModelNotFound:
        if not store.is_version_name(version):
            raise ModelAdminError(422, f"模型版本号「{version}」格式无效（应形如 20260101T080000Z-1a2b3c4d）") from None
        raise ModelAdminError(404, f"分类任务「{task}」没有模型版本「{version}」") from None
    record(
        session=session,
        actor_id=actor_id,
        action="model_switch",
        target_type="routing_model",
        target_id=task,
        detail={"task": task, "from_version": previous, "to_version": version},
    )
    message = (
        f"「{KNOWN_TASKS.get(task, task)}」当前服务的模型已是 {version}"
        if previous == version
        else f"「{KNOWN_TASKS.get(task, task)}」已切换到模型版本 {version}"
    )
    return SwitchOut(**listing(task, root).model_dump(), previous_version=previous, message=message)


def rollback(*, session: Session, task: str, actor_id: int, root: Path) -> SwitchOut:
    """Serve the version served before the current one and audit it (the caller commits)."""
    _check_task(task, root)
    previous = store.serving_version(task, root=root)
    try:
        version = store.rollback(task, root=root)
    except store.ModelNotFound:
        raise ModelAdminError(
            409,
            f"分类任务「{task}」没有更早服务过的模型版本，无法回滚"
            + (f"（当前服务：{previous}）" if previous else "（尚无服务中的模型）"),
        ) from None
    record(
        session=session,
        actor_id=actor_id,
        action="model_rollback",
        target_type="routing_model",
        target_id=task,
        detail={"task": task, "from_version": previous, "to_version": version},
    )
    return SwitchOut(
        **listing(task, root).model_dump(),
        previous_version=previous,
        message=f"「{KNOWN_TASKS.get(task, task)}」已回滚到模型版本 {version}",
    )
