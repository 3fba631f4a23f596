// Which screens each role sees. The order here is the menu order; the first entry is the role's home.
import type { Role } from '@/api/types'

export interface MenuEntry {
  name: string
  path: string
  title: string
  icon: string
  roles: Role[]
  /** The backend API for this screen does not exist yet: show the 建设中 placeholder. */
  placeholder?: boolean
}

export const MENU: MenuEntry[] = [
  { name: 'intake', path: '/intake', title: '受理台', icon: 'Headset', roles: ['agent', 'desk_agent'] },
  { name: 'dispatch', path: '/dispatch', title: '待分办', icon: 'Share', roles: ['dispatcher'] },
  { name: 'inbox', path: '/inbox', title: '工作站收件箱', icon: 'Message', roles: ['workstation_staff'] },
  { name: 'follow-up', path: '/follow-up', title: '回访', icon: 'Phone', roles: ['follow_up_agent'] },
  { name: 'board', path: '/supervisor/board', title: '监督看板', icon: 'DataLine', roles: ['supervisor'] },
  { name: 'oversee', path: '/supervisor/oversee', title: '督办', icon: 'Bell', roles: ['supervisor'] },
  { name: 'reviews', path: '/reviews', title: '中心审核', icon: 'Finished', roles: ['dispatcher', 'supervisor'] },
  { name: 'admin', path: '/admin', title: '系统管理', icon: 'Setting', roles: ['admin'] },
  { name: 'kb', path: '/kb', title: '知识库', icon: 'Reading', roles: ['kb_editor', 'admin'] },
  { name: 'oversight', path: '/oversight', title: '营商环境专线', icon: 'View', roles: ['observer'] },
  // Order lookup is the agents' second screen; centre staff who follow orders need it too.
  {
    name: 'orders',
    path: '/orders',
    title: '工单查询',
    icon: 'Search',
    roles: ['agent', 'desk_agent', 'dispatcher', 'follow_up_agent', 'supervisor', 'admin'],
  },
]

export function menuFor(role: Role | null | undefined): MenuEntry[] {
  if (!role) return []
  return MENU.filter((m) => m.roles.includes(role))
}

export function homeFor(role: Role | null | undefined): string {
  return menuFor(role)[0]?.path ?? '/login'
}
