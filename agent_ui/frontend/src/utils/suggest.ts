// The `suggest.result` payload is still being designed server-side; render whatever lists it carries
// without guessing field by field, so new keys show up instead of silently disappearing.

export interface SuggestItem {
  label: string
  detail: string
  score: number | null
  category: [string, string, string] | null
  raw: Record<string, unknown>
  /** A request type or urgency the agent can take with one click. */
  apply?: { field: 'request_type' | 'urgency'; value: string }
}

export interface SuggestSection {
  key: string
  title: string
  items: SuggestItem[]
}

const SECTION_TITLES: Record<string, string> = {
  categories: '分类建议',
  category: '分类建议',
  units: '承办单位建议',
  lead_units: '主办单位建议',
  assisting_units: '协办单位建议',
  handling_units: '承办单位建议',
  candidates: '派单建议',
  dispatch: '派单建议',
  duplicates: '疑似重复工单',
  similar_orders: '相似工单',
  rules: '命中的派单目录',
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : ''
}

function categoryOf(o: Record<string, unknown>): [string, string, string] | null {
  const l1 = str(o.level1 ?? o.category_l1)
  if (!l1) return null
  return [l1, str(o.level2 ?? o.category_l2), str(o.level3 ?? o.category_l3)]
}

export function toItem(value: unknown): SuggestItem {
  if (value === null || typeof value !== 'object') {
    return { label: str(value) || JSON.stringify(value), detail: '', score: null, category: null, raw: {} }
  }
  const o = value as Record<string, unknown>
  const category = categoryOf(o)
  const unit = o.unit && typeof o.unit === 'object' ? (o.unit as Record<string, unknown>) : null
  const label =
    str(o.name) ||
    str(unit?.name) ||
    str(o.title) ||
    [str(o.number), str(o.subject)].filter(Boolean).join(' ') ||
    (category ? category.filter(Boolean).join(' / ') : '') ||
    JSON.stringify(o)
  const detail = [str(o.reason), str(o.explanation), str(o.state_label), str(o.role_label)].filter(Boolean).join('；')
  const rawScore = o.score ?? o.confidence ?? o.probability
  const score = typeof rawScore === 'number' ? rawScore : null
  return { label, detail, score, category, raw: o }
}

export function suggestSections(payload: unknown): SuggestSection[] {
  if (!payload || typeof payload !== 'object') return []
  const sections: SuggestSection[] = []
  for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
    let items: SuggestItem[] = []
    if (Array.isArray(value)) items = value.map(toItem)
    else if (value && typeof value === 'object') items = [toItem(value)]
    else continue
    if (items.length) sections.push({ key, title: SECTION_TITLES[key] ?? key, items })
  }
  return sections
}

// ---- the real answer of the `suggest` message (routing/suggest/schemas.py SuggestOut) -------------
export interface FieldOut {
  value: string | null
  label: string | null
  confidence: number
  calibrated?: boolean
  needs_choice: boolean
  alternatives: { value: string; label: string; confidence: number }[]
  evidence: string[]
  source?: string
}
interface SimilarOrderOut {
  number: string
  subject: string
  category: string | null
  unit: string | null
  score: number
}
interface UnitOut {
  id: number | null
  code?: string
  name: string
}
export interface UnitsOut {
  lead: UnitOut | null
  assist: UnitOut[]
  delegate: UnitOut | null
  evidence: string[]
  source?: string
  alternatives?: UnitOut[]
  confidence?: number | null
  needs_choice?: boolean
}

/** Where the suggested units came from (routing/suggest/schemas.py UnitsSuggestion.source). */
export const UNIT_SOURCE_LABELS: Record<string, string> = {
  rule: '派单目录规则',
  model: '模型推荐',
  similar_orders: '相似工单',
  locality: '属地',
}

export function unitSourceLabel(source: string | undefined): string {
  return source ? (UNIT_SOURCE_LABELS[source] ?? '') : ''
}

function isSuggestOut(p: Record<string, unknown>): boolean {
  return !!p.category && typeof p.category === 'object' && 'needs_choice' in (p.category as object) && 'units' in p
}

/** A percentage only where it is a calibrated probability; a rule's or the neighbours' score is not one. */
function shownScore(f: FieldOut, confidence: number): number | null {
  return f.calibrated === false ? null : confidence
}

function categoryItems(f: FieldOut): SuggestItem[] {
  const choices = f.value ? [{ value: f.value, label: f.label ?? f.value, confidence: f.confidence }] : []
  for (const a of f.alternatives) if (!choices.some((c) => c.value === a.value)) choices.push(a)
  return choices.map((c, i) => {
    const [l1, l2, l3] = c.value.split('/')
    return {
      label: c.label || c.value,
      detail: i === 0 && f.evidence.length ? f.evidence.join('；') : f.needs_choice && i === 0 ? '置信度不足，请话务员选择' : '',
      score: shownScore(f, c.confidence),
      category: [l1 ?? '', l2 ?? '', l3 ?? ''] as [string, string, string],
      raw: c as unknown as Record<string, unknown>,
    }
  })
}

