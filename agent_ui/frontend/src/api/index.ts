// Typed calls, one per endpoint of the contract.
import { http, request } from './http'
import type {
  Attachment,
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
  page?: number
  page_size?: number
}

export const ordersApi = {
  create: (body: OrderCreate, idempotencyKey: string) =>
    http.post<Order>('/api/orders', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  list: (query: OrderQuery) => http.get<Page<Order>>('/api/orders', { query: { ...query } }),
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
  incoming: (caller_phone: string) => http.post<IncomingCall>('/api/calls/incoming', { caller_phone }),
}

export const harassmentApi = {
  list: () => http.get<HarassmentMark[]>('/api/harassment-marks'),
  create: (mark: HarassmentMark) => http.post<HarassmentMark>('/api/harassment-marks', mark),
}
