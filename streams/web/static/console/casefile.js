/* A complaint's case file, as GET /api/v1/agencies/{code}/complaints/{id} shows it to the caller
 * (the hub has applied the privacy rules: the identity is there only where they allow it), with
 * the actions the hub says the caller may take now (the case file's "actions", judged by the
 * lifecycle's own rules), each a small form that posts to the staff API. */

import { ApiError, get, post } from "./api.js";
import { field, h, replace, uid } from "./dom.js";
import { dateTime, t } from "./i18n.js";
import { agencyPicker, clock, statusBadge, tier } from "./widgets.js";

const NATIONAL_ADMIN = "KEMENPANRB";

function textArea(name, { required = true, max = 2000 } = {}) {
  return h("textarea", { name, rows: "3", maxlength: String(max), required });
}

/* action -> (the form's fields, and how to read them into the request body) */
const FORMS = {
  "agency.accept": () => ({ fields: [], body: () => ({}) }),
  "agency.decline": (code) => {
    const reason = textArea("reason", { max: 1000 });
    const picker = agencyPicker(t("field.suggested_agency"), { exclude: code });
    return { fields: [field(t("field.reason"), reason), picker.element],
      body: () => ({ reason: reason.value, suggested_agency: picker.chosen() ? picker.chosen().code : null }) };
  },
  "agency.request_information": () => {
    const reason = textArea("reason", { max: 1000 });
    return { fields: [field(t("field.reason"), reason)], body: () => ({ reason: reason.value }) };
  },
  "agency.follow_up": () => {
    const note = textArea("note");
    return { fields: [field(t("field.note"), note)], body: () => ({ note: note.value }) };
  },
  "agency.respond": () => {
    const response = textArea("response", { max: 5000 });
    return { fields: [field(t("field.response"), response)], body: () => ({ response: response.value }) };
  },
  "agency.close": () => {
    const note = textArea("note", { required: false, max: 1000 });
    return { fields: [field(t("field.notes"), note)], body: () => ({ note: note.value || null }) };
  },
  "triage.verify": () => {
    const notes = textArea("notes", { required: false, max: 1000 });
    return { fields: [field(t("field.notes"), notes)], body: () => ({ notes: notes.value || null }) };
  },
  "triage.disposition": () => {
    const picker = agencyPicker(t("field.agency"), { exclude: NATIONAL_ADMIN });
    const reason = textArea("reason", { required: false, max: 1000 });
    return { fields: [picker.element, field(t("field.notes"), reason)],
      check: () => (picker.chosen() ? true : (picker.fail(), false)),
      body: () => ({ agency: picker.chosen().code, reason: reason.value || null }) };
  },
  "triage.return": () => {
    const reason = textArea("reason", { max: 1000 });
    return { fields: [field(t("field.reason"), reason)], body: () => ({ reason: reason.value }) };
  },
  "triage.hold": () => {
    const reason = textArea("reason", { max: 1000 });
    return { fields: [field(t("field.reason"), reason)], body: () => ({ reason: reason.value }) };
  },
  "triage.archive": () => {
    const reason = h("select", { name: "reason", required: true },
      ["SPAM", "OUT_OF_SCOPE", "DUPLICATE", "SETTLED"].map((r) => h("option", { value: r }, t(`archive.${r}`))));
    const notes = textArea("notes", { required: false, max: 1000 });
    return { fields: [field(t("field.archive_reason"), reason), field(t("field.notes"), notes)],
      body: () => ({ reason: reason.value, notes: notes.value || null }) };
  },
};

function endpoint(action, code, trackingId) {
  const [kind, name] = action.split(".");
  return kind === "triage" ? [`/api/v1/triage/${encodeURIComponent(trackingId)}/${name}`, {}]
    : [`/api/v1/agencies/${encodeURIComponent(code)}/complaints/${encodeURIComponent(trackingId)}/actions`,
      { type: name }];
}

/* While a complaint waits for the national admin, the triage decisions are the ones to offer. */
function offered(file, me) {
  const verifying = me.role === "national-admin" && file.agency === NATIONAL_ADMIN
    && (file.status === "triage" || file.status === "on_hold");
  return file.actions.filter((a) => (verifying ? a.startsWith("triage.") : a.startsWith("agency.")));
}

