import { describe, expect, it } from 'vitest'
import { buildBody, emptyForm, fieldsFor } from '@/components/orders/actionFields'
import { countdown, liveCountdown, secondsLeft } from '@/composables/useNow'
import { buildWorkstationTree } from '@/composables/useWorkstations'
import { CARDS, cardValue, dayWindow } from '@/views/supervisor/kpiWindow'
import { suggestOutSections } from '@/utils/suggest'

describe('action forms', () => {
  it('sends the version seen and only the fields the action takes', () => {
    const f = { ...emptyForm(), comment: ' 请核实 ', reason: '不相关', lead_unit_id: 3, assisting_unit_ids: [4], days: 2 }
    expect(buildBody('dispatch', 7, f)).toEqual({ version: 7, lead_unit_id: 3, assisting_unit_ids: [4], comment: '请核实' })
    expect(buildBody('request_extension', 2, f)).toEqual({ version: 2, days: 2, reason: '不相关', comment: '请核实' })
    expect(buildBody('sign', 1, f)).toEqual({ version: 1, comment: '请核实' })
  })

  it('leaves out what the user did not answer', () => {
    const f = emptyForm()
    expect(buildBody('follow_up_satisfied', 3, f)).toEqual({ version: 3 })
    expect(buildBody('follow_up_dissatisfied', 3, { ...f, resolved: 'no' })).toEqual({ version: 3, resolved: false })
    expect(fieldsFor('reply').find((x) => x.kind === 'comment')?.required).toBe(true)
  })
})

describe('countdowns', () => {
  it('counts down to a deadline and up past it', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(countdown('2026-01-02T01:02:03Z', now)).toEqual({ text: '剩余 1天 01:02:03', overdue: false })
    expect(countdown('2025-12-31T23:00:00Z', now)).toEqual({ text: '已超期 01:00:00', overdue: true })
    expect(countdown(null, now).text).toBe('')
  })

  it('counts the server\'s working time down only while it is ticking', () => {
    // As of Friday 16:30 (UTC+8): 22 working hours left, working time stops at 17:30.
    const asOf = '2026-06-12T08:30:00Z'
    const at = Date.parse(asOf)
    const sync = { asOf, receivedAt: at }
    const working = { seconds: 79_200, ticking: true, basis: 'working' as const, changes_at: '2026-06-12T09:30:00Z' }
    expect(secondsLeft(working, sync, at + 10_500)).toEqual({ seconds: 79_190, ticking: true })
    // Shown as hours of working time, not as days of the clock.
    expect(liveCountdown(working, sync, at)).toEqual({ text: '工作时间剩余 22:00:00', overdue: false, paused: false })
    expect(liveCountdown(working, sync, at + 61_000).text).toBe('工作时间剩余 21:58:59')
    // At 17:30 it stops by itself, before any refresh.
    expect(liveCountdown(working, sync, at + 2 * 3_600_000)).toEqual({
      text: '工作时间剩余 21:00:00 非工作时间（暂停计时）',
      overdue: false,
      paused: true,
    })
    // Friday night, paused until Monday 09:00: an hour later the figure has not moved.
    const night = { seconds: 75_600, ticking: false, basis: 'working' as const, changes_at: '2026-06-15T01:00:00Z' }
    const nightSync = { asOf: '2026-06-12T14:00:00Z', receivedAt: at }
    expect(liveCountdown(night, nightSync, at + 3_600_000).text).toBe('工作时间剩余 21:00:00 非工作时间（暂停计时）')
    // The client clock may differ from the server's: only the time since the answer arrived counts.
    expect(secondsLeft(night, nightSync, at + (59 * 3600 + 10) * 1000)).toEqual({ seconds: 75_590, ticking: true })
    const overdue = { seconds: -1800, ticking: false, basis: 'working' as const, changes_at: '2026-06-15T01:00:00Z' }
    expect(liveCountdown(overdue, nightSync, at + 5000)).toEqual({
      text: '工作时间已超期 00:30:00 非工作时间（暂停计时）',
      overdue: true,
      paused: true,
    })
    // Clock time (an urgent order's signing) runs day and night and crosses zero into overdue.
    const urgent = { seconds: 5, ticking: true, basis: 'clock' as const, changes_at: null }
    expect(liveCountdown(urgent, sync, at + 2000).text).toBe('剩余 00:00:03')
    expect(liveCountdown(urgent, sync, at + 65_000)).toEqual({ text: '已超期 00:01:00', overdue: true, paused: false })
    expect(liveCountdown({ seconds: 90_061, ticking: true, basis: 'clock' }, sync, at).text).toBe('剩余 1天 01:01:01')
    expect(liveCountdown(undefined, sync, at).text).toBe('')
  })
})

