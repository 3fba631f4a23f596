export const KB_CATEGORIES: Record<string, string> = {
  policy: '政策文件',
  service_guide: '办事指南',
  faq: '常见问题',
  terminal_manual: '自助终端操作手册',
  call_script: '话术',
}
export const ARTICLE_STATES: Record<string, string> = { draft: '草稿', published: '已发布', retired: '已停用' }
export const VERSION_STATES: Record<string, string> = {
  draft: '草稿',
  review: '待审核',
  published: '已发布',
  rejected: '已驳回',
  superseded: '已替换',
}
export const INDEX_STATES: Record<string, string> = {
  pending: '待索引',
  indexing: '索引中',
  indexed: '已索引',
  complete: '已索引',
  ok: '已索引',
  failed: '索引失败',
  error: '索引失败',
}
export const label = (m: Record<string, string>, v: string | null | undefined) => (v ? (m[v] ?? v) : '—')
