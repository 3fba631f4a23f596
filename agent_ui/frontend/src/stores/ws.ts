// The live connection: one websocket per logged-in tab, resumable by position.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { ElMessage } from 'element-plus'
import type { Envelope } from '@/api/types'

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

export const POSITION_KEY = 'hotline.ws.position'
const MAX_BACKOFF_MS = 30_000
const REQUEST_TIMEOUT_MS = 15_000
const RECENT_LIMIT = 200
/** Close codes meaning "your token is no good": retrying would loop forever. */
const AUTH_CLOSE_CODES = new Set([1008, 4401, 4403])

export interface ReceivedEvent {
  env: Envelope
  at: number
}

export type EventListener = (env: Envelope, replayed: boolean) => void

interface Pending {
  resolve: (payload: unknown) => void
  reject: (err: Error) => void
  timer: ReturnType<typeof setTimeout>
}

/** Exponential backoff with a little jitter so many consoles do not reconnect in lockstep. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt)
  return Math.round(base * (0.8 + 0.4 * random()))
}

function readPosition(): number | null {
  const raw = sessionStorage.getItem(POSITION_KEY)
  const n = raw === null ? NaN : Number(raw)
  return Number.isFinite(n) ? n : null
}

export function wsUrl(token: string, after: number | null, loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  const params = new URLSearchParams({ token })
  if (after !== null) params.set('after', String(after))
  return `${scheme}://${loc.host}/api/ws?${params.toString()}`
}

export const useWsStore = defineStore('ws', () => {
  const status = ref<ConnectionStatus>('idle')
  const position = ref<number | null>(readPosition())
  const attempts = ref(0)
  /** The latest events with the time they arrived, newest first (the supervisor board starts from these). */
  const recent = ref<ReceivedEvent[]>([])
  const missedWhileAway = ref(0)

  const socket = shallowRef<WebSocket | null>(null)
  let token: string | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let helloHead: number | null = null
  let seq = 0
  let onAuthRejected: () => void = () => {}
  const listeners = new Set<EventListener>()
  const helloListeners = new Set<(payload: Record<string, unknown>) => void>()
  const pending = new Map<string, Pending>()

  const statusLabel = computed(() => {
    switch (status.value) {
      case 'open':
        return '已连接'
      case 'connecting':
      case 'reconnecting':
        return '重连中'
      default:
        return '已断开'
    }
  })

  function setPosition(p: number) {
    position.value = p
    sessionStorage.setItem(POSITION_KEY, String(p))
  }

  function rejectAll(reason: string) {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      p.reject(new Error(reason))
      pending.delete(id)
    }
  }

  function handle(env: Envelope) {
    if (env.type === 'hello') {
      helloHead = typeof env.position === 'number' ? env.position : null
      // First connection of this tab, or the server's log is behind ours (fresh database): start at its head.
      if (helloHead !== null && (position.value === null || helloHead < position.value)) setPosition(helloHead)
      for (const fn of helloListeners) fn(env.payload ?? {})
      return
    }
    if (env.id && pending.has(env.id)) {
      const p = pending.get(env.id)!
      pending.delete(env.id)
      clearTimeout(p.timer)
      if (env.type === 'error') p.reject(new Error(String(env.payload?.detail ?? '请求失败')))
      else p.resolve(env.payload)
      return
    }
    if (env.type === 'error') {
      // A late error for a request we already gave up on is not worth a pop-up.
      if (!env.id) ElMessage.error(String(env.payload?.detail ?? '实时连接出错'))
      return
    }
    if (env.id) return // a reply to a request that timed out or was superseded
    if (typeof env.position === 'number') {
      if (position.value !== null && env.position <= position.value) return // already seen (resume overlap)
      setPosition(env.position)
    }
    const replayed = helloHead !== null && typeof env.position === 'number' && env.position <= helloHead
    if (replayed) missedWhileAway.value += 1
    recent.value = [{ env, at: Date.now() }, ...recent.value].slice(0, RECENT_LIMIT)
    for (const fn of listeners) {
      try {
        fn(env, replayed)
      } catch (err) {
        console.error('websocket listener failed', err)
      }
    }
  }

  function open() {
    if (!token || socket.value) return
    status.value = attempts.value === 0 && status.value === 'idle' ? 'connecting' : 'reconnecting'
    helloHead = null
    const ws = new WebSocket(wsUrl(token, position.value))
    socket.value = ws
    let opened = false
    ws.onopen = () => {
      opened = true
      status.value = 'open'
      attempts.value = 0
    }
    ws.onmessage = (ev) => {
      let env: Envelope
      try {
        env = JSON.parse(String(ev.data)) as Envelope
      } catch {
        return
      }
      if (env && typeof env.type === 'string') handle(env)
    }
    ws.onclose = (ev) => {
      if (socket.value === ws) socket.value = null
      rejectAll('实时连接已断开')
      if (!token) {
        status.value = 'closed'
        return
      }
      if (AUTH_CLOSE_CODES.has(ev.code)) {
        status.value = 'closed'
        onAuthRejected()
        return
      }
      // A handshake refused with an HTTP error reaches us only as code 1006: after a few such
      // failures let the caller check whether the token is still good.
      if (!opened && attempts.value === 2) onAuthRejected()
      scheduleReconnect()
    }
  }

  function scheduleReconnect() {
    if (retryTimer || !token) return
    status.value = 'reconnecting'
    const delay = backoffDelay(attempts.value)
    attempts.value += 1
    retryTimer = setTimeout(() => {
      retryTimer = null
      open()
    }, delay)
  }

  function handleOnline() {
    if (!token || socket.value) return
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = null
    attempts.value = 0
    open()
  }

  function handleOffline() {
    if (token && status.value !== 'open') status.value = 'closed'
  }

  function connect(accessToken: string, opts: { onAuthRejected?: () => void } = {}) {
    if (opts.onAuthRejected) onAuthRejected = opts.onAuthRejected
    if (token === accessToken && socket.value) return
    disconnect()
    token = accessToken
    status.value = 'idle'
    attempts.value = 0
    window.addEventListener('online', handleOnline)
    window.addEventListener('offline', handleOffline)
    open()
  }

  function disconnect() {
    token = null
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = null
    window.removeEventListener('online', handleOnline)
    window.removeEventListener('offline', handleOffline)
    const ws = socket.value
    socket.value = null
    if (ws) ws.close(1000)
    rejectAll('实时连接已关闭')
    status.value = 'closed'
  }

  /** Forget the stored position (on logout: the next user must not resume someone else's stream). */
  function resetPosition() {
    position.value = null
    sessionStorage.removeItem(POSITION_KEY)
  }

  function subscribe(fn: EventListener): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  }

  function onHello(fn: (payload: Record<string, unknown>) => void): () => void {
    helloListeners.add(fn)
    return () => helloListeners.delete(fn)
  }

  /** Send `{type, id, ...body}` and resolve with the payload of the reply carrying the same id. */
  function request<T = unknown>(type: string, body: Record<string, unknown>): { id: string; done: Promise<T> } {
    const id = `${type}-${Date.now().toString(36)}-${++seq}`
    const ws = socket.value
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return { id, done: Promise.reject(new Error('实时连接未就绪')) }
    }
    const done = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error('实时请求超时'))
      }, REQUEST_TIMEOUT_MS)
      pending.set(id, { resolve: resolve as (p: unknown) => void, reject, timer })
    })
    ws.send(JSON.stringify({ ...body, type, id }))
    return { id, done }
  }

  function clearMissed() {
    missedWhileAway.value = 0
  }

  return {
    status,
    statusLabel,
    position,
    attempts,
    recent,
    missedWhileAway,
    connect,
    disconnect,
    resetPosition,
    subscribe,
    onHello,
    request,
    clearMissed,
  }
})
