// One fetch wrapper for the whole console: bearer token, JSON, and the contract's
// `{"detail": ...}` errors always shown to the user.
import { ElMessage } from 'element-plus'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail)
  }
}

type TokenGetter = () => string | null
type UnauthorizedHandler = () => void

let getToken: TokenGetter = () => null
let onUnauthorized: UnauthorizedHandler = () => {}

/** Wired once from main.ts so this module stays free of store/router imports. */
export function configureHttp(opts: { getToken: TokenGetter; onUnauthorized: UnauthorizedHandler }): void {
  getToken = opts.getToken
  onUnauthorized = opts.onUnauthorized
}

export interface RequestOptions {
  body?: unknown
  form?: FormData
  query?: Record<string, string | number | boolean | null | undefined>
  headers?: Record<string, string>
  /** Do not pop an error message; the caller shows it its own way. */
  quiet?: boolean
  /** Return the raw Response (downloads). */
  raw?: boolean
}

/** FastAPI sends a string, or for validation errors a list of `{loc, msg}`. */
export function formatDetail(detail: unknown, status: number): string {
  if (typeof detail === 'string' && detail) return detail
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const item = d as { loc?: unknown[]; msg?: string }
        const field = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body').join('.') : ''
        return field ? `${field}: ${item.msg ?? ''}` : String(item.msg ?? JSON.stringify(d))
      })
      .join('；')
  }
  if (detail && typeof detail === 'object') return JSON.stringify(detail)
  return `请求失败（HTTP ${status}）`
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.append(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (opts.form) {
    body = opts.form
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }

  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), { method, headers, body })
  } catch {
    const detail = '无法连接服务器，请检查网络'
    if (!opts.quiet) ElMessage.error(detail)
    throw new ApiError(0, detail)
  }

  if (!res.ok) {
    let detail: string
    try {
      detail = formatDetail((await res.json())?.detail, res.status)
    } catch {
      detail = formatDetail(null, res.status)
    }
    // A 401 on the login call itself means wrong credentials, not an expired session.
    if (res.status === 401 && token && !path.startsWith('/api/auth/login')) {
      ElMessage.error(detail || '登录已过期，请重新登录')
      onUnauthorized()
      throw new ApiError(401, detail)
    }
    if (!opts.quiet) ElMessage.error(detail)
    throw new ApiError(res.status, detail)
  }
  if (opts.raw) return res as unknown as T
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
}

/** A multipart POST that reports upload progress (fetch cannot); errors are shown like `request`'s. */
export function uploadWithProgress<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.setRequestHeader('Accept', 'application/json')
    const token = getToken()
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onerror = () => {
      const detail = '无法连接服务器，请检查网络'
      ElMessage.error(detail)
      reject(new ApiError(0, detail))
    }
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T)
      const detail = formatDetail((body as { detail?: unknown } | null)?.detail, xhr.status)
      if (xhr.status === 401) onUnauthorized()
      ElMessage.error(detail)
      reject(new ApiError(xhr.status, detail))
    }
    xhr.send(form)
  })
}
