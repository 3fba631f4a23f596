// A websocket request whose answers may arrive out of order: only the latest one is kept.
import { onBeforeUnmount, ref, shallowRef, watch, type WatchSource } from 'vue'
import { useWsStore } from '@/stores/ws'

export function useLiveQuery<Result>(type: string) {
  const ws = useWsStore()
  const result = shallowRef<Result | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let latestId: string | null = null

  function run(body: Record<string, unknown>) {
    const { id, done } = ws.request<Result>(type, body)
    latestId = id
    loading.value = true
    error.value = null
    done.then(
      (payload) => {
        if (id !== latestId) return // stale: a newer request went out meanwhile
        result.value = payload
        loading.value = false
      },
      (err: Error) => {
        if (id !== latestId) return
        error.value = err.message
        loading.value = false
      },
    )
  }

  function clear() {
    latestId = null
    result.value = null
    loading.value = false
    error.value = null
  }

  return { result, loading, error, run, clear }
}

/**
 * Call `fn` `delayMs` after the last change of `source`. On unmount the pending call is dropped,
 * or run at once with `flushOnUnmount` (drafts must not be lost by navigating away).
 */
export function useDebouncedWatch<T>(
  source: WatchSource<T>,
  fn: (value: T) => void,
  delayMs: number,
  opts: { flushOnUnmount?: boolean } = {},
): { flush: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null
  let last: { value: T } | null = null
  const stop = watch(
    source,
    (value) => {
      last = { value }
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => {
        timer = null
        fn(value)
      }, delayMs)
    },
    { deep: true },
  )
  const cancel = () => {
    if (timer) clearTimeout(timer)
    timer = null
  }
  const flush = () => {
    if (timer && last) {
      cancel()
      fn(last.value)
    }
  }
  onBeforeUnmount(() => {
    if (opts.flushOnUnmount) flush()
    else cancel()
    stop()
  })
  return { flush, cancel }
}
