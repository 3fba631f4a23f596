// The `suggest.result` payload is still being designed server-side; render whatever lists it carries
// without guessing field by field, so new keys show up instead of silently disappearing.

export interface SuggestItem {
  label: string
  detail: string
  score: number | null
  category: [string, string, string] | null
  raw: Record<string, unknown>
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
