// Shapes of the backend's JSON, mirrored from the API contract (issue 7).

export type Role =
  | 'agent'
  | 'desk_agent'
  | 'dispatcher'
  | 'follow_up_agent'
  | 'workstation_staff'
  | 'supervisor'
  | 'kb_editor'
  | 'admin'
  | 'observer'

export interface User {
  id: number
  username: string
  display_name: string
  role: Role
  workstation_id: number | null
  workstation_name: string | null
  desk: string | null
  permissions: string[]
}

export interface LoginResponse {
  access_token: string
  token_type: 'bearer'
  expires_at: string
  user: User
}

export interface EnumOption {
  value: string
  label: string
}

export interface Enums {
  channels: EnumOption[]
  request_types: EnumOption[]
  urgencies: EnumOption[]
  order_states: EnumOption[]
  roles: EnumOption[]
  handoff_targets: EnumOption[]
}

export interface TaxonomyRow {
  level1: string
  level2: string
  level3: string
}

export interface Region {
  code: string
  name: string
}

export interface Workstation {
  id: number
  code: string
  name: string
  tier: number
  kind: string
  parent_id: number | null
  region_code: string | null
}

export interface Attachment {
  id: number
  filename: string
  size: number
  content_type: string
}

export interface Order {
  id: number
  number: string
  state: string
  state_label: string
  channel: string
  channel_label: string
  request_type: string
  request_type_label: string
  urgency: string
  urgency_label: string
  caller_name: string | null
  caller_phone: string | null
  caller_address: string | null
  incident_address: string | null
  region_code: string | null
  region_name: string | null
  category_l1: string | null
  category_l2: string | null
  category_l3: string | null
  subject: string
  description: string
  confidential: boolean
  anonymous: boolean
  masked: boolean
  created_at: string
  updated_at: string
  version: number
  created_by_name: string | null
  lead_unit: { id: number; name: string } | null
  attachments: Attachment[]
}

/** The body of POST /api/orders. */
export interface OrderCreate {
  channel: string
  request_type: string
  urgency: string
  caller_name: string | null
  caller_phone: string | null
  caller_address: string | null
  incident_address: string
  region_code: string | null
  category_l1: string | null
  category_l2: string | null
  category_l3: string | null
  subject: string
  description: string
  confidential: boolean
  anonymous: boolean
}

export interface Unmasked {
  caller_name: string | null
  caller_phone: string | null
  caller_address: string | null
  description: string
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface OrderEvent {
  at: string
  actor_name: string | null
  action: string
  action_label: string
  from_state: string | null
  to_state: string | null
  comment: string | null
}

export interface Draft<T> {
  data: T | null
  updated_at: string | null
}

/** Order summaries in the incoming-call pop-up carry at least these fields. */
export interface OrderSummary {
  id: number
  number: string
  state?: string
  state_label?: string
  subject?: string
  created_at?: string
  request_type_label?: string
}

export interface IncomingCall {
  caller_phone: string
  orders: OrderSummary[]
  repeat_count: number
  satisfaction_history: { order_number: string; verdict_label: string }[]
  confidential: boolean
  harassment: { reason: string; expires_at: string | null } | null
}

export interface HarassmentMark {
  id?: number
  phone: string
  reason: string
  expires_at: string | null
  created_at?: string
  created_by_name?: string | null
}

export interface KbHit {
  id: number | string
  title: string
  heading_path: string | string[] | null
  snippet_html: string
  source: string | null
  category: string | null
  valid_to: string | null
  score: number
}

/** A websocket envelope from the server. */
export interface Envelope<P = Record<string, unknown>> {
  type: string
  position?: number
  id?: string
  payload: P
}

export interface ActionOption {
  action: string
  label: string
  actor: string
}

/** Time left to one deadline as of ``Deadlines.as_of``: working seconds on the centre's calendar, or clock
 * seconds (urgent orders' signing and first response); negative when overdue. ``ticking``: whether that
 * time runs right now (false outside working hours, so the console pauses its countdown). */
export interface Countdown {
  seconds: number
  ticking: boolean
  basis: 'working' | 'clock'
  /** When ``ticking`` next flips (the working period's close, or the next one's opening); null on the clock. */
  changes_at?: string | null
}

export type DeadlineKey = 'sign_by' | 'first_response_by' | 'reply_by' | 'return_by'

export interface Deadlines {
  dispatched_at: string | null
  sign_by: string | null
  first_response_by: string | null
  reply_by: string | null
  return_by: string | null
  out_of_hours: boolean
  card: string | null
  as_of: string
  remaining: Partial<Record<DeadlineKey, Countdown>>
  /** Client-side: Date.now() when this answer arrived, the moment ``remaining`` is counted from. */
  received_at?: number
}

export interface Lifecycle {
  order: Order
  deadlines: Deadlines
  reopen_count: number
  follow_up_attempts: number
  escalated: boolean
  excluded: boolean
  parent_id: number | null
  repeat_of_id: number | null
  units: Record<string, unknown>[]
  allowed_actions: ActionOption[]
}

/** A queue row: the order with what the row shows (countdown, card), so no lifecycle request per row. */
export interface QueueItem extends Order {
  deadlines: Deadlines
}

export interface QueueOut {
  name: string
  label: string
  total: number
  items: QueueItem[]
}

export interface KpiFigure {
  label: string
  value: number | null
  numerator: number
  denominator: number | null
}

export interface KpiOut {
  from: string
  to: string
  metrics: Record<string, KpiFigure>
}

/** ``GET /api/kpi/board``: the board's series, counted on the server with the KPI definitions. */
export interface BoardRatio {
  numerator: number
  denominator: number
  value: number | null
}

export interface BoardRegion {
  region_code: string
  name: string
  orders: number
  hotspots: number
  hotspot_orders: number
  top_hotspots: { id: number; title: string; size: number; category: string | null }[]
}

export interface BoardSeries {
  from: string
  to: string
  accepted: number
  volume_by_hour: { start: string; count: number }[]
  satisfaction_by_day: (BoardRatio & { start: string })[]
  on_time_by_workstation: (BoardRatio & { workstation_id: number; name: string; kind: string })[]
  categories: { category_l1: string | null; count: number }[]
  regions: BoardRegion[]
  unlocated: number
}

export interface KbArticle {
  id: number
  source_key: string | null
  title: string
  category: string
  subcategory: string | null
  region_code: string | null
  department: string | null
  owner_unit_id: number | null
  tags: string[]
  valid_from: string | null
  valid_to: string | null
  state: string
  published_version: number | null
  index_status: string | null
  body?: string | null
  passages?: { id: number; ordinal: number; heading_path: string[]; text: string }[]
}

export interface KbVersion {
  id: number
  number: number
  state: string
  title: string
  body: string
  meta: Record<string, unknown>
  changes: string[]
  note: string | null
  author_id: number | null
  created_at: string
  submitted_at: string | null
  reviewer_id: number | null
  reviewed_at: string | null
  review_comment: string | null
}

export interface KbCorrection {
  id: number
  article_id: number
  passage_id: number | null
  kind: string
  description: string
  proposed_text: string | null
  state: string
  due_at: string
  overdue: boolean
  created_at: string
  resolved_at: string | null
  response: string | null
}

export interface AuditEntry {
  id: number
  at: string
  actor_name: string | null
  action: string
  target_type: string
  target_id: string
  detail: Record<string, unknown>
}
