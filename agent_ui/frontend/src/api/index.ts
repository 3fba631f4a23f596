// Typed calls, one per endpoint of the contract.
import { http, request, uploadWithProgress } from './http'
import type {
  ActionOption,
  Attachment,
  AuditEntry,
  BoardSeries,
  KbArticle,
  KbCorrection,
  KbVersion,
  KpiOut,
  Lifecycle,
  QueueOut,
  Draft,
  Enums,
  HarassmentMark,
  IncomingCall,
  LoginResponse,
  Order,
  OrderCreate,
  OrderEvent,
  Page,
  Region,
  TaxonomyRow,
  Unmasked,
  User,
  Workstation,
} from './types'

export const authApi = {
  login: (username: string, password: string) =>
    http.post<LoginResponse>('/api/auth/login', { username, password }, { quiet: true }),
  me: () => http.get<User>('/api/auth/me'),
  changePassword: (old_password: string, new_password: string) =>
    http.post<unknown>('/api/auth/password', { old_password, new_password }),
}

export const metaApi = {
  enums: () => http.get<Enums>('/api/meta/enums'),
  taxonomy: () => http.get<TaxonomyRow[]>('/api/taxonomy'),
  regions: () => http.get<Region[]>('/api/regions'),
  workstations: (query: { tier?: number; parent_id?: number } = {}) =>
    http.get<Workstation[]>('/api/workstations', { query }),
}

export interface OrderQuery {
  q?: string
  number?: string
  phone?: string
  state?: string
  /** Comma-separated order ids (at most 200): the orders behind a KPI figure in one request. */
  ids?: string
  page?: number
  page_size?: number
}

