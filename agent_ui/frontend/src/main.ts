import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Services called from scripts (not templates) are not seen by the on-demand resolver: load their CSS here.
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import 'element-plus/theme-chalk/el-notification.css'
import 'element-plus/theme-chalk/el-loading.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { configureHttp } from './api/http'
import { useAuthStore } from './stores/auth'
import { useWsStore } from './stores/ws'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)

const auth = useAuthStore(pinia)
configureHttp({
  getToken: () => auth.token,
  onUnauthorized: () => {
    useWsStore(pinia).disconnect()
    auth.logout()
    const current = router.currentRoute.value
    if (current.name !== 'login') {
      void router.push({ name: 'login', query: { redirect: current.fullPath } })
    }
  },
})

app.mount('#app')