/** Sections for a SuggestOut; any other shape goes through the generic renderer. */
export function suggestOutSections(payload: unknown): SuggestSection[] {
  if (!payload || typeof payload !== 'object') return []
  const p = payload as Record<string, unknown>
  if (!isSuggestOut(p)) return suggestSections(payload)
  const out: SuggestSection[] = []
  const risk = (p.risk_flags as { label: string; reason: string }[]) ?? []
  if (risk.length) out.push({ key: 'risk', title: '风险提示', items: risk.map((r) => toItem({ name: r.label, reason: r.reason })) })
  const cat = categoryItems(p.category as FieldOut)
  if (cat.length) out.push({ key: 'category', title: '分类建议', items: cat })
  for (const [key, title] of [['request_type', '诉求类型'], ['urgency', '紧急程度']] as const) {
    const f = p[key] as FieldOut | undefined
    if (!f) continue
    const detail = f.evidence.join('；')
    if (f.label && f.value) {
      out.push({ key, title, items: [{ label: f.label, detail, score: shownScore(f, f.confidence), category: null, raw: { value: f.value } }] })
    } else if (f.alternatives.length) {
      // Below the threshold nothing is pre-filled: the agent chooses among the ranked values.
      const items = f.alternatives.map((a, i) => ({
        label: a.label,
        detail: i === 0 ? ['置信度不足，请话务员选择', detail].filter(Boolean).join('；') : '',
        score: shownScore(f, a.confidence),
        category: null,
        raw: { value: a.value },
        apply: { field: key, value: a.value },
      }))
      out.push({ key, title: `${title}（请选择）`, items })
    }
  }
  const units = p.units as UnitsOut | undefined
  const from = unitSourceLabel(units?.source)
  const reason = (evidence: string[]) => [from ? `依据：${from}` : '', ...evidence].filter(Boolean).join('；')
  if (units?.lead) {
    const items = [toItem({ name: `主办：${units.lead.name}`, reason: reason(units.evidence), confidence: units.confidence ?? undefined })]
    if (units.assist.length) items.push(toItem({ name: `协办：${units.assist.map((u) => u.name).join('、')}` }))
    if (units.delegate) items.push(toItem({ name: `可下派：${units.delegate.name}` }))
    out.push({ key: 'units', title: '承办单位建议', items })
  } else if (units?.needs_choice && units.alternatives?.length) {
    // Below the threshold nothing is pre-filled: the ranked units are offered for the agent to choose.
    const items = units.alternatives.map((u, i) => toItem({ name: `候选主办：${u.name}`, reason: i === 0 ? reason(units.evidence) : '' }))
    out.push({ key: 'units', title: '承办单位建议（置信度不足，请选择）', items })
  }
  const dups = (p.duplicates as { number: string; subject: string; reasons: string[] }[]) ?? []
  if (dups.length) out.push({ key: 'duplicates', title: '疑似重复工单', items: dups.map((d) => toItem({ number: d.number, subject: d.subject, reason: d.reasons.join('；') })) })
  const direct = p.direct_answer as { title: string; snippet: string; score: number } | null
  if (direct) out.push({ key: 'direct', title: '可直办答复', items: [toItem({ title: direct.title, reason: direct.snippet, score: direct.score })] })
  out.push(...explanationSections(p.explanation))
  return out
}

/** 判断依据: the words that weighed most and the most similar past orders with their final category
 * and unit (masked by the server for confidential callers). */
function explanationSections(value: unknown): SuggestSection[] {
  const e = value as { similar_orders?: SimilarOrderOut[]; top_words?: string[] } | null | undefined
  const out: SuggestSection[] = []
  const words = e?.top_words ?? []
  if (words.length) {
    out.push({ key: 'words', title: '起作用的词', items: [{ label: words.map((w) => `「${w}」`).join(' '), detail: '', score: null, category: null, raw: {} }] })
  }
  const similar = (e?.similar_orders ?? []).slice(0, 3)
  if (similar.length) {
    const items = similar.map((o) => ({
      label: `${o.number} ${o.subject}`,
      detail: [o.category ? `分类：${o.category}` : '', o.unit ? `主办：${o.unit}` : ''].filter(Boolean).join('；'),
      score: null,
      category: null,
      raw: o as unknown as Record<string, unknown>,
    }))
    out.push({ key: 'similar', title: '相似历史工单', items })
  }
  return out
}
