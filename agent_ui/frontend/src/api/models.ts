// The routing classifier's model versions (系统管理 → 分类模型版本): list, switch, roll back. Admin only.
import { http } from './http'

export interface ModelVersion {
  version: string
  created_at: string
  /** sha256 of the training data (texts and labels) the version was trained on. */
  data_sha256: string
  labels: string[]
  n_train: number
  kind: string
  temperature: number
  /** Cross-validated figures stored at training: macro_f1, ece, baseline_macro_f1, folds … */
  evaluation: Record<string, unknown>
  serving: boolean
}

export interface ModelTask {
  name: string
  label: string
}

export interface ModelsOut {
  task: string
  task_label: string
  serving_version: string | null
  can_rollback: boolean
  /** Newest first. */
  versions: ModelVersion[]
  tasks: ModelTask[]
}

export interface ModelSwitchOut extends ModelsOut {
  previous_version: string | null
  message: string
}

export const modelsApi = {
  list: (task: string) => http.get<ModelsOut>('/api/routing/models', { query: { task } }),
  switchTo: (task: string, version: string) =>
    http.post<ModelSwitchOut>(`/api/routing/models/${encodeURIComponent(task)}/switch`, { version }),
  rollback: (task: string) => http.post<ModelSwitchOut>(`/api/routing/models/${encodeURIComponent(task)}/rollback`),
}
