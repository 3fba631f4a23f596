// One shared ticking clock for every countdown on the screen.
import { onBeforeUnmount, ref } from 'vue'
import type { Countdown } from '@/api/types'

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | null = null

export function useNow() {
  users += 1
  if (!timer) timer = setInterval(() => (now.value = Date.now()), 1000)
  onBeforeUnmount(() => {
    users -= 1
    if (users === 0 && timer) {
      clearInterval(timer)
      timer = null
    }
  })
  return now
}

/** "剩余 1天 03:04:05" / "已超期 2小时05分" for a deadline; '' when none. */
export function countdown(deadline: string | null | undefined, nowMs: number): { text: string; overdue: boolean } {
  if (!deadline) return { text: '', overdue: false }
  const diff = Date.parse(deadline) - nowMs
  const abs = Math.abs(diff)
  const d = Math.floor(abs / 86_400_000)
  const h = Math.floor((abs % 86_400_000) / 3_600_000)
  const m = Math.floor((abs % 3_600_000) / 60_000)
  const s = Math.floor((abs % 60_000) / 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  const body = `${d ? `${d}天 ` : ''}${pad(h)}:${pad(m)}:${pad(s)}`
  return diff >= 0 ? { text: `剩余 ${body}`, overdue: false } : { text: `已超期 ${body}`, overdue: true }
}

/** Where a server countdown was taken: the server's ``as_of`` and the client time the answer arrived. */
export interface CountdownSync {
  asOf: string
  receivedAt?: number
}

/** Seconds left to a deadline now, and whether working time is running, from the server's figure ``c``:
 * it goes down one a second only while ticking, and ticking flips at ``c.changes_at`` (working time stops
 * at the period's close and resumes at the next opening) even before the next refresh. */
export function secondsLeft(c: Countdown, sync: CountdownSync, nowMs: number): { seconds: number; ticking: boolean } {
  const asOf = Date.parse(sync.asOf)
  const elapsed = Math.max(0, Math.floor((nowMs - (sync.receivedAt ?? asOf)) / 1000))
  const flip = c.changes_at ? Math.max(0, Math.floor((Date.parse(c.changes_at) - asOf) / 1000)) : Infinity
  if (c.ticking) return { seconds: c.seconds - Math.min(elapsed, flip), ticking: elapsed < flip }
  return { seconds: c.seconds - Math.max(0, elapsed - flip), ticking: elapsed >= flip }
}

/** The countdown text for a server countdown: working time reads "工作时间剩余 22:00:00" (hours of working
 * time, not days: a working day is 7.5 hours) with "非工作时间（暂停计时）" while paused; clock time reads
 * like ``countdown``. */
export function liveCountdown(
  c: Countdown | null | undefined,
  sync: CountdownSync,
  nowMs: number,
): { text: string; overdue: boolean; paused: boolean } {
  if (!c) return { text: '', overdue: false, paused: false }
  const { seconds: left, ticking } = secondsLeft(c, sync, nowMs)
  const abs = Math.abs(left)
  const pad = (n: number) => String(n).padStart(2, '0')
  const hms = (x: number) => `${pad(Math.floor(x / 3600))}:${pad(Math.floor((x % 3600) / 60))}:${pad(x % 60)}`
  if (c.basis === 'clock') {
    const d = Math.floor(abs / 86_400)
    const body = `${d ? `${d}天 ` : ''}${hms(abs % 86_400)}`
    return { text: left >= 0 ? `剩余 ${body}` : `已超期 ${body}`, overdue: left < 0, paused: false }
  }
  const text = left >= 0 ? `工作时间剩余 ${hms(abs)}` : `工作时间已超期 ${hms(abs)}`
  return { text: ticking ? text : `${text} 非工作时间（暂停计时）`, overdue: left < 0, paused: !ticking }
}
