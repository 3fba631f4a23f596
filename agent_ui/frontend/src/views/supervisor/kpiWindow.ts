// Local-day windows for the KPI API (which takes UTC instants).
export function dayWindow(offsetDays = 0, base = new Date()): { from: string; to: string; label: string } {
  const start = new Date(base.getFullYear(), base.getMonth(), base.getDate() + offsetDays)
  const end = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1)
  const label = `${start.getMonth() + 1}/${start.getDate()}`
  return { from: start.toISOString(), to: end.toISOString(), label }
}

export interface CardSpec {
  metric: string
  title: string
  /** Show the denominator as a count (今日受理) instead of the ratio. */
  part?: 'numerator' | 'denominator'
  count?: boolean
}

export const CARDS: CardSpec[] = [
  { metric: 'direct_resolution_rate', title: '今日受理', part: 'denominator', count: true },
  { metric: 'direct_resolution_rate', title: '直办率' },
  { metric: 'on_time_sign_rate', title: '按时签收率' },
  { metric: 'on_time_completion_rate', title: '按时办结率' },
  { metric: 'satisfaction_rate', title: '满意率' },
  { metric: 'overdue_count', title: '超期', count: true },
]

export function cardValue(
  spec: CardSpec,
  fig: { value: number | null; numerator: number; denominator: number | null } | undefined,
): string {
  if (!fig) return '—'
  if (spec.count) return String(spec.part === 'denominator' ? (fig.denominator ?? 0) : fig.numerator)
  return fig.value === null ? '—' : `${(fig.value * 100).toFixed(1)}%`
}
