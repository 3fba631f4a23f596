// Display helpers for the model-version tab (pure, unit-tested).

const FIGURES: Record<string, string> = {
  macro_f1: 'macro-F1',
  baseline_macro_f1: '基线 macro-F1',
  accuracy: '准确率',
  ece: 'ECE',
  folds: '折数',
  n_test: '测试条数',
}

/** The stored evaluation figures as short "name value" strings, known figures first. */
export function evaluationFigures(evaluation: Record<string, unknown> | null | undefined): string[] {
  const entries = Object.entries(evaluation ?? {}).filter(([, v]) => typeof v === 'number' || typeof v === 'string')
  const order = Object.keys(FIGURES)
  entries.sort(([a], [b]) => {
    const ia = order.indexOf(a) < 0 ? order.length : order.indexOf(a)
    const ib = order.indexOf(b) < 0 ? order.length : order.indexOf(b)
    return ia - ib || a.localeCompare(b)
  })
  return entries.map(([k, v]) => {
    const value = typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v)
    return `${FIGURES[k] ?? k} ${value}`
  })
}

/** The first 12 hex digits of a hash, as the CLI prints it. */
export function shortHash(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : '—'
}
