// The intake form's model, kept apart from the view so drafts and the API body agree on one shape.
import type { Enums, OrderCreate } from '@/api/types'
import { newUuid } from '@/utils/format'

export interface IntakeForm {
  channel: string
  request_type: string
  urgency: string
  caller_name: string
  caller_phone: string
  caller_address: string
  incident_address: string
  region_code: string
  category: string[]
  subject: string
  description: string
  confidential: boolean
  anonymous: boolean
  /** One key per intake: a retried save (double click, reload, dropped network) cannot create a second order. */
  idempotency_key: string
}

function pick(options: { value: string }[] | undefined, preferred: string[]): string {
  if (!options?.length) return ''
  return options.find((o) => preferred.includes(o.value))?.value ?? options[0].value
}

export function emptyIntake(enums: Enums | null): IntakeForm {
  return {
    channel: pick(enums?.channels, ['phone', 'hotline', 'call']),
    request_type: '',
    urgency: pick(enums?.urgencies, ['normal', 'general', 'routine']),
    caller_name: '',
    caller_phone: '',
    caller_address: '',
    incident_address: '',
    region_code: '',
    category: [],
    subject: '',
    description: '',
    confidential: false,
    anonymous: false,
    idempotency_key: newUuid(),
  }
}

/** True when the agent has typed nothing worth keeping (defaults do not count). */
export function isPristine(form: IntakeForm, enums: Enums | null): boolean {
  const blank = emptyIntake(enums)
  const keys: (keyof IntakeForm)[] = [
    'caller_name',
    'caller_phone',
    'caller_address',
    'incident_address',
    'region_code',
    'subject',
    'description',
    'request_type',
  ]
  return keys.every((k) => form[k] === blank[k]) && form.category.length === 0 && !form.confidential && !form.anonymous
}

/** Merge a stored draft over a blank form, ignoring keys from older draft shapes. */
export function restoreIntake(data: unknown, enums: Enums | null): IntakeForm {
  const form = emptyIntake(enums)
  if (!data || typeof data !== 'object') return form
  const d = data as Record<string, unknown>
  for (const key of Object.keys(form) as (keyof IntakeForm)[]) {
    const v = d[key]
    if (v === undefined || v === null) continue
    if (key === 'category') {
      if (Array.isArray(v)) form.category = v.filter((x): x is string => typeof x === 'string')
    } else if (typeof v === typeof form[key]) {
      ;(form as unknown as Record<string, unknown>)[key] = v
    }
  }
  return form
}

const orNull = (s: string) => (s.trim() ? s.trim() : null)

export function toOrderCreate(form: IntakeForm): OrderCreate {
  const [l1, l2, l3] = form.category
  return {
    channel: form.channel,
    request_type: form.request_type,
    urgency: form.urgency,
    // An anonymous caller's identity is never stored, not even what was typed before the switch.
    caller_name: form.anonymous ? null : orNull(form.caller_name),
    caller_phone: form.anonymous ? null : orNull(form.caller_phone),
    caller_address: form.anonymous ? null : orNull(form.caller_address),
    incident_address: form.incident_address.trim(),
    region_code: orNull(form.region_code),
    category_l1: l1 ?? null,
    category_l2: l2 ?? null,
    category_l3: l3 ?? null,
    subject: form.subject.trim(),
    description: form.description.trim(),
    confidential: form.confidential,
    anonymous: form.anonymous,
  }
}
