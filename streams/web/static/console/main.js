/* The staff console: signs its user in, shows the views of that user's role, and keeps the view
 * up to date by asking the hub again every few seconds (faster while an action is on its way).
 *
 *   national-admin            #/triage, #/inbox (KEMENPANRB's own), #/supervision
 *   agency-officer, -admin    #/inbox
 *   supervisor, oversight     #/supervision
 *   anyone of them            #/case/<agency>/<tracking id>: the case file, as the hub discloses it
 */

import { ApiError, get } from "./api.js";
import { caseView } from "./casefile.js";
import { h, replace } from "./dom.js";
import { language, setLanguage, t } from "./i18n.js";
import { inboxView, supervisionView, triageView } from "./lists.js";
import * as oidc from "./oidc.js";

const REFRESH_MS = 10000;
const EAGER_MS = 1000;
const VIEWS = {
  "national-admin": ["triage", "inbox", "supervision"],
  "agency-officer": ["inbox"],
  "agency-admin": ["inbox"],
  supervisor: ["supervision"],
  oversight: ["supervision"],
};

const main = document.getElementById("main");
const header = document.getElementById("bar");
const status = document.getElementById("status");
const alert = document.getElementById("alert");
let me = null;
let config = { embedded: true, oidc: null };
let current = null;

function announce(text) {
  alert.textContent = "";
  status.textContent = text;
}

function fail(err, key = "error.generic") {
  if (err instanceof ApiError && err.status === 401) {
    window.LaporAuth.signOut();
    signIn(t("sign.expired"));
    return;
  }
  if (err instanceof ApiError && err.status === 0) {
    announce(t("error.network"));
    return;
  }
  status.textContent = "";
  alert.textContent = t(key, { status: err.status, reason: err.message });
}

/* The name to greet: an OIDC provider's subject is an opaque id, its token also says who in words. */
function displayName() {
  try {
    const payload = window.LaporAuth.token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(decodeURIComponent(escape(atob(payload))));
    return claims.preferred_username || claims.name || me.subject;
  } catch (err) {
    return me.subject;
  }
}

function drawHeader() {
  document.title = `LAPOR! · ${t("app.title")}`;
  const other = language() === "id" ? "en" : "id";
  const views = me ? VIEWS[me.role] || [] : [];
  const here = (location.hash.match(/^#\/(\w+)/) || [])[1];
  replace(header,
    h("p", { class: "brand" }, h("span", { class: "logo" }, "LAPOR!"), " ", t("app.title")),
    views.length ? h("nav", { "aria-label": t("nav.label") }, h("ul", {}, views.map((v) => h("li", {},
      h("a", { href: `#/${v}`, "aria-current": v === here ? "page" : null, "data-view": v }, t(`nav.${v}`)))))) : null,
    h("div", { class: "session" },
      me ? h("p", { class: "who", "data-role": me.role },
        t("who.signed_in", { user: displayName() }), " · ", t(`role.${me.role}`),
        me.agency ? [" · ", h("span", { title: me.agency_name || "" },
          me.agency_name && me.agency_name.length <= 32 ? `${me.agency_name} (${me.agency})` : me.agency)] : "") : null,
      h("button", { type: "button", id: "language", lang: other, "aria-label": t("lang.switch.label"),
        onclick: () => { setLanguage(other); drawHeader(); if (me) route(); else signIn(); } }, t("lang.switch")),
      me ? h("button", { type: "button", id: "sign-out", onclick: () => {
        window.LaporAuth.signOut();
        me = null;
        signIn();
      } }, t("sign.out")) : null));
}

function signIn(message) {
  me = null;
  current = null;
  drawHeader();
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const error = h("p", { id: "sign-in-error", class: "error", role: "alert" }, message || "");
  const heading = h("h2", { id: "view-title", tabindex: "-1" }, t("sign.title"));
  const form = config.embedded ? h("form", { id: "sign-in", class: "sign-in" },
    h("div", { class: "field" }, h("label", { for: "username" }, t("sign.username")), username),
    h("div", { class: "field" }, h("label", { for: "password" }, t("sign.password")), password),
    h("button", { type: "submit", class: "primary" }, t("sign.submit"))) : null;
  const sso = oidc.available(config) ? h("button", { type: "button", id: "sign-in-sso", class: "primary",
    onclick: () => oidc.start(config).catch((err) => { error.textContent = t("sign.failed", { reason: err.message }); }),
  }, t("sign.sso", { issuer: new URL(config.oidc.issuer).host })) : null;
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await window.LaporAuth.signIn(username.value, password.value);
      } catch (err) {
        error.textContent = t("sign.failed", { reason: err.message });
        password.select();
        return;
      }
      await enter();
    });
  }
  replace(main, h("section", { class: "view sign-in-view", "aria-labelledby": "view-title" }, heading,
    h("p", { class: "hint" }, t("sign.hint")), form, form && sso ? h("p", { class: "or" }, t("sign.or")) : null,
    sso, error));
  (username.isConnected ? username : heading).focus();
}

async function enter() {
  if (!window.LaporAuth.token()) { signIn(); return; }
  try {
    me = await get("/api/v1/auth/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { window.LaporAuth.signOut(); signIn(t("sign.expired")); return; }
    signIn(t("sign.failed", { reason: err.message }));
    return;
  }
  route();
}

function parse(hash) {
  const [path, search] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").map(decodeURIComponent);
  return { parts, params: new URLSearchParams(search || "") };
}

function route() {
  const views = VIEWS[me.role] || [];
  if (!views.length) {
    drawHeader();
    replace(main, h("section", { class: "view" }, h("h2", { id: "view-title", tabindex: "-1" }, t("app.title")),
      h("p", {}, t("sign.no_view", { role: t(`role.${me.role}`) })),
      me.role === "operator" ? h("p", {}, h("a", { href: "/dashboard" }, t("sign.operator"))) : null));
    return;
  }
  const { parts, params } = parse(location.hash);
  let view;
  if (parts[0] === "case" && parts[1] && parts[2]) {
    const from = views.includes(params.get("from")) ? params.get("from") : views[0];
    view = caseView(parts[1], parts[2], from, { me, announce, fail, back: (to) => { location.hash = `#/${to}`; } });
  } else {
    const name = views.includes(parts[0]) ? parts[0] : views[0];
    if (parts[0] !== name) { history.replaceState(null, "", `#/${name}`); }
    view = { triage: triageView, inbox: inboxView, supervision: supervisionView }[name](me);
  }
  current = view;
  drawHeader();
  status.textContent = "";
  alert.textContent = "";
  replace(main, view.element);
  view.heading.focus();
  last = Date.now();
  view.refresh().catch((err) => fail(err));
}

/* Once a second: the current view asks the hub again when REFRESH_MS passed since it last did,
 * or at once while an action of this user is on its way to the read model. */
let last = 0;
async function tick() {
  const view = current;
  const due = view && (Date.now() - last >= REFRESH_MS || (view.eager && view.eager()));
  if (due && document.visibilityState === "visible") {
    last = Date.now();
    try {
      await view.refresh();
    } catch (err) {
      if (view === current) fail(err);
    }
  }
  setTimeout(tick, EAGER_MS);
}

async function boot() {
  setLanguage(language());
  drawHeader();
  setTimeout(tick, EAGER_MS);
  window.addEventListener("hashchange", () => { if (me) route(); });
  config = await get("/api/v1/auth/config").catch(() => config);
  try {
    await oidc.finish(config);
  } catch (err) {
    signIn(t("sign.failed", { reason: err.message }));
    return;
  }
  await enter();
}

boot();
