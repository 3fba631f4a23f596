// What the intake form takes from the routing suggestion, and what it reports back when the order is
// saved. Pre-fill: a confident suggestion fills request type, urgency and category unless the agent
// has chosen them; below the threshold the server sends no value and the console asks instead (a value
// the suggestion filled earlier is taken back). Feedback: the system's last suggestion per field
// against what the agent saved; the server keeps every field that differs as a labelled example.
import { computed, ref } from 'vue'
import type { FieldOut } from '@/utils/suggest'
import type { IntakeForm } from './intakeForm'

export const LEARNED_FIELDS = ['category', 'request_type', 'urgency'] as const
export type LearnedField = (typeof LEARNED_FIELDS)[number]
/** Per field: what the suggestion put in the form (still ours while the form holds it). */
export type Filled = Partial<Record<LearnedField, string>>
/** Per field: the system's suggestion (null: it asked the agent to choose). */
export type Shown = Partial<Record<LearnedField, string | null>>

function field(payload: Record<string, unknown> | null, key: LearnedField): FieldOut | null {
  const f = payload?.[key] as FieldOut | undefined
  // ``agent``: the server echoing the agent's own choice, not a suggestion.
  return f && typeof f === 'object' && f.source !== 'agent' ? f : null
}

function current(form: IntakeForm, key: LearnedField): string {
  return key === 'category' ? form.category.filter(Boolean).join('/') : form[key]
}

function set(form: IntakeForm, key: LearnedField, value: string): void {
  if (key === 'category') form.category = value ? value.split('/') : []
  else form[key] = value
}

/** Apply a suggestion to the form; returns the updated ``filled``. ``defaults``: values the form starts
 * with (the default urgency) count as not chosen by the agent. */
export function prefillFromSuggestion(
  form: IntakeForm,
  payload: Record<string, unknown> | null,
  filled: Filled,
  defaults: Partial<Record<LearnedField, string>> = {},
): Filled {
  const next: Filled = { ...filled }
  for (const key of LEARNED_FIELDS) {
    const f = field(payload, key)
    if (!f) continue
    const now = current(form, key)
    const ours = now === '' || now === next[key] || (next[key] === undefined && now === defaults[key])
    if (!ours) continue // the agent chose: never second-guessed
    if (f.value && !f.needs_choice) {
      set(form, key, f.value)
      next[key] = f.value
    } else if (next[key] !== undefined && now === next[key]) {
      // No longer confident: take our value back (the default urgency stays) so the agent chooses.
      set(form, key, defaults[key] ?? '')
      delete next[key]
    }
  }
  return next
}

/** The system's suggestion per field, keeping earlier ones where this answer only echoes the agent. */
export function shownSuggestions(payload: Record<string, unknown> | null, previous: Shown): Shown {
  const out: Shown = { ...previous }
  for (const key of LEARNED_FIELDS) {
    const f = field(payload, key)
    if (f) out[key] = f.value && !f.needs_choice ? f.value : null
  }
  return out
}

/** The body of ``POST /api/routing/feedback`` for a saved order, or null when no suggestion was shown. */
export function overrideBody(
  orderId: number,
  shown: Shown,
  form: IntakeForm,
): { order_id: number; suggested: Record<string, string | null>; chosen: Record<string, string> } | null {
  const suggested: Record<string, string | null> = {}
  const chosen: Record<string, string> = {}
  for (const key of LEARNED_FIELDS) {
    const said = shown[key]
    const value = current(form, key)
    // Only a suggestion actually made can be overridden: where the console asked, the saved value is
    // already the order's own label (and a default kept is no correction).
    if (!said || !value) continue
    suggested[key] = said
    chosen[key] = value
  }
  return Object.keys(chosen).length ? { order_id: orderId, suggested, chosen } : null
}

/** The category the suggestion request should treat as chosen: not one the suggestion filled itself
 * (else the model's opinion would freeze at its first guess while the agent types on). */
export function agentCategory(form: IntakeForm, filled: Filled): string[] {
  const now = current(form, 'category')
  return now && now === filled.category ? [] : [...form.category]
}

/** The intake view's state for the above: what was filled and shown, kept per call. */
export function useSuggestionFill(form: IntakeForm, defaults: () => Partial<Record<LearnedField, string>>) {
  const filled = ref<Filled>({})
  const shown = ref<Shown>({})
  return {
    apply(payload: Record<string, unknown> | null) {
      filled.value = prefillFromSuggestion(form, payload, filled.value, defaults())
      shown.value = shownSuggestions(payload, shown.value)
    },
    reset() {
      filled.value = {}
      shown.value = {}
    },
    feedback: (orderId: number) => overrideBody(orderId, shown.value, form),
    category: computed(() => agentCategory(form, filled.value)),
  }
}
