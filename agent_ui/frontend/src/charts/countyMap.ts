// The county map of the board, loaded only by the board (a separate chunk): the map chart pieces of
// ECharts and our schematic GeoJSON of 云州市 (scripts/county-map.mjs; not survey data).
import { MapChart } from 'echarts/charts'
import { GeoComponent, VisualMapComponent } from 'echarts/components'
import { echarts } from './echarts'
import counties from './yunzhou-counties.json'

export const COUNTY_MAP = 'yunzhou'

/** Region code → county name, as drawn on the map. */
export const COUNTY_NAMES: Record<string, string> = Object.fromEntries(
  counties.features.map((f) => [f.properties.code, f.properties.name]),
)

let registered = false
export function ensureCountyMap(): void {
  if (registered) return
  echarts.use([MapChart, GeoComponent, VisualMapComponent])
  // Features are keyed by region code (nameProperty below), so renamed counties still match the API's.
  echarts.registerMap(COUNTY_MAP, counties as unknown as Parameters<typeof echarts.registerMap>[1])
  registered = true
}
