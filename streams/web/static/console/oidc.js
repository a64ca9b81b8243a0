/* Signing in through the OpenID Connect provider: the authorization code flow with PKCE, as
 * browser-based apps do it (RFC 9700, and the OAuth 2.0 for Browser-Based Apps practice).
 * The browser goes to the provider, comes back to /console with a one-time code (bound to a
 * secret only this tab holds), and trades it for the access token at the provider's token
 * endpoint. The token goes to the tab's session storage, never into a URL; the code is taken
 * out of the address bar at once. */

const PENDING = "lapor-console-oidc";

function base64url(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random() { return base64url(crypto.getRandomValues(new Uint8Array(32))); }

function redirectUri() { return `${location.origin}/console`; }

/* PKCE needs SubtleCrypto, which browsers give only to secure pages (https, or the loopback). */
export function available(config) { return Boolean(config && config.oidc && window.crypto && crypto.subtle); }

export async function start(config) {
  const verifier = random();
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = random();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(config.oidc.authorization_endpoint);
  const params = { response_type: "code", client_id: config.oidc.client_id, redirect_uri: redirectUri(),
    scope: config.oidc.scope, state, code_challenge: challenge, code_challenge_method: "S256" };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.toString());
}

/* After the provider sent the browser back: the token, or null when this is no such return. */
export async function finish(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", `/console${(pending && pending.hash) || ""}`);
  if (params.has("error")) throw new Error(params.get("error_description") || params.get("error"));
  if (!pending || params.get("state") !== pending.state) throw new Error("the sign-in did not start in this tab");
  if (!config.oidc) throw new Error("this hub offers no OpenID Connect sign-in");
  const response = await fetch(config.oidc.token_endpoint, {
    method: "POST", cache: "no-store", credentials: "omit",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: params.get("code"),
      redirect_uri: redirectUri(), client_id: config.oidc.client_id, code_verifier: pending.verifier }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(body.error_description || body.error || `the provider answered ${response.status}`);
  }
  window.LaporAuth.adopt(body.access_token);
  return body.access_token;
}
