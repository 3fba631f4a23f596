// The organisation tree, loaded once per tab and shared by every selector.
import { computed, ref } from 'vue'
import { metaApi } from '@/api'
import type { Workstation } from '@/api/types'

const all = ref<Workstation[]>([])
let loading: Promise<void> | null = null

export interface WsNode {
  value: number
  label: string
  tier: number
  children?: WsNode[]
}

export function buildWorkstationTree(rows: Workstation[]): WsNode[] {
  const nodes = new Map<number, WsNode>()
  for (const w of rows) nodes.set(w.id, { value: w.id, label: `${w.name}（${w.tier}级）`, tier: w.tier })
  const roots: WsNode[] = []
  for (const w of rows) {
    const node = nodes.get(w.id)!
    const parent = w.parent_id !== null ? nodes.get(w.parent_id) : undefined
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  return roots
}

export function useWorkstations() {
  if (!loading) {
    loading = metaApi
      .workstations()
      .then((rows) => {
        all.value = rows
      })
      .catch(() => {
        loading = null
      })
  }
  const tree = computed(() => buildWorkstationTree(all.value))
  const byId = computed(() => new Map(all.value.map((w) => [w.id, w])))
  const name = (id: number | null | undefined) => (id == null ? '' : (byId.value.get(id)?.name ?? `#${id}`))
  return { all, tree, byId, name, ready: () => loading ?? Promise.resolve() }
}
