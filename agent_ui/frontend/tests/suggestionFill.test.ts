import { describe, expect, it } from 'vitest'
import { emptyIntake } from '@/views/intake/intakeForm'
import { agentCategory, overrideBody, prefillFromSuggestion, shownSuggestions } from '@/views/intake/suggestionFill'
import { suggestOutSections } from '@/utils/suggest'

const field = (value: string | null, extra: Record<string, unknown> = {}) => ({
  value,
  label: value,
  confidence: value ? 0.9 : 0.4,
  calibrated: true,
  needs_choice: value === null,
  alternatives: [{ value: value ?? 'enquiry', label: value ?? '咨询', confidence: value ? 0.9 : 0.4 }],
  evidence: [],
  source: 'model',
  ...extra,
})

function payload(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: field('城乡建设/市政设施/路灯故障'),
    request_type: field('complaint'),
    urgency: field('urgent'),
    units: { lead: null, assist: [], delegate: null, evidence: [] },
    duplicates: [],
    ...over,
  }
}

describe('intake pre-fill from the suggestion', () => {
  it('fills what the agent has not chosen and never overwrites a choice', () => {
    const form = emptyIntake(null)
    form.urgency = 'normal'
    let filled = prefillFromSuggestion(form, payload(), {}, { urgency: 'normal' })
    expect([form.request_type, form.urgency, form.category]).toEqual(['complaint', 'urgent', ['城乡建设', '市政设施', '路灯故障']])
    form.request_type = 'enquiry' // the agent's choice
    filled = prefillFromSuggestion(form, payload({ request_type: field('suggestion') }), filled, { urgency: 'normal' })
    expect(form.request_type).toBe('enquiry')
    expect(filled.request_type).toBe('complaint')
  })

  it('takes its own value back when no longer confident, so the agent is asked', () => {
    const form = emptyIntake(null)
    form.urgency = 'normal'
    let filled = prefillFromSuggestion(form, payload(), {}, { urgency: 'normal' })
    filled = prefillFromSuggestion(form, payload({ request_type: field(null), urgency: field(null), category: field(null) }), filled, {
      urgency: 'normal',
    })
    expect([form.request_type, form.urgency, form.category]).toEqual(['', 'normal', []])
    expect(filled).toEqual({})
  })

  it("ignores the server's echo of the agent's own choice", () => {
    const form = emptyIntake(null)
    const filled = prefillFromSuggestion(form, payload({ category: field('a/b/c', { source: 'agent' }) }), {})
    expect(filled.category).toBeUndefined()
    expect(shownSuggestions(payload({ category: field('a/b/c', { source: 'agent' }) }), { category: 'x/y' }).category).toBe('x/y')
  })

  it('sends only an agent-chosen category to the suggestion', () => {
    const form = emptyIntake(null)
    const filled = prefillFromSuggestion(form, payload(), {})
    expect(agentCategory(form, filled)).toEqual([])
    form.category = ['城乡建设', '市政设施', '道路破损']
    expect(agentCategory(form, filled)).toEqual(['城乡建设', '市政设施', '道路破损'])
  })
})

describe('overrides reported when the order is saved', () => {
  it('pairs each shown suggestion with what the agent saved', () => {
    const form = emptyIntake(null)
    form.request_type = 'enquiry'
    form.urgency = 'normal'
    form.category = ['城乡建设', '市政设施', '路灯故障']
    const shown = shownSuggestions(payload({ urgency: field(null) }), {})
    // Urgency was asked about (no value suggested): the saved default is no correction.
    expect(overrideBody(7, shown, form)).toEqual({
      order_id: 7,
      suggested: { category: '城乡建设/市政设施/路灯故障', request_type: 'complaint' },
      chosen: { category: '城乡建设/市政设施/路灯故障', request_type: 'enquiry' },
    })
    expect(overrideBody(7, {}, form)).toBeNull()
  })
})

describe('suggestion panel', () => {
  it('shows the explanation: words and similar orders with their final category and unit', () => {
    const sections = suggestOutSections(
      payload({
        explanation: {
          top_words: ['路灯', '不亮'],
          similar_orders: [{ number: 'N1', subject: '路灯坏了', category: '城乡建设/市政设施/路灯故障', unit: '城管局', score: 0.8 }],
        },
      }),
    )
    const words = sections.find((s) => s.key === 'words')
    const similar = sections.find((s) => s.key === 'similar')
    expect(words?.items[0].label).toBe('「路灯」 「不亮」')
    expect(similar?.items[0].label).toBe('N1 路灯坏了')
    expect(similar?.items[0].detail).toBe('分类：城乡建设/市政设施/路灯故障；主办：城管局')
  })

  it('asks to choose below the threshold and hides uncalibrated scores', () => {
    const sections = suggestOutSections(payload({ request_type: field(null), urgency: field('urgent', { calibrated: false }) }))
    const rt = sections.find((s) => s.key === 'request_type')
    expect(rt?.title).toBe('诉求类型（请选择）')
    expect(rt?.items[0].apply).toEqual({ field: 'request_type', value: 'enquiry' })
    expect(rt?.items[0].detail).toContain('置信度不足')
    expect(sections.find((s) => s.key === 'urgency')?.items[0].score).toBeNull()
  })
})
