// The one way the app talks to the stack: its public AI API, with the signed-in user's token.
import { currentToken } from "./session";

export class ApiError extends Error {
  constructor(message: string, public status: number, public code?: string) {
    super(message);
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  raw?: BodyInit;
  contentType?: string;
  /** The resource group the call acts in; null for tenant-level calls (resource groups, repositories...). */
  group?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

let activeGroup = "default";
let apiBase = ""; // the stack's path prefix ("/dev" behind API Gateway's stage URL; "" locally)
let onUnauthorized: () => void = () => {};

export function setApiBase(base: string) {
  apiBase = base.replace(/\/+$/, "");
}

/** Absolute URLs (a deploymentUrl) are used as they are; API paths get the stack's prefix. */
export function resolveUrl(path: string): string {
  return /^https?:\/\//.test(path) ? path : apiBase + path;
}

export function setActiveGroup(group: string) {
  activeGroup = group;
}

export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler;
}

export function groupHeader(group: string | null | undefined): Record<string, string> {
  const chosen = group === undefined ? activeGroup : group;
  return chosen ? { "AI-Resource-Group": chosen } : {};
}

async function send(path: string, options: CallOptions): Promise<Response> {
  const token = currentToken();
  const headers: Record<string, string> = { ...groupHeader(options.group), ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  } else if (options.contentType) {
    headers["Content-Type"] = options.contentType;
  }
  const answer = await fetch(resolveUrl(path), { method: options.method || "GET", headers, body, signal: options.signal });
  if (answer.status === 401) onUnauthorized();
  if (!answer.ok) {
    const text = await answer.text();
    let message = `${answer.status} ${answer.statusText}`;
    let code: string | undefined;
    try {
      const parsed = JSON.parse(text);
      message = parsed?.error?.message || parsed?.message || message;
      code = parsed?.error?.code;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(message, answer.status, code);
  }
  return answer;
}

/** JSON in, JSON out; throws ApiError with the API's own message. */
export async function api<T = any>(path: string, options: CallOptions = {}): Promise<T> {
  const answer = await send(path, options);
  const text = await answer.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function apiRaw(path: string, options: CallOptions = {}): Promise<Response> {
  return send(path, options);
}

/** Query strings without empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return entries.length ? "?" + new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString() : "";
}
