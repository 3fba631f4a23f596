// Which live events deserve a pop-up for which role. The server already filters by visibility;
// this only keeps the console from shouting about things the user does not act on.
import type { Envelope, Role } from '@/api/types'

/** Orders this tab created, so the creator is not notified of their own intake. */
export const createdHere = new Set<number>()

export interface NotificationSpec {
  title: string
  message: string
  type: 'info' | 'success' | 'warning' | 'error'
}

function orderLine(p: Record<string, unknown>): string {
  const parts = [p.number, p.action_label, p.to_label ?? p.state_label, p.subject].filter((x) => typeof x === 'string' && x)
  return parts.join(' · ')
}

export function notificationFor(env: Envelope, role: Role | null): NotificationSpec | null {
  const p = (env.payload ?? {}) as Record<string, unknown>
  const orderId = typeof p.order_id === 'number' ? p.order_id : null
  if (env.type.startsWith('alert.')) {
    return { title: String(p.title ?? '预警'), message: String(p.message ?? orderLine(p)), type: 'warning' }
  }
  switch (env.type) {
    case 'order.created':
      if (orderId !== null && createdHere.has(orderId)) return null
      if (role === 'dispatcher' || role === 'supervisor') {
        return { title: '新工单', message: orderLine(p), type: 'info' }
      }
      return null
    case 'order.transition':
    case 'order.transitioned':
      if (role === 'agent' || role === 'desk_agent') {
        return orderId !== null && createdHere.has(orderId)
          ? { title: '工单状态变更', message: orderLine(p), type: 'info' }
          : null
      }
      if (role && ['dispatcher', 'workstation_staff', 'follow_up_agent', 'supervisor'].includes(role)) {
        return { title: '工单状态变更', message: orderLine(p), type: 'info' }
      }
      return null
    case 'audit.unmask':
      if (role === 'supervisor' || role === 'admin') {
        const who = typeof p.actor_name === 'string' ? `${p.actor_name} ` : ''
        return { title: '保密信息查看', message: `${who}查看了 ${orderLine(p)}`, type: 'warning' }
      }
      return null
    default:
      return null
  }
}