describe('supervisor board', () => {
  it('shows 今日受理 as the intake count and rates as percentages', () => {
    const fig = { value: 0.25, numerator: 1, denominator: 4 }
    expect(cardValue(CARDS[0], fig)).toBe('4')
    expect(cardValue(CARDS[1], fig)).toBe('25.0%')
    expect(cardValue(CARDS[1], { value: null, numerator: 0, denominator: 0 })).toBe('—')
    expect(cardValue(CARDS[5], { value: 3, numerator: 3, denominator: null })).toBe('3')
  })

  it('asks for the local day', () => {
    const w = dayWindow(0, new Date(2026, 0, 15, 13, 30))
    expect(new Date(w.from).getHours()).toBe(0)
    expect(Date.parse(w.to) - Date.parse(w.from)).toBe(86_400_000)
    expect(w.label).toBe('1/15')
  })
})

describe('organisation tree', () => {
  it('nests stations under their parent', () => {
    const tree = buildWorkstationTree([
      { id: 1, code: 'Q1', name: '云城区', tier: 2, kind: 'county', parent_id: null, region_code: null },
      { id: 2, code: 'S1', name: '桂花街道', tier: 3, kind: 'street', parent_id: 1, region_code: null },
    ])
    expect(tree).toHaveLength(1)
    expect(tree[0].children?.[0]).toMatchObject({ value: 2, label: '桂花街道（3级）' })
  })
})

describe('dispatch suggestion', () => {
  it('renders the suggestion answer: category choices, units, risks', () => {
    const field = (value: string | null, label: string | null) => ({
      value, label, confidence: 0.9, calibrated: true, needs_choice: false, alternatives: [], source: 'model', evidence: [],
    })
    const sections = suggestOutSections({
      category: { ...field('城乡建设/物业管理/物业服务', '物业服务'), evidence: ['关键词「物业」'] },
      request_type: field(null, null),
      urgency: field('normal', '一般'),
      units: { lead: { id: 1, name: '云城区人民政府' }, assist: [], delegate: null, evidence: ['规则 #1'] },
      locality: null,
      duplicates: [],
      direct_answer: null,
      risk_flags: [{ label: '自伤风险', reason: '出现「不想活」' }],
      explanation: { similar_orders: [], top_words: [] },
      needs_choice: false,
      timings_ms: {},
    })
    expect(sections.map((s) => s.key)).toEqual(['risk', 'category', 'urgency', 'units'])
    expect(sections[1].items[0].category).toEqual(['城乡建设', '物业管理', '物业服务'])
    expect(sections[3].items[0].label).toBe('主办：云城区人民政府')
  })

  it('says a unit came from the lead-unit model, and lists candidates when it is not sure', () => {
    const field = { value: null, label: null, confidence: 0.3, calibrated: false, needs_choice: true, alternatives: [], source: 'none', evidence: [] }
    const base = {
      category: field, request_type: field, urgency: field, locality: null, duplicates: [], direct_answer: null,
      risk_flags: [], explanation: { similar_orders: [], top_words: [] }, needs_choice: true, timings_ms: {},
    }
    const model = { assist: [], delegate: null, source: 'model', evidence: ['主办单位模型推荐：江北区人民政府（置信度 0.84）'] }
    const sure = suggestOutSections({
      ...base,
      units: { ...model, lead: { id: 2, name: '江北区人民政府' }, alternatives: [{ id: 1, name: '云城区人民政府' }], confidence: 0.84, needs_choice: false },
    })
    const units = sure.find((s) => s.key === 'units')!
    expect(units.items[0].label).toBe('主办：江北区人民政府')
    expect(units.items[0].detail).toContain('依据：模型推荐')
    expect(units.items[0].score).toBe(0.84)

    const unsure = suggestOutSections({
      ...base,
      units: { ...model, lead: null, alternatives: [{ id: 2, name: '江北区人民政府' }, { id: 1, name: '云城区人民政府' }], confidence: 0.41, needs_choice: true },
    })
    const ask = unsure.find((s) => s.key === 'units')!
    expect(ask.title).toContain('请选择')
    expect(ask.items.map((i) => i.label)).toEqual(['候选主办：江北区人民政府', '候选主办：云城区人民政府'])
    expect(ask.items[0].detail).toContain('模型推荐')
  })
})
