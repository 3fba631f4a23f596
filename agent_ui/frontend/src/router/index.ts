import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/stores/auth'
import { MENU, homeFor } from './menu'

const screens: Record<string, () => Promise<unknown>> = {
  intake: () => import('@/views/intake/IntakeView.vue'),
  orders: () => import('@/views/orders/OrderLookupView.vue'),
  board: () => import('@/views/supervisor/BoardView.vue'),
  admin: () => import('@/views/admin/AdminView.vue'),
  dispatch: () => import('@/views/queues/DispatchView.vue'),
  reviews: () => import('@/views/queues/ReviewsView.vue'),
  inbox: () => import('@/views/queues/InboxView.vue'),
  'follow-up': () => import('@/views/queues/FollowUpView.vue'),
  oversee: () => import('@/views/queues/OverseeView.vue'),
  kb: () => import('@/views/kb/KbView.vue'),
  oversight: () => import('@/views/oversight/OversightView.vue'),
}
const placeholder = () => import('@/views/PlaceholderView.vue')

const children: RouteRecordRaw[] = MENU.map((m) => ({
  path: m.path.replace(/^\//, ''),
  name: m.name,
  component: m.placeholder ? placeholder : screens[m.name],
  meta: { title: m.title, roles: m.roles },
}))

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('@/layouts/AppShell.vue'),
    children: [
      { path: '', name: 'home', redirect: () => homeFor(useAuthStore().role) },
      ...children,
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (to.meta.public) {
    return auth.isLoggedIn && to.name === 'login' ? homeFor(auth.role) : true
  }
  if (!auth.isLoggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  const roles = to.meta.roles as string[] | undefined
  if (roles && auth.role && !roles.includes(auth.role)) return homeFor(auth.role)
  return true
})

router.afterEach((to) => {
  const title = to.meta.title as string | undefined
  document.title = title ? `${title} - 12345 政务服务便民热线` : '12345 政务服务便民热线'
})
