import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { authApi } from '@/api'
import type { Role, User } from '@/api/types'

const TOKEN_KEY = 'hotline.token'
const EXPIRES_KEY = 'hotline.token_expires_at'
const USER_KEY = 'hotline.user'

function readStoredToken(): string | null {
  const token = localStorage.getItem(TOKEN_KEY)
  const expires = localStorage.getItem(EXPIRES_KEY)
  if (!token) return null
  if (expires && Date.parse(expires) <= Date.now()) return null
  return token
}

function readStoredUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY)
    return raw ? (JSON.parse(raw) as User) : null
  } catch {
    return null
  }
}

export const ROLE_LABELS: Record<Role, string> = {
  agent: '话务员',
  desk_agent: '专席话务员',
  dispatcher: '分办员',
  follow_up_agent: '回访员',
  workstation_staff: '工作站人员',
  supervisor: '监督员/班长',
  kb_editor: '知识库编辑',
  admin: '系统管理员',
  observer: '纪委监委观察员',
}

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(readStoredToken())
  const user = ref<User | null>(token.value ? readStoredUser() : null)

  const isLoggedIn = computed(() => !!token.value)
  const role = computed<Role | null>(() => user.value?.role ?? null)

  function can(permission: string): boolean {
    // The websocket hello may carry a user without its permission list.
    return !!user.value?.permissions?.includes(permission)
  }

  async function login(username: string, password: string): Promise<User> {
    const res = await authApi.login(username, password)
    token.value = res.access_token
    user.value = res.user
    localStorage.setItem(TOKEN_KEY, res.access_token)
    localStorage.setItem(EXPIRES_KEY, res.expires_at)
    localStorage.setItem(USER_KEY, JSON.stringify(res.user))
    return res.user
  }

  /** Re-read the user (permissions may have changed since the token was issued). */
  async function refresh(): Promise<void> {
    if (!token.value) return
    user.value = await authApi.me()
    localStorage.setItem(USER_KEY, JSON.stringify(user.value))
  }

  /** The websocket's hello carries the user as the server sees it now. */
  function setUser(next: User): void {
    // The websocket hello carries only id and role: merge it over what /me or login gave.
    if (user.value?.id === next.id) next = { ...user.value, ...next }
    user.value = next
    localStorage.setItem(USER_KEY, JSON.stringify(next))
  }

  function logout(): void {
    token.value = null
    user.value = null
    localStorage.removeItem(TOKEN_KEY)
    localStorage.removeItem(EXPIRES_KEY)
    localStorage.removeItem(USER_KEY)
  }

  return { token, user, isLoggedIn, role, can, login, refresh, setUser, logout }
})
