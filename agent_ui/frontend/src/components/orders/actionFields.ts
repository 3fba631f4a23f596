// Which fields each lifecycle action's body takes (mirrors routing/lifecycle/schemas.py). Required
// ones are only those the API itself requires; the server's answer is the final word.
export type FieldKind =
  | 'comment'
  | 'reason'
  | 'passage'
  | 'lead'
  | 'assisting'
  | 'units'
  | 'delegate'
  | 'parent'
  | 'open_order'
  | 'days'
  | 'level'
  | 'resolved'
  | 'attachments'

export interface FieldSpec {
  kind: FieldKind
  required?: boolean
  label?: string
}

const c = (required = false, label?: string): FieldSpec => ({ kind: 'comment', required, label })
const reason = (required = true): FieldSpec => ({ kind: 'reason', required })

export const ACTION_FIELDS: Record<string, FieldSpec[]> = {
  resolve_directly: [{ kind: 'passage', required: true }, c(false, '答复内容')],
  decline: [reason(), c()],
  withdraw: [reason(), c()],
  consult: [{ kind: 'units', required: true }, c()],
  dispatch: [{ kind: 'lead', required: true }, { kind: 'assisting' }, c(false, '派单意见')],
  reassign: [{ kind: 'lead', required: true }, { kind: 'assisting' }, c(false, '改派意见')],
  merge: [{ kind: 'parent', required: true }, c()],
  return: [reason(), c(), { kind: 'attachments' }],
  delegate: [{ kind: 'delegate', required: true }, c(false, '下派意见')],
  tier3_reply: [c(true, '答复内容'), { kind: 'attachments' }],
  tier2_send_back: [reason(), c()],
  reply: [c(true, '答复内容'), { kind: 'attachments' }],
  send_back: [reason(), { kind: 'days', label: '重新办理时限（工作日）' }, c()],
  follow_up_satisfied: [{ kind: 'resolved' }, c(false, '回访记录')],
  follow_up_mostly_satisfied: [{ kind: 'resolved' }, c(false, '回访记录')],
  follow_up_dissatisfied: [{ kind: 'resolved' }, c(false, '回访记录')],
  follow_up_unreached: [c(false, '回访记录')],
  follow_up_failed: [c(false, '回访记录')],
  exclude: [c(true, '剔除理由')],
  assist_opinion: [c(true, '协办意见'), { kind: 'attachments' }],
  request_extension: [{ kind: 'days', required: true, label: '延期天数（工作日）' }, reason(), c()],
  approve_extension: [reason(false), c()],
  reject_extension: [reason(false), c()],
  supervise: [{ kind: 'level', required: true }, { kind: 'days', required: true, label: '回复时限（工作日）' }, c(true, '督办意见')],
  link_repeat: [{ kind: 'open_order', required: true }, c()],
}

export function fieldsFor(action: string): FieldSpec[] {
  return ACTION_FIELDS[action] ?? [c()]
}

export interface ActionForm {
  comment: string
  reason: string
  passage_id: string
  lead_unit_id: number | null
  assisting_unit_ids: number[]
  unit_ids: number[]
  delegate_to: number | null
  parent_id: number | null
  open_order_id: number | null
  days: number | null
  level: number
  resolved: '' | 'yes' | 'no'
  attachment_ids: number[]
}

export function emptyForm(): ActionForm {
  return {
    comment: '',
    reason: '',
    passage_id: '',
    lead_unit_id: null,
    assisting_unit_ids: [],
    unit_ids: [],
    delegate_to: null,
    parent_id: null,
    open_order_id: null,
    days: null,
    level: 1,
    resolved: '',
    attachment_ids: [],
  }
}

/** The request body: the version the user saw plus only the fields this action takes. */
export function buildBody(action: string, version: number, f: ActionForm): Record<string, unknown> {
  const body: Record<string, unknown> = { version }
  for (const spec of fieldsFor(action)) {
    switch (spec.kind) {
      case 'comment':
        if (f.comment.trim()) body.comment = f.comment.trim()
        break
      case 'reason':
        if (f.reason.trim()) body.reason = f.reason.trim()
        break
      case 'passage':
        body.passage_id = f.passage_id.trim()
        break
      case 'lead':
        body.lead_unit_id = f.lead_unit_id
        break
      case 'assisting':
        body.assisting_unit_ids = f.assisting_unit_ids
        break
      case 'units':
        body.unit_ids = f.unit_ids
        break
      case 'delegate':
        body.delegate_to = f.delegate_to
        break
      case 'parent':
        body.parent_id = f.parent_id
        break
      case 'open_order':
        body.open_order_id = f.open_order_id
        break
      case 'days':
        if (f.days !== null) body.days = f.days
        break
      case 'level':
        body.level = f.level
        break
      case 'resolved':
        if (f.resolved) body.resolved = f.resolved === 'yes'
        break
      case 'attachments':
        if (f.attachment_ids.length) body.attachment_ids = f.attachment_ids
        break
    }
  }
  return body
}
