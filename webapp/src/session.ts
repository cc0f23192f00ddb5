// Signing in and the token: kept in the tab's sessionStorage only (gone when the tab closes; never in localStorage).
import { UserManager, WebStorageStateStore } from "oidc-client-ts";

export type SignInConfig =
  | { mode: "serviceKey"; tokenUrl: string }
  | { mode: "oidc"; issuer: string; clientId: string; scope: string };

export interface AppConfig {
  signIn: SignInConfig;
  apiBase: string;
}

const TOKEN_KEY = "aicore.token";
const GROUP_KEY = "aicore.resourceGroup";

export async function loadConfig(): Promise<AppConfig> {
  const answer = await fetch("app-config.json"); // relative: the page's own prefix
  if (!answer.ok) throw new Error(`The app's configuration could not be read (${answer.status}).`);
  return answer.json();
}

export function currentToken(): string | null {
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (!stored) return null;
  const { token, expires } = JSON.parse(stored) as { token: string; expires: number };
  return Date.now() < expires ? token : null;
}

function keep(token: string, expiresInSeconds: number) {
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expires: Date.now() + (expiresInSeconds - 30) * 1000 }));
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A service key as AI Core issues it (clientid, clientsecret, url, serviceurls), pasted whole. */
export function parseServiceKey(text: string): { clientId: string; clientSecret: string } {
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(text);
  } catch {
    throw new Error("The service key is not JSON: paste the whole key, from { to }.");
  }
  const clientId = key.clientid ?? key.clientId;
  const clientSecret = key.clientsecret ?? key.clientSecret;
  if (typeof clientId !== "string" || typeof clientSecret !== "string") {
    throw new Error("The service key has no clientid and clientsecret.");
  }
  return { clientId, clientSecret };
}

export async function signInWithClient(tokenUrl: string, clientId: string, clientSecret: string): Promise<void> {
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret });
  const answer = await fetch(tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    throw new Error(body.error_description || body.error || `Sign-in failed (${answer.status}).`);
  }
  keep(body.access_token, Number(body.expires_in) || 3600);
}

/** The app's own address, without query or fragment: the redirect URI registered at the issuer. */
function appUrl(): string {
  return window.location.origin + window.location.pathname;
}

function oidcManager(config: Extract<SignInConfig, { mode: "oidc" }>): UserManager {
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: appUrl(),
    response_type: "code", // with PKCE, which oidc-client-ts always uses for the code flow
    scope: config.scope,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** Starts the authorization code flow with PKCE: the browser leaves for the issuer and comes back to "/". */
export async function signInWithOidc(config: Extract<SignInConfig, { mode: "oidc" }>): Promise<void> {
  await oidcManager(config).signinRedirect();
}

/** Back from the issuer (`?code=...&state=...`): exchange the code, keep the access token, clean the URL. */
export async function completeOidcSignIn(config: SignInConfig): Promise<boolean> {
  if (config.mode !== "oidc" || !new URLSearchParams(window.location.search).has("code")) return false;
  const user = await oidcManager(config).signinRedirectCallback();
  keep(user.access_token, user.expires_in ?? 3600);
  window.history.replaceState({}, "", appUrl() + window.location.hash);
  return true;
}

export function rememberedGroup(): string {
  return sessionStorage.getItem(GROUP_KEY) || "default";
}

export function rememberGroup(group: string) {
  sessionStorage.setItem(GROUP_KEY, group);
}
