// Gzipped JavaScript each screen loads (entry + the route chunk + their static imports), from the
// Vite manifest. Fails when login + the agent screen exceed the 1 MB budget of issue 7.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const dist = new URL('../../dist/', import.meta.url).pathname
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'))
const BUDGET = 1024 * 1024

function closure(keys) {
  const seen = new Set()
  const walk = (k) => {
    if (seen.has(k)) return
    seen.add(k)
    for (const i of manifest[k].imports ?? []) walk(i)
  }
  keys.forEach(walk)
  return seen
}

function gz(keys) {
  let total = 0
  for (const k of keys) total += gzipSync(readFileSync(join(dist, manifest[k].file))).length
  return total
}

const key = (suffix) => {
  const k = Object.keys(manifest).find((m) => m.endsWith(suffix))
  if (!k) throw new Error(`no chunk for ${suffix} in the manifest`)
  return k
}

const entry = key('index.html')
const screens = {
  'login': [entry, key('LoginView.vue')],
  'login + agent screen (受理台)': [entry, key('LoginView.vue'), key('AppShell.vue'), key('IntakeView.vue')],
  'order lookup (工单查询)': [entry, key('AppShell.vue'), key('OrderLookupView.vue')],
  'supervisor board (监督看板)': [entry, key('AppShell.vue'), key('BoardView.vue')],
}
let failed = false
for (const [name, roots] of Object.entries(screens)) {
  const bytes = gz(closure(roots))
  console.log(`${name.padEnd(32)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB gzipped JS`)
  if (name.startsWith('login + agent') && bytes > BUDGET) failed = true
}
const all = Object.values(manifest).filter((m) => m.file.endsWith('.js'))
const allBytes = all.reduce((s, m) => s + gzipSync(readFileSync(join(dist, m.file))).length, 0)
console.log(`${'all chunks'.padEnd(32)} ${(allBytes / 1024).toFixed(1).padStart(8)} KiB gzipped JS`)
if (failed) {
  console.error('login + agent screen exceed the 1 MiB gzipped budget')
  process.exit(1)
}
