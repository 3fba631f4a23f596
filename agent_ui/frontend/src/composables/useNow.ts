// One shared ticking clock for every countdown on the screen.
import { onBeforeUnmount, ref } from 'vue'

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
