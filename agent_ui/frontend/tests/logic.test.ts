import { describe, expect, it } from 'vitest'
import { buildTaxonomyTree } from '@/stores/meta'
import { suggestSections } from '@/utils/suggest'
import { formatDetail, buildUrl } from '@/api/http'
import { emptyIntake, isPristine, restoreIntake, toOrderCreate } from '@/views/intake/intakeForm'
import { createdHere, notificationFor } from '@/utils/notify'
import { homeFor, menuFor } from '@/router/menu'
import type { Enums } from '@/api/types'

const enums: Enums = {
  channels: [
    { value: 'web', label: '网站' },
    { value: 'phone', label: '电话' },
  ],
  request_types: [{ value: 'complaint', label: '投诉' }],
  urgencies: [
    { value: 'urgent', label: '紧急' },
    { value: 'normal', label: '一般' },
  ],
  order_states: [],
  roles: [],
  handoff_targets: [],
}

describe('taxonomy tree', () => {
  it('groups rows into three levels and leaves childless nodes as leaves', () => {
    const tree = buildTaxonomyTree([
      { level1: '城乡建设', level2: '市容环卫', level3: '垃圾清运' },
      { level1: '城乡建设', level2: '市容环卫', level3: '占道经营' },
      { level1: '城乡建设', level2: '噪音', level3: '' },
      { level1: '交通运输', level2: '', level3: '' },
    ])
    expect(tree.map((n) => n.value)).toEqual(['城乡建设', '交通运输'])
    expect(tree[0].children!.map((n) => n.value)).toEqual(['市容环卫', '噪音'])
    expect(tree[0].children![0].children!.map((n) => n.value)).toEqual(['垃圾清运', '占道经营'])
    expect(tree[0].children![1].children).toBeUndefined()
    expect(tree[1].children).toBeUndefined()
  })
})

describe('intake form', () => {
  it('defaults channel and urgency from the server enums', () => {
    const f = emptyIntake(enums)
    expect(f.channel).toBe('phone')
    expect(f.urgency).toBe('normal')
    expect(f.idempotency_key).toMatch(/^[0-9a-f-]{36}$/)
    expect(emptyIntake(enums).idempotency_key).not.toBe(f.idempotency_key)
  })

  it('sends no identity for an anonymous caller', () => {
    const f = { ...emptyIntake(enums), caller_name: '张三', caller_phone: '138', anonymous: true, category: ['a', 'b'] }
    const body = toOrderCreate(f)
    expect([body.caller_name, body.caller_phone, body.caller_address]).toEqual([null, null, null])
    expect([body.category_l1, body.category_l2, body.category_l3]).toEqual(['a', 'b', null])
    expect(toOrderCreate({ ...f, anonymous: false }).caller_name).toBe('张三')
  })

  it('treats a form holding only defaults as pristine', () => {
    expect(isPristine(emptyIntake(enums), enums)).toBe(true)
    expect(isPristine({ ...emptyIntake(enums), subject: '噪音' }, enums)).toBe(false)
    expect(isPristine({ ...emptyIntake(enums), category: ['x'] }, enums)).toBe(false)
  })

  it('restores a draft, keeping its idempotency key and dropping unknown or mistyped keys', () => {
    const f = restoreIntake({ subject: '噪音', idempotency_key: 'k1', bogus: 1, anonymous: 'yes', category: ['a', 3] }, enums)
    expect(f.subject).toBe('噪音')
    expect(f.idempotency_key).toBe('k1')
    expect(f.anonymous).toBe(false)
    expect(f.category).toEqual(['a'])
    expect('bogus' in f).toBe(false)
  })
})

describe('suggestion payload', () => {
  it('renders each list with labels, scores and applicable categories', () => {
    const sections = suggestSections({
      categories: [{ level1: '城乡建设', level2: '市容环卫', level3: '垃圾清运', score: 0.8 }],
      units: [{ unit: { id: 3, name: '天河区城管局' }, reason: '属地' }],
      note: 'ignored scalar',
    })
    expect(sections.map((s) => s.title)).toEqual(['分类建议', '承办单位建议'])
    expect(sections[0].items[0].category).toEqual(['城乡建设', '市容环卫', '垃圾清运'])
    expect(sections[0].items[0].score).toBe(0.8)
    expect(sections[1].items[0]).toMatchObject({ label: '天河区城管局', detail: '属地', category: null })
    expect(suggestSections(null)).toEqual([])
    expect(suggestSections({ units: [] })).toEqual([])
  })
})

describe('http helpers', () => {
  it('formats FastAPI validation errors by field', () => {
    expect(formatDetail('账号已锁定', 423)).toBe('账号已锁定')
    expect(
      formatDetail(
        [
          { loc: ['body', 'subject'], msg: 'Field required' },
          { loc: ['body', 'urgency'], msg: 'bad value' },
        ],
        422,
      ),
    ).toBe('subject: Field required；urgency: bad value')
    expect(formatDetail(undefined, 500)).toBe('请求失败（HTTP 500）')
  })

  it('drops empty query parameters', () => {
    expect(buildUrl('/api/orders', { q: '', number: 'A1', phone: undefined, page: 1 })).toBe('/api/orders?number=A1&page=1')
  })
})

describe('notifications and menus', () => {
  it('does not tell an agent about other people’s orders, but does about their own', () => {
    const env = { type: 'order.transitioned', position: 1, payload: { order_id: 77, number: 'N77', state_label: '已派单' } }
    expect(notificationFor(env, 'agent')).toBeNull()
    createdHere.add(77)
    expect(notificationFor(env, 'agent')?.message).toContain('N77')
    expect(notificationFor({ ...env, type: 'alert.overdue' }, 'observer')?.type).toBe('warning')
    expect(notificationFor({ ...env, type: 'audit.unmask' }, 'agent')).toBeNull()
  })

  it('gives each role its own menu and home', () => {
    expect(menuFor('agent').map((m) => m.title)).toEqual(['受理台', '工单查询'])
    expect(menuFor('supervisor').map((m) => m.title)).toEqual(['监督看板', '督办', '中心审核', '工单查询'])
    expect(menuFor('observer').map((m) => m.title)).toEqual(['营商环境专线'])
    expect(homeFor('dispatcher')).toBe('/dispatch')
    expect(homeFor(null)).toBe('/login')
  })
})
