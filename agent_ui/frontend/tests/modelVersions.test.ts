import { describe, expect, it } from 'vitest'
import { evaluationFigures, shortHash } from '@/utils/modelVersions'

describe('model versions tab', () => {
  it('shows the stored evaluation figures, known ones first, rounded', () => {
    expect(evaluationFigures({ folds: 5, ece: 0.041234, macro_f1: 0.9312345, extra: 'x', per_class: {} })).toEqual([
      'macro-F1 0.9312',
      'ECE 0.0412',
      '折数 5',
      'extra x',
    ])
    expect(evaluationFigures({})).toEqual([])
    expect(evaluationFigures(null)).toEqual([])
  })

  it('shortens the training-data hash', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('0123456789ab')
    expect(shortHash('')).toBe('—')
  })
})
