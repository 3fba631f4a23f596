// A stand-in for the browser's WebSocket so the store's protocol handling can be driven step by step.
export class FakeSocket {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSING = 2
  static CLOSED = 3
  static instances: FakeSocket[] = []

  readyState = FakeSocket.CONNECTING
  sent: Record<string, unknown>[] = []
  onopen: (() => void) | null = null
  onmessage: ((ev: { data: string }) => void) | null = null
  onclose: ((ev: { code: number }) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.instances.push(this)
  }

  get params(): URLSearchParams {
    return new URL(this.url).searchParams
  }

  send(data: string) {
    this.sent.push(JSON.parse(data))
  }

  close(code = 1000) {
    if (this.readyState === FakeSocket.CLOSED) return
    this.readyState = FakeSocket.CLOSED
    this.onclose?.({ code })
  }

  // --- the server side ---
  open() {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
  }

  push(msg: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }

  drop(code = 1006) {
    this.close(code)
  }

  static last(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1]
  }
}
