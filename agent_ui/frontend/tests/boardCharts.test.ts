import { describe, expect, it } from 'vitest'
import counties from '@/charts/yunzhou-counties.json'
import type { BoardSeries } from '@/api/types'
import { countyTooltip, hourOption, lastN, mapOption, stationRows } from '@/views/supervisor/boardCharts'

const NAMES: Record<string, string> = Object.fromEntries(counties.features.map((f) => [f.properties.code, f.properties.name]))

function series(over: Partial<BoardSeries> = {}): BoardSeries {
  return {
    from: '2026-06-01T00:00:00Z',
    to: '2026-06-02T00:00:00Z',
    accepted: 0,
    volume_by_hour: [],
    satisfaction_by_day: [],
    on_time_by_workstation: [],
    categories: [],
    regions: [],
    unlocated: 0,
    ...over,
  }
}

describe('county map', () => {
  it('is our schematic map of the ten counties of 云州市, one polygon each', () => {
    expect(counties.features).toHaveLength(10)
    expect(Object.keys(NAMES).sort()).toEqual(['0101', '0102', '0103', '0104', '0105', '0106', '0107', '0108', '0109', '0110'])
    expect(NAMES['0107']).toBe('青川县')
    for (const f of counties.features) {
      const ring = f.geometry.coordinates[0]
      expect(ring[0]).toEqual(ring[ring.length - 1]) // closed
    }
  })

  it('gives every county a value, 0 where the API has nothing', () => {
    const region = { region_code: '0101', name: '云城区', orders: 7, hotspots: 1, hotspot_orders: 4, top_hotspots: [{ id: 1, title: '幸福路路灯不亮', size: 4, category: null }] }
    const opt = mapOption(series({ regions: [region] }), 'yunzhou', NAMES)
    const data = opt.series[0].data
    expect(data).toHaveLength(10)
    expect(data.find((d) => d.name === '0101')?.value).toBe(7)
    expect(data.filter((d) => d.value === 0)).toHaveLength(9)
    expect(opt.visualMap.max).toBe(7)
    expect(opt.series[0].label.formatter({ name: '0108', value: 0 })).toBe('白石县\n0')
    expect(opt.tooltip.formatter({ name: '0101' })).toContain('幸福路路灯不亮（4 件）')
    expect(countyTooltip(undefined, '临溪县')).toBe('临溪县<br/>受理 0 件')
    const hostile = { ...region, top_hotspots: [{ id: 2, title: '<img src=x onerror=alert(1)>', size: 2, category: null }] }
    expect(countyTooltip(hostile, '云城区')).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(countyTooltip(hostile, '云城区')).not.toContain('<img')
  })
})

describe('board series', () => {
  it('shows the last day of hours and keeps counties without anything due', () => {
    const hours = Array.from({ length: 48 }, (_, i) => ({ start: new Date(Date.UTC(2026, 5, 1, i)).toISOString(), count: i }))
    expect(lastN(hours, 24)[0].count).toBe(24)
    expect(hourOption(series({ volume_by_hour: hours })).series[0].data).toHaveLength(24)
    const rows = stationRows(series({
      on_time_by_workstation: [
        { workstation_id: 1, name: '云城区人民政府', kind: 'county', numerator: 0, denominator: 0, value: null },
        { workstation_id: 2, name: '市场监管局', kind: 'department', numerator: 0, denominator: 0, value: null },
        { workstation_id: 3, name: '住建局', kind: 'department', numerator: 1, denominator: 2, value: 0.5 },
      ],
    }))
    expect(rows.map((r) => r.short)).toEqual(['云城区', '住建局'])
  })
})
