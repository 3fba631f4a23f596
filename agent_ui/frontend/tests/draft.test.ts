import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, reactive } from 'vue'
import { DRAFT_DEBOUNCE_MS, useIntakeDraft } from '@/views/intake/useIntakeDraft'
import { emptyIntake, type IntakeForm } from '@/views/intake/intakeForm'

interface Call {
  method: string
  body: unknown
}

let calls: Call[]
let stored: unknown
let releasePut: (() => void) | null

beforeEach(() => {
  vi.useFakeTimers()
  calls = []
  stored = null
  releasePut = null
  // The browser's fetch, answering like the drafts endpoint; PUTs can be held back to race a DELETE.
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const method = init.method ?? 'GET'
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, body })
    expect(url).toBe('/api/drafts/intake')
    if (method === 'PUT') {
      await new Promise<void>((resolve) => (releasePut = resolve))
      stored = (body as { data: unknown }).data
    }
    if (method === 'DELETE') stored = null
    const payload = method === 'GET' ? { data: stored, updated_at: null } : {}
    return new Response(JSON.stringify(payload), { status: 200 })
  })
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

function mountDraft(form: IntakeForm) {
  let api!: ReturnType<typeof useIntakeDraft>
  const app = createApp(
    defineComponent({
      setup() {
        api = useIntakeDraft(form, () => null)
        return () => h('div')
      },
    }),
  )
  app.mount(document.createElement('div'))
  return { api, app }
}

describe('intake draft autosave', () => {
  it('restores a stored draft and saves edits after the debounce', async () => {
    stored = { ...emptyIntake(null), subject: '噪音扰民', idempotency_key: 'k-1' }
    const form = reactive(emptyIntake(null))
    const { api } = mountDraft(form)
    expect(await api.restore()).toBe(true)
    expect(form.subject).toBe('噪音扰民')
    expect(form.idempotency_key).toBe('k-1')

    form.description = '夜间施工'
    await nextTick()
    await vi.advanceTimersByTimeAsync(DRAFT_DEBOUNCE_MS - 50)
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(100)
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1)
    releasePut!()
    await vi.runAllTimersAsync()
    expect(api.state.value).toBe('saved')
    expect(stored).toMatchObject({ subject: '噪音扰民', description: '夜间施工' })
  })

  it('never lets a slow PUT land after the DELETE of a saved intake', async () => {
    const form = reactive(emptyIntake(null))
    const { api } = mountDraft(form)
    await api.restore()
    form.subject = '路灯不亮'
    await nextTick()
    await vi.advanceTimersByTimeAsync(DRAFT_DEBOUNCE_MS + 1) // PUT goes out and hangs
    const discarded = api.discard()
    await vi.advanceTimersByTimeAsync(10)
    expect(calls.map((c) => c.method)).toEqual(['GET', 'PUT'])
    releasePut!()
    await discarded
    expect(calls.map((c) => c.method)).toEqual(['GET', 'PUT', 'DELETE'])
    expect(stored).toBeNull()
    expect(api.state.value).toBe('none')
  })

  it('does not store a form that holds only defaults', async () => {
    const form = reactive(emptyIntake(null))
    const { api } = mountDraft(form)
    await api.restore()
    form.subject = 'x'
    form.subject = ''
    await nextTick()
    await vi.advanceTimersByTimeAsync(DRAFT_DEBOUNCE_MS * 2)
    expect(calls.map((c) => c.method)).toEqual(['GET'])
  })
})
