// ECharts options for the supervisor board, built from the server's series (GET /api/kpi/board). Pure
// functions: no ECharts import here, so they are cheap to test and the map pieces stay in their chunk.
import type { BoardRegion, BoardSeries } from '@/api/types'

const BLUE = '#0b4ea2'
const pct = (v: number) => `${Math.round(v * 1000) / 10}%`

/** ECharts renders tooltips as HTML; hotspot titles are callers' words, so everything is escaped. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

/** The last ``n`` entries of a series (the board asks for 30 days and shows today / the last week). */
export function lastN<T>(rows: T[], n: number): T[] {
  return rows.slice(Math.max(0, rows.length - n))
}

export function hourOption(s: BoardSeries | null) {
  const rows = lastN(s?.volume_by_hour ?? [], 24)
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 36, right: 12, top: 20, bottom: 24 },
    xAxis: { type: 'category', data: rows.map((r) => `${new Date(r.start).getHours()}时`) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '受理量', data: rows.map((r) => r.count), itemStyle: { color: BLUE } }],
  }
}

export function trendOption(s: BoardSeries | null) {
  const rows = lastN(s?.satisfaction_by_day ?? [], 7)
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '无数据' : pct(v)) },
    grid: { left: 44, right: 12, top: 20, bottom: 24 },
    xAxis: { type: 'category', data: rows.map((r) => { const d = new Date(r.start); return `${d.getMonth() + 1}/${d.getDate()}` }) },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${v * 100}%` } },
    series: [{ type: 'line', name: '满意率', data: rows.map((r) => r.value), connectNulls: true }],
  }
}

/** Counties always (an empty bar says "nothing due"), departments only when something fell due. */
export function stationRows(s: BoardSeries | null) {
  return (s?.on_time_by_workstation ?? [])
    .filter((w) => w.kind === 'county' || w.denominator > 0)
    .map((w) => ({ ...w, short: w.name.replace(/人民政府$|管理委员会$/, '') }))
}

export function stationOption(s: BoardSeries | null) {
  const rows = stationRows(s)
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (ps: { dataIndex: number }[]) => {
        const r = rows[ps[0]?.dataIndex ?? -1]
        return r ? `${esc(r.name)}<br/>按时办结 ${r.numerator} / 到期 ${r.denominator}${r.value === null ? '' : `（${pct(r.value)}）`}` : ''
      },
    },
    grid: { left: 110, right: 16, top: 10, bottom: 24 },
    xAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${v * 100}%` } },
    yAxis: { type: 'category', data: rows.map((r) => r.short) },
    series: [{ type: 'bar', name: '按时办结率（近30天）', data: rows.map((r) => r.value ?? 0) }],
  }
}

export const UNCATEGORISED = '未分类'

export function categoryOption(s: BoardSeries | null) {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} 件（{d}%）' },
    series: [{
      type: 'pie',
      radius: ['35%', '70%'],
      data: (s?.categories ?? []).map((c) => ({ name: c.category_l1 ?? UNCATEGORISED, value: c.count })),
    }],
  }
}

/** Tooltip of one county: its count and its largest hotspots. */
export function countyTooltip(r: BoardRegion | undefined, name: string): string {
  if (!r) return `${esc(name)}<br/>受理 0 件`
  const lines = [`<b>${esc(r.name)}</b>`, `受理 ${r.orders} 件（近30天）`, `热点 ${r.hotspots} 个，涉及 ${r.hotspot_orders} 件`]
  for (const h of r.top_hotspots) lines.push(`· ${esc(h.title)}（${h.size} 件）`)
  return lines.join('<br/>')
}

/** The map: every county of the schematic map gets a value (0 when the API has nothing for it). */
export function mapOption(s: BoardSeries | null, map: string, names: Record<string, string>) {
  const byCode = new Map((s?.regions ?? []).map((r) => [r.region_code, r]))
  const data = Object.keys(names).map((code) => ({ name: code, value: byCode.get(code)?.orders ?? 0 }))
  const max = Math.max(1, ...data.map((d) => d.value))
  const label = (code: string) => byCode.get(code)?.name ?? names[code] ?? code
  return {
    tooltip: { trigger: 'item', formatter: (p: { name: string }) => countyTooltip(byCode.get(p.name), label(p.name)) },
    visualMap: {
      min: 0, max, left: 8, bottom: 8, calculable: false, itemHeight: 80,
      text: [`${max} 件`, '0'], inRange: { color: ['#e8f1fb', '#7fb0e6', BLUE, '#d03050'] },
    },
    series: [{
      type: 'map',
      map,
      nameProperty: 'code',
      // Our map is drawn in square grid units, not on a real projection: keep it square, fill the card.
      aspectScale: 1,
      layoutCenter: ['55%', '50%'],
      layoutSize: '96%',
      roam: false,
      selectedMode: false,
      // Dark text with a white halo reads on the palest and the darkest county alike.
      label: { show: true, fontSize: 11, color: '#1d2129', textBorderColor: '#fff', textBorderWidth: 2, formatter: (p: { name: string; value: number }) => `${label(p.name)}\n${Number.isFinite(p.value) ? p.value : 0}` },
      emphasis: { label: { show: true }, itemStyle: { areaColor: '#f5c26b' } },
      data,
    }],
  }
}