const names = new Map();
function agencyName(code) {
  const span = h("span", { "data-agency": code }, code);
  if (!code) return span;
  if (!names.has(code)) {
    names.set(code, get(`/api/v1/agencies?q=${encodeURIComponent(code)}&limit=1`)
      .then((a) => (a.agencies[0] && a.agencies[0].code === code ? a.agencies[0].name : code)).catch(() => code));
  }
  names.get(code).then((name) => { span.textContent = name === code ? code : `${name} (${code})`; });
  return span;
}

function dl(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function reporter(file) {
  if (!file.identity_shown) {
    return h("p", { class: "muted", "data-identity": "hidden" },
      t(file.privacy === "ANONYMOUS" ? "case.reporter.hidden_anonymous" : "case.reporter.hidden_role"));
  }
  const r = file.reporter || {};
  return h("div", { "data-identity": "shown" }, dl([[t("case.reporter.name"), r.name || "–"],
    [t("case.reporter.nik"), r.nik || "–"], [t("case.reporter.phone"), r.phone || "–"],
    [t("case.reporter.email"), r.email || "–"]]));
}

function attachments(file) {
  if (!file.attachments.length) {
    return h("p", { class: "muted" }, t(!file.identity_shown && file.privacy === "ANONYMOUS"
      ? "case.attachments.withheld" : "case.attachments.none"));
  }
  return h("ul", {}, file.attachments.map((a) => h("li", {},
    h("a", { href: a.url, rel: "noopener noreferrer", target: "_blank" }, a.name), ` (${a.content_type})`)));
}

function timeline(file) {
  return h("ol", { class: "timeline" }, file.timeline.map((e) => h("li", { "data-type": e.type },
    h("time", { datetime: e.at }, dateTime(e.at)), " ",
    h("strong", {}, t(`event.${e.type}`)), e.agency ? [" · ", agencyName(e.agency)] : null,
    e.actor_subject ? h("span", { class: "muted" }, " ", t("case.by", { who: e.actor_subject })) : null,
    h("br"), h("span", { class: "summary", lang: "en" }, e.summary))));
}

function summary(file) {
  return [
    h("p", { class: "state" }, statusBadge(file.status), " ", clock(file.working_days_left, file.overdue), " ",
      file.escalation_tier ? [tier(file.escalation_tier), " "] : null, h("span", { class: "badge privacy" }, t(`privacy.${file.privacy}`))),
    dl([[t("case.holder"), agencyName(file.agency)], [t("case.submitted"), dateTime(file.submitted_at)],
      [t("col.category"), file.category || "–"], [t("col.region"), file.region_code || "–"],
      [t("case.channel"), file.channel || "–"]]),
    h("section", { "aria-labelledby": "case-content" }, h("h3", { id: "case-content" }, t("case.content")),
      h("p", { class: "complaint-title" }, file.title || "–"), h("p", { class: "description" }, file.description || "–"),
      file.content_hidden ? h("p", { class: "muted" }, t("case.hidden_public")) : null),
    h("section", { "aria-labelledby": "case-reporter" }, h("h3", { id: "case-reporter" }, t("case.reporter")),
      reporter(file),
      file.location && file.location.address ? dl([[t("case.location"), file.location.address]]) : null),
    h("section", { "aria-labelledby": "case-attachments" }, h("h3", { id: "case-attachments" }, t("case.attachments")),
      attachments(file)),
    h("section", { "aria-labelledby": "case-assignments" }, h("h3", { id: "case-assignments" }, t("case.assignments")),
      h("ul", {}, file.assignments.map((a) => h("li", {}, agencyName(a.agency), ` · ${dateTime(a.assigned_at)}`,
        a.rule ? [" · ", h("span", { class: "rule" }, t("triage.rule", { rule: a.rule }))] : null,
        a.reason ? [h("br"), h("span", { class: "summary", lang: "en" }, a.reason)] : null)))),
    h("section", { "aria-labelledby": "case-timeline" }, h("h3", { id: "case-timeline" }, t("case.timeline")),
      timeline(file)),
  ];
}

/* ctx: { me, announce(text), fail(error), back() } */
export function caseView(code, trackingId, from, ctx) {
  const heading = h("h2", { id: "view-title", tabindex: "-1" }, t("case.title", { id: trackingId }));
  const facts = h("div", { class: "case-facts" });
  const buttons = h("div", { class: "action-buttons", role: "group", "aria-label": t("case.actions") });
  const formBox = h("div", { class: "action-form" });
  let file = null;
  let shownActions = null;
  // After an action: the timeline's length then, until the hub's answer shows one more event (or 30 s pass).
  let waiting = null;

  function openForm(action, button) {
    for (const b of buttons.querySelectorAll("button")) b.setAttribute("aria-expanded", String(b === button));
    const spec = FORMS[action](code);
    const formId = uid("action");
    const send = h("button", { type: "submit", class: "primary" }, t("action.send"));
    const form = h("form", { id: formId, "data-action": action, "aria-label": t(`action.${action}`) },
      h("h4", {}, t(`action.${action}`)), spec.fields,
      h("div", { class: "buttons" }, send, h("button", { type: "button", onclick: () => closeForm(button) },
        t("action.cancel"))));
    button.setAttribute("aria-controls", formId);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (spec.check && !spec.check()) return;
      const [path, base] = endpoint(action, code, trackingId);
      send.disabled = true;
      try {
        await post(path, { ...base, ...spec.body() });
      } catch (err) {
        send.disabled = false;
        ctx.fail(err, "action.failed");
        return;
      }
      waiting = { events: file.timeline.length, until: Date.now() + 30000 };
      closeForm(null);
      ctx.announce(t("action.sent"));
      view.refresh();
    });
    replace(formBox, form);
    const first = form.querySelector("input, textarea, select, button[type=submit]");
    if (first) first.focus();
  }

  function closeForm(button) {
    for (const b of buttons.querySelectorAll("button")) b.setAttribute("aria-expanded", "false");
    replace(formBox);
    if (button) button.focus();
  }

  function drawActions() {
    const actions = offered(file, ctx.me);
    const key = actions.join(",");
    if (key === shownActions) return;
    shownActions = key;
    closeForm(null);
    replace(buttons, actions.length ? actions.map((action) => {
      const button = h("button", { type: "button", "aria-expanded": "false", "data-action": action,
        "data-focus-key": action });
      button.textContent = t(`action.${action}`);
      button.addEventListener("click", () => openForm(action, button));
      return button;
    }) : h("p", { class: "muted" }, t("case.actions.none")));
  }

  const panel = h("section", { class: "actions-panel", "aria-labelledby": "case-actions", hidden: true },
    h("h3", { id: "case-actions" }, t("case.actions")), buttons, formBox);
  const view = {
    heading,
    element: h("section", { class: "view case", "aria-labelledby": "view-title" },
      h("p", {}, h("a", { href: `#/${from || "home"}`, class: "back" }, `← ${t("case.back")}`)),
      heading, panel, facts),
    async refresh() {
      let next;
      try {
        next = await get(`/api/v1/agencies/${encodeURIComponent(code)}/complaints/${encodeURIComponent(trackingId)}`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404 && file !== null) {
          ctx.back(from); // dispositioned or forwarded elsewhere: it has left this agency's hands
          return;
        }
        if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
          replace(facts, h("p", { class: "error", role: "alert" }, t("case.not_found", { reason: err.message })));
          replace(buttons);
          panel.hidden = true;
          return;
        }
        throw err;
      }
      const changed = !file || JSON.stringify(next) !== JSON.stringify(file);
      file = next;
      if (waiting !== null && (file.timeline.length > waiting.events || Date.now() > waiting.until)) waiting = null;
      if (changed) {
        replace(facts, summary(file));
        drawActions();
        panel.hidden = false;
      }
    },
    /* faster while an action is on its way to the read model */
    eager: () => waiting !== null,
  };
  return view;
}
