// Reference data (enums, taxonomy, regions) loaded once per session and shared by all screens.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { metaApi } from '@/api'
import type { EnumOption, Enums, Region, TaxonomyRow } from '@/api/types'

export interface CascaderNode {
  [key: string]: unknown
  value: string
  label: string
  children?: CascaderNode[]
}

/** Build the three-level category tree for ElCascader, keeping the server's order. */
export function buildTaxonomyTree(rows: TaxonomyRow[]): CascaderNode[] {
  const roots: CascaderNode[] = []
  const byL1 = new Map<string, CascaderNode>()
  const byL2 = new Map<string, CascaderNode>()
  for (const row of rows) {
    if (!row.level1) continue
    let l1 = byL1.get(row.level1)
    if (!l1) {
      l1 = { value: row.level1, label: row.level1, children: [] }
      byL1.set(row.level1, l1)
      roots.push(l1)
    }
    if (!row.level2) continue
    const key2 = `${row.level1}\u0000${row.level2}`
    let l2 = byL2.get(key2)
    if (!l2) {
      l2 = { value: row.level2, label: row.level2, children: [] }
      byL2.set(key2, l2)
      l1.children!.push(l2)
    }
    if (row.level3 && !l2.children!.some((c) => c.value === row.level3)) {
      l2.children!.push({ value: row.level3, label: row.level3 })
    }
  }
  // Leaves without children must not carry an empty array, or the cascader shows an empty panel.
  const prune = (nodes: CascaderNode[]) => {
    for (const n of nodes) {
      if (n.children && n.children.length === 0) delete n.children
      else if (n.children) prune(n.children)
    }
  }
  prune(roots)
  return roots
}

export const useMetaStore = defineStore('meta', () => {
  const enums = ref<Enums | null>(null)
  const taxonomy = ref<TaxonomyRow[]>([])
  const regions = ref<Region[]>([])
  let loading: Promise<void> | null = null

  const taxonomyTree = computed(() => buildTaxonomyTree(taxonomy.value))

  function options(kind: keyof Enums): EnumOption[] {
    return enums.value?.[kind] ?? []
  }

  function label(kind: keyof Enums, value: string | null | undefined, fallback?: string): string {
    if (!value) return ''
    return options(kind).find((o) => o.value === value)?.label ?? fallback ?? value
  }

  function regionName(code: string | null | undefined): string {
    if (!code) return ''
    return regions.value.find((r) => r.code === code)?.name ?? code
  }

  async function ensureLoaded(): Promise<void> {
    if (enums.value) return
    if (!loading) {
      loading = Promise.all([metaApi.enums(), metaApi.taxonomy(), metaApi.regions()])
        .then(([e, t, r]) => {
          enums.value = e
          taxonomy.value = t
          regions.value = r
        })
        .finally(() => {
          loading = null
        })
    }
    return loading
  }

  return { enums, taxonomy, regions, taxonomyTree, options, label, regionName, ensureLoaded }
})
