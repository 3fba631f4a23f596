import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { POSITION_KEY, backoffDelay, useWsStore, wsUrl } from '@/stores/ws'
import { useLiveQuery } from '@/composables/useLiveQuery'
import { FakeSocket } from './fakeSocket'

beforeEach(() => {
  setActivePinia(createPinia())
  FakeSocket.instances = []
  sessionStorage.clear()
  vi.stubGlobal('WebSocket', FakeSocket)
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

function connected() {
  const ws = useWsStore()
  const onAuthRejected = vi.fn()
  ws.connect('tok', { onAuthRejected })
  const sock = FakeSocket.last()
  sock.open()
  return { ws, sock, onAuthRejected }
}

describe('ws store', () => {
  it('builds the socket url from the page location', () => {
    const loc = { protocol: 'https:', host: 'hotline.example:8443' } as Location
    expect(wsUrl('a b', 7, loc)).toBe('wss://hotline.example:8443/api/ws?token=a+b&after=7')
    expect(wsUrl('t', null, { protocol: 'http:', host: 'h' } as Location)).toBe('ws://h/api/ws?token=t')
  })

  it('starts at the hello head, then follows event positions into sessionStorage', () => {
    const { ws, sock } = connected()
    expect(sock.params.has('after')).toBe(false)
    expect(ws.status).toBe('open')
    expect(ws.statusLabel).toBe('已连接')
    const seen: string[] = []
    ws.subscribe((env, replayed) => seen.push(`${env.type}@${env.position}:${replayed}`))

    sock.push({ type: 'hello', position: 41, payload: { user: {} } })
    expect(ws.position).toBe(41)
    sock.push({ type: 'order.created', position: 42, payload: { order_id: 1 } })
    sock.push({ type: 'order.created', position: 42, payload: { order_id: 1 } }) // duplicate
    sock.push({ type: 'order.transitioned', position: 43, payload: { order_id: 1 } })

    expect(seen).toEqual(['order.created@42:false', 'order.transitioned@43:false'])
    expect(sessionStorage.getItem(POSITION_KEY)).toBe('43')
  })

  it('reconnects with backoff and resumes after the last position seen', () => {
    const { ws, sock } = connected()
    sock.push({ type: 'hello', position: 10, payload: {} })
    sock.push({ type: 'order.updated', position: 11, payload: {} })

    sock.drop()
    expect(ws.status).toBe('reconnecting')
    expect(ws.statusLabel).toBe('重连中')
    expect(FakeSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(backoffDelay(0, () => 1) + 1)
    expect(FakeSocket.instances).toHaveLength(2)
    const second = FakeSocket.last()
    expect(second.params.get('after')).toBe('11')

    // It fails again before opening: the next wait is longer.
    second.drop()
    vi.advanceTimersByTime(backoffDelay(0, () => 1) + 1)
    expect(FakeSocket.instances).toHaveLength(2)
    vi.advanceTimersByTime(backoffDelay(1, () => 1))
    expect(FakeSocket.instances).toHaveLength(3)

    // Events missed meanwhile are replayed and marked as such.
    const third = FakeSocket.last()
    third.open()
    const replayed: boolean[] = []
    ws.subscribe((_env, r) => replayed.push(r))
    third.push({ type: 'hello', position: 13, payload: {} })
    third.push({ type: 'order.updated', position: 12, payload: {} })
    third.push({ type: 'order.updated', position: 13, payload: {} })
    third.push({ type: 'order.updated', position: 14, payload: {} })
    expect(replayed).toEqual([true, true, false])
    expect(ws.missedWhileAway).toBe(2)
    expect(ws.position).toBe(14)
  })

  it('backoff grows exponentially and is capped', () => {
    const mid = () => 0.5
    expect(backoffDelay(0, mid)).toBe(1000)
    expect(backoffDelay(3, mid)).toBe(8000)
    expect(backoffDelay(20, mid)).toBe(30000)
  })

  it('stops and reports when the server rejects the token', () => {
    const { ws, sock, onAuthRejected } = connected()
    sock.drop(4401)
    expect(ws.status).toBe('closed')
    expect(ws.statusLabel).toBe('已断开')
    expect(onAuthRejected).toHaveBeenCalledOnce()
    vi.advanceTimersByTime(120_000)
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('asks for a token check when handshakes keep failing', () => {
    const { onAuthRejected } = connected()
    FakeSocket.last().drop()
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(30_000 * 1.2 + 1)
      FakeSocket.last().drop() // refused before opening
    }
    expect(FakeSocket.instances).toHaveLength(4)
    expect(onAuthRejected).toHaveBeenCalledOnce()
  })

  it('does not reconnect after an explicit disconnect', () => {
    const { ws } = connected()
    ws.disconnect()
    expect(ws.status).toBe('closed')
    vi.advanceTimersByTime(120_000)
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('matches replies to requests by id and turns error envelopes into rejections', async () => {
    const { ws, sock } = connected()
    const ok = ws.request<{ hits: number[] }>('kb.search', { text: '垃圾', filters: {} })
    const bad = ws.request('suggest', { text: 'x', incident_address: '' })
    expect(sock.sent.map((m) => [m.type, m.id, m.text])).toEqual([
      ['kb.search', ok.id, '垃圾'],
      ['suggest', bad.id, 'x'],
    ])
    sock.push({ type: 'error', id: bad.id, payload: { detail: '文本过长' } })
    sock.push({ type: 'kb.search.result', id: ok.id, payload: { hits: [1, 2] } })
    await expect(ok.done).resolves.toEqual({ hits: [1, 2] })
    await expect(bad.done).rejects.toThrow('文本过长')
  })

  it('rejects a request when the socket is not open', async () => {
    const ws = useWsStore()
    ws.connect('tok')
    await expect(ws.request('kb.search', { text: 'a' }).done).rejects.toThrow('实时连接未就绪')
  })
})

describe('useLiveQuery', () => {
  it('renders only the answer to the latest request', async () => {
    const { sock } = connected()
    const q = useLiveQuery<{ hits: string[] }>('kb.search')
    q.run({ text: '垃' })
    q.run({ text: '垃圾清运' })
    const [first, second] = sock.sent
    sock.push({ type: 'kb.search.result', id: second.id, payload: { hits: ['new'] } })
    sock.push({ type: 'kb.search.result', id: first.id, payload: { hits: ['stale'] } })
    await vi.runAllTimersAsync()
    expect(q.result.value).toEqual({ hits: ['new'] })
    expect(q.loading.value).toBe(false)
  })
})
