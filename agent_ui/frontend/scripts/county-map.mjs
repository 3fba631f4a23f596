// Writes src/charts/yunzhou-counties.json: a SCHEMATIC map of the fictional demo city 云州市, drawn by us
// (no survey data). Each entry: region code, name, label point, outline. Ten counties tile a 10×10
// square: the five urban districts as a pinwheel round 云城区, the high-tech zone east of them, four
// rural counties in the corners. Edges are cut into short pieces
// and bent by one smooth warp of the plane; every shared edge gets the same points on both sides, so
// the polygons still meet without gaps. Run: node scripts/county-map.mjs
import { writeFileSync } from 'node:fs'

const COUNTIES = [
  ['0101', '云城区', [5, 5], [[4.1, 4.1], [5.9, 4.1], [5.9, 5.9], [4.1, 5.9]]],
  ['0105', '北塘区', [4.4, 6.7], [[2.6, 5.9], [4.1, 5.9], [5.9, 5.9], [5.9, 7.4], [5, 7.4], [2.6, 7.4]]],
  ['0102', '东湖区', [6.7, 5.5], [[5.9, 4.1], [7.4, 4.1], [7.4, 5], [7.4, 7.4], [5.9, 7.4], [5.9, 5.9]]],
  ['0104', '南港区', [5.6, 3.3], [[4.1, 2.6], [5, 2.6], [7.4, 2.6], [7.4, 4.1], [5.9, 4.1], [4.1, 4.1]]],
  ['0103', '西山区', [3.3, 4.5], [[2.6, 2.6], [4.1, 2.6], [4.1, 4.1], [4.1, 5.9], [2.6, 5.9], [2.6, 5]]],
  ['0106', '云州高新区', [8.2, 6.2], [[7.4, 5], [9, 5], [9, 7.4], [7.4, 7.4]]],
  ['0107', '青川县', [1.7, 8], [[0, 5], [2.6, 5], [2.6, 5.9], [2.6, 7.4], [5, 7.4], [5, 10], [0, 10]]],
  ['0109', '凤鸣县', [7.4, 8.6], [[5, 7.4], [5.9, 7.4], [7.4, 7.4], [9, 7.4], [9, 5], [10, 5], [10, 10], [5, 10]]],
  ['0110', '临溪县', [7.6, 1.9], [[5, 0], [10, 0], [10, 5], [9, 5], [7.4, 5], [7.4, 4.1], [7.4, 2.6], [5, 2.6]]],
  ['0108', '白石县', [2.2, 2], [[0, 0], [5, 0], [5, 2.6], [4.1, 2.6], [2.6, 2.6], [2.6, 5], [0, 5]]],
]

const STEP = 0.25 // edge pieces, in grid units

function densify(ring) {
  const out = []
  ring.forEach((a, i) => {
    const b = ring[(i + 1) % ring.length]
    const n = Math.max(1, Math.round(Math.hypot(b[0] - a[0], b[1] - a[1]) / STEP))
    for (let k = 0; k < n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n])
  })
  return out
}

// One warp for the whole plane: a point maps to one place whichever polygon it belongs to.
function warp([x, y]) {
  const wx = x + 0.35 * Math.sin(y * 1.3 + 0.4) + 0.15 * Math.sin(y * 3.1 + x)
  const wy = y + 0.3 * Math.sin(x * 1.1 + 1.2) + 0.12 * Math.cos(x * 2.7 - y)
  // Grid units to lon/lat-like degrees, so ECharts' geo projection draws it with plausible proportions.
  return [+(112.6 + wx * 0.11).toFixed(4), +(27.6 + wy * 0.1).toFixed(4)]
}

const features = COUNTIES.map(([code, name, centre, ring]) => {
  const pts = densify(ring).map(warp)
  pts.push(pts[0])
  return {
    type: 'Feature',
    // cp: where ECharts puts the label, a point well inside the county (L-shaped ones included).
    properties: { code, name, cp: warp(centre) },
    geometry: { type: 'Polygon', coordinates: [pts] },
  }
})

const out = new URL('../src/charts/yunzhou-counties.json', import.meta.url)
writeFileSync(out, JSON.stringify({ type: 'FeatureCollection', features }) + '\n')
console.log(`wrote ${features.length} counties to ${out.pathname}`)