export const ordersApi = {
  create: (body: OrderCreate, idempotencyKey: string) =>
    http.post<Order>('/api/orders', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  list: (query: OrderQuery) => http.get<Page<Order>>('/api/orders', { query: { ...query } }),
  get: (id: number) => http.get<Order>(`/api/orders/${id}`),
  events: (id: number) => http.get<OrderEvent[]>(`/api/orders/${id}/events`),
  unmask: (id: number) => http.post<Unmasked>(`/api/orders/${id}/unmask`),
  upload: (id: number, file: File) => {
    const form = new FormData()
    form.append('file', file)
    return request<Attachment>('POST', `/api/orders/${id}/attachments`, { form })
  },
  download: (attachmentId: number) => request<Response>('GET', `/api/attachments/${attachmentId}`, { raw: true }),
}

export const draftsApi = {
  get: <T>() => http.get<Draft<T>>('/api/drafts/intake', { quiet: true }),
  put: <T>(data: T) => http.put<unknown>('/api/drafts/intake', { data }, { quiet: true }),
  remove: () => http.del<unknown>('/api/drafts/intake', { quiet: true }),
}

export const callsApi = {
  invalid: (caller_phone: string | null, reason: string) =>
    http.post<unknown>('/api/calls/invalid', { caller_phone, reason }),
  handoff: (caller_phone: string | null, target: string, summary: string) =>
    http.post<unknown>('/api/calls/handoff', { caller_phone, target, summary }),
  transfer: (caller_phone: string | null, desk_code: string, summary: string) =>
    http.post<unknown>('/api/calls/transfer', { caller_phone, desk_code, summary }),
  incoming: (caller_phone: string) => http.post<IncomingCall>('/api/calls/incoming', { caller_phone }),
}

export const harassmentApi = {
  list: () => http.get<HarassmentMark[]>('/api/harassment-marks'),
  create: (mark: HarassmentMark) => http.post<HarassmentMark>('/api/harassment-marks', mark),
}

/** Stamp when a lifecycle arrived: the countdowns run from that moment (see ``liveCountdown``). */
function received(p: Promise<Lifecycle>): Promise<Lifecycle> {
  return p.then((lc) => (lc && lc.deadlines ? { ...lc, deadlines: { ...lc.deadlines, received_at: Date.now() } } : lc))
}

export const lifecycleApi = {
  get: (id: number) => received(http.get<Lifecycle>(`/api/orders/${id}/lifecycle`)),
  actions: (id: number) => http.get<ActionOption[]>(`/api/orders/${id}/actions`),
  act: (id: number, action: string, body: Record<string, unknown>, quiet = false) =>
    received(http.post<Lifecycle>(`/api/orders/${id}/actions/${action}`, body, { quiet })),
  remind: (id: number, body: Record<string, unknown>) =>
    received(http.post<Lifecycle>(`/api/orders/${id}/remind`, body)),
  supervise: (id: number, body: Record<string, unknown>) =>
    received(http.post<Lifecycle>(`/api/orders/${id}/supervise`, body)),
  supervision: (id: number) => http.get<Record<string, unknown>[]>(`/api/orders/${id}/supervision`),
  /** Each row carries its deadlines, stamped on arrival like a lifecycle's. */
  queue: (name: string) =>
    http.get<QueueOut>(`/api/queues/${name}`).then((q) => {
      const at = Date.now()
      return { ...q, items: q.items.map((o) => (o.deadlines ? { ...o, deadlines: { ...o.deadlines, received_at: at } } : o)) }
    }),
  replySupervision: (id: number, reply: string) => http.post<unknown>(`/api/supervision/${id}/reply`, { reply }),
  consultationOpinion: (id: number, text: string) =>
    http.post<unknown>(`/api/orders/${id}/consultation-opinions`, { text }),
  rate: (id: number, body: { outcome: string; resolved: boolean | null; comment: string | null }) =>
    http.post<unknown>(`/api/orders/${id}/rating`, body),
}

export type KpiRange = { from: string; to: string; workstation_id?: number; category_l1?: string }

export const kpiApi = {
  figures: (q: KpiRange) => http.get<KpiOut>('/api/kpi', { query: { ...q } }),
  orders: (q: KpiRange & { metric: string; part?: 'numerator' | 'denominator' }) =>
    http.get<{ metric: string; part: string; order_ids: number[] }>('/api/kpi/orders', { query: { ...q } }),
  board: (q: KpiRange & { region?: string }) => http.get<BoardSeries>('/api/kpi/board', { query: { ...q } }),
  boardOrders: (q: { from: string; to: string; region?: string }) =>
    http.get<{ region: string | null; total: number; items: Order[] }>('/api/kpi/board/orders', { query: { ...q } }),
  hotspots: () => http.get<{ date: string; hotspots: Record<string, unknown>[]; by_region_category: Record<string, unknown>[] }>('/api/hotspots'),
}

export const routingApi = {
  suggest: (body: Record<string, unknown>) =>
    http.post<Record<string, unknown>>('/api/routing/suggest', body, { quiet: true }),
  rules: () => http.get<Record<string, unknown>[]>('/api/catalogue/rules'),
  updateRule: (id: number, body: Record<string, unknown>) =>
    http.put<Record<string, unknown>>(`/api/catalogue/rules/${id}`, body),
  createRule: (body: Record<string, unknown>) => http.post<Record<string, unknown>>('/api/catalogue/rules', body),
  deleteRule: (id: number) => http.del<Record<string, unknown>>(`/api/catalogue/rules/${id}`),
  ruleVersions: (id: number) => http.get<Record<string, unknown>[]>(`/api/catalogue/rules/${id}/versions`),
  /** What the agent kept against what the suggestion said: every differing field becomes a training example. */
  feedback: (body: { order_id: number; suggested: Record<string, string | null>; chosen: Record<string, string> }) =>
    http.post<{ recorded: number; fields: string[] }>('/api/routing/feedback', body, { quiet: true }),
  feedbackList: (q: { order_id?: number; limit?: number } = {}) =>
    http.get<{ order_id: number | null; field: string; source: string; suggested: string | null; chosen: string }[]>(
      '/api/routing/feedback',
      { query: { ...q } },
    ),
}

export const exportsApi = {
  orders: (format: 'csv' | 'xlsx', query: { state?: string; q?: string } = {}) =>
    request<Response>('GET', '/api/exports/orders', { raw: true, query: { format, ...query } }),
}

export interface ImportReport {
  created: number
  updated: number
  unchanged: number
  passages_added: number
  passages_removed: number
  passages_kept: number
  articles: number[]
}

export const kbApi = {
  articles: (query: { category?: string; state?: string } = {}) =>
    http.get<KbArticle[]>('/api/kb/articles', { query }),
  article: (id: number) => http.get<KbArticle>(`/api/kb/articles/${id}`),
  create: (body: Record<string, unknown>) => http.post<KbArticle>('/api/kb/articles', body),
  saveDraft: (id: number, body: Record<string, unknown>) => http.put<KbVersion>(`/api/kb/articles/${id}/draft`, body),
  versions: (id: number) => http.get<KbVersion[]>(`/api/kb/articles/${id}/versions`),
  submit: (id: number, n: number) => http.post<KbVersion>(`/api/kb/articles/${id}/versions/${n}/submit`),
  publish: (id: number, n: number) => http.post<KbArticle>(`/api/kb/articles/${id}/versions/${n}/publish`),
  reject: (id: number, n: number, comment: string) =>
    http.post<KbVersion>(`/api/kb/articles/${id}/versions/${n}/reject`, { comment }),
  retire: (id: number) => http.post<KbArticle>(`/api/kb/articles/${id}/retire`),
  corrections: (state = 'open') => http.get<KbCorrection[]>('/api/kb/corrections', { query: { state } }),
  resolveCorrection: (id: number, accept: boolean, response: string) =>
    http.post<KbCorrection>(`/api/kb/corrections/${id}/resolve`, { accept, response }),
  importFiles: (files: File[], fields: Record<string, string>, onProgress: (fraction: number) => void = () => {}) => {
    const form = new FormData()
    for (const f of files) form.append('files', f)
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v)
    return uploadWithProgress<ImportReport>('/api/kb/import', form, onProgress)
  },
  indexStatus: () => http.get<{ articles: Record<string, number>; sync: unknown }>('/api/kb/index-status'),
}

export const adminApi = {
  audit: (action?: string) => http.get<AuditEntry[]>('/api/audit', { query: { action } }),
  calendar: (year?: number) =>
    http.get<{ days: { day: string; kind: string; name: string }[]; working_hours: string[][]; timezone: string }>(
      '/api/calendar/days',
      { query: { year } },
    ),
  putCalendar: (days: { day: string; kind: string; name: string }[]) =>
    http.put<unknown>('/api/calendar/days', { days }),
  mergedLines: () => http.get<Record<string, unknown>[]>('/api/merged-lines'),
  desks: () => http.get<{ code: string; name: string; can_resolve: boolean; oversight: boolean }[]>('/api/desks'),
  users: () => http.get<Record<string, unknown>[]>('/api/users'),
  calls: (kind?: string) => http.get<Record<string, unknown>[]>('/api/calls', { query: { kind } }),
}
