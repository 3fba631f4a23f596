// Autosave of the intake form to the server (`/api/drafts/intake`), so a reload or a dropped call
// brings the form back.
import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import { draftsApi } from '@/api'
import { ApiError } from '@/api/http'
import type { Enums } from '@/api/types'
import { useDebouncedWatch } from '@/composables/useLiveQuery'
import { isPristine, restoreIntake, type IntakeForm } from './intakeForm'

export const DRAFT_DEBOUNCE_MS = 800

export type DraftState = 'none' | 'saving' | 'saved' | 'error'

const clock = (d: Date) => d.toLocaleTimeString('zh-CN', { hour12: false })

export function useIntakeDraft(form: IntakeForm, enums: () => Enums | null) {
  const state = ref<DraftState>('none')
  const savedAt = ref('')
  // Off until the stored draft has been read, so the blank form does not overwrite it.
  let enabled = false
  let stored = false
  let inFlight: Promise<void> = Promise.resolve()

  async function write(snapshot: IntakeForm) {
    if (!enabled) return
    try {
      if (isPristine(snapshot, enums())) {
        if (stored) {
          await draftsApi.remove()
          stored = false
        }
        state.value = 'none'
        return
      }
      state.value = 'saving'
      await draftsApi.put(snapshot)
      stored = true
      state.value = 'saved'
      savedAt.value = clock(new Date())
    } catch (err) {
      // Once per failure streak: autosave retries every few keystrokes and must not flood the screen.
      if (state.value !== 'error') ElMessage.error(`草稿保存失败：${err instanceof ApiError ? err.detail : '未知错误'}`)
      state.value = 'error'
    }
  }

  function persist(snapshot: IntakeForm): Promise<void> {
    // Chained, so a late PUT can never land after the DELETE that follows a save.
    inFlight = inFlight.then(() => write(snapshot))
    return inFlight
  }

  const watcher = useDebouncedWatch(() => ({ ...form, category: [...form.category] }), persist, DRAFT_DEBOUNCE_MS, {
    flushOnUnmount: true,
  })

  /** Load the stored draft into `form`; true when there was one. Autosave starts afterwards either way. */
  async function restore(): Promise<boolean> {
    let restored = false
    try {
      const draft = await draftsApi.get<IntakeForm>()
      const data = draft?.data ? restoreIntake(draft.data, enums()) : null
      if (data && !isPristine(data, enums())) {
        Object.assign(form, data)
        stored = true
        state.value = 'saved'
        savedAt.value = draft.updated_at ? clock(new Date(draft.updated_at)) : ''
        restored = true
      }
    } catch {
      // No draft could be read; autosave still runs and may succeed later.
    }
    enabled = true
    return restored
  }

  /** Drop the stored draft once the call is dealt with; edits made afterwards start a new one. */
  async function discard(): Promise<void> {
    watcher.cancel()
    enabled = false
    await inFlight
    if (stored) await draftsApi.remove().catch(() => {})
    stored = false
    state.value = 'none'
    enabled = true
  }

  return { state, savedAt, restore, discard }
}
