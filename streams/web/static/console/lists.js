/* The three lists of the console: the national admin's triage queue, an agency's inbox, and the
 * supervisors' overdue list. Each is a view: { element, heading, refresh() }; the console calls
 * refresh() on a timer, and a list redraws only when what the hub answered changed. */

import { get, query } from "./api.js";
import { h, replace } from "./dom.js";
import { dateTime, number, t, time } from "./i18n.js";
import { clock, statusBadge, tier } from "./widgets.js";

const OPEN = ["triage", "dispositioned", "accepted", "in_progress", "responded", "waiting_for_reporter", "on_hold"];
const ALL = [...OPEN, "closed", "archived"];

function caseLink(code, trackingId, from) {
  return h("a", { href: `#/case/${encodeURIComponent(code)}/${encodeURIComponent(trackingId)}?from=${from}`,
    "data-focus-key": trackingId, class: "tracking-id" }, trackingId);
}

function table(caption, columns, rows) {
  return h("table", { class: "list" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows));
}

function privacyNote(row) {
  return row.privacy && row.privacy !== "PUBLIC"
    ? h("span", { class: "badge privacy" }, t(`privacy.${row.privacy}`)) : null;
}

/* Remembers the last answer drawn, so a poll that brings nothing new leaves the page alone. */
function changes() {
  let last = null;
  return (answer) => {
    const text = JSON.stringify(answer);
    if (text === last) return false;
    last = text;
    return true;
  };
}

function updated(box) {
  box.textContent = t("list.updated", { time: time(new Date()) });
}

export function triageView() {
  const heading = h("h2", { tabindex: "-1" }, t("triage.title"));
  const show = h("select", { id: "triage-filter", "data-focus-key": "triage-filter" },
    h("option", { value: "" }, t("triage.filter.all")),
    h("option", { value: "triage" }, t("status.triage")),
    h("option", { value: "on_hold" }, t("status.on_hold")));
  const box = h("div", { class: "list-box", "aria-live": "off" });
  const stamp = h("p", { class: "updated" });
  const changed = changes();
  let answer = null;

  function draw() {
    const rows = answer.complaints.filter((c) => !show.value || c.status === show.value);
    const body = rows.map((c) => h("tr", { "data-tracking-id": c.tracking_id },
      h("th", { scope: "row" }, caseLink("KEMENPANRB", c.tracking_id, "triage")),
      h("td", {}, c.title || "–", " ", privacyNote(c)),
      h("td", {}, c.category || "–", h("br"), h("span", { class: "muted" }, c.region_code || "")),
      h("td", {}, dateTime(c.submitted_at)),
      h("td", {}, clock(c.working_days_left, c.overdue), h("br"), h("span", { class: "muted" },
        dateTime(c.verification_due_at))),
      h("td", { class: "routing" }, c.routing && c.routing.rule
        ? [h("span", { class: "rule" }, t("triage.rule", { rule: c.routing.rule })), h("br"), c.routing.reason || ""]
        : "–"),
      h("td", {}, statusBadge(c.status), c.escalation_tier ? [" ", tier(c.escalation_tier)] : null)));
    replace(box, rows.length
      ? table(t("list.count", { shown: rows.length, total: answer.complaints.length }),
        [t("col.tracking_id"), t("col.title"), t("col.category"), t("col.received"), t("col.verification"),
          t("col.routing"), t("col.status")], body)
      : h("p", { class: "empty" }, t("list.empty")));
  }

  show.addEventListener("change", () => { if (answer) draw(); });
  const element = h("section", { class: "view", "aria-labelledby": "view-title" },
    heading, h("p", { class: "hint" }, t("triage.hint")),
    h("div", { class: "filters" }, h("label", { for: "triage-filter" }, t("triage.filter")), show), stamp, box);
  heading.id = "view-title";
  return {
    element, heading,
    async refresh() {
      const next = await get("/api/v1/triage?limit=1000");
      updated(stamp);
      if (!changed(next.complaints)) return;
      answer = next;
      draw();
    },
  };
}

export function inboxView(me) {
  const code = me.agency;
  const heading = h("h2", { id: "view-title", tabindex: "-1" }, t("inbox.title", { agency: me.agency_name || code }));
  const status = h("select", { id: "inbox-status", name: "status" },
    h("option", { value: OPEN.join(",") }, t("inbox.status.open")),
    h("option", { value: "" }, t("inbox.status.all")),
    ALL.map((s) => h("option", { value: s }, t(`status.${s}`))));
  const overdue = h("input", { type: "checkbox", id: "inbox-overdue", name: "overdue" });
  const minTier = h("select", { id: "inbox-tier", name: "min_tier" }, h("option", { value: "0" }, t("inbox.tier.any")),
    [1, 2, 3, 4, 5, 6].map((n) => h("option", { value: n }, t("tier.n", { n }))));
  const search = h("input", { type: "search", id: "inbox-search", name: "q", maxlength: "100" });
  const counts = h("p", { class: "counts" });
  const box = h("div", { class: "list-box" });
  const stamp = h("p", { class: "updated" });
  const changed = changes();
  let limit = 100;
  let timer = null;

  const form = h("form", { class: "filters", role: "search", "aria-label": t("inbox.filters") },
    h("div", { class: "field" }, h("label", { for: "inbox-status" }, t("inbox.status")), status),
    h("div", { class: "field check" }, overdue, h("label", { for: "inbox-overdue" }, t("inbox.overdue"))),
    h("div", { class: "field" }, h("label", { for: "inbox-tier" }, t("inbox.tier")), minTier),
    h("div", { class: "field grow" }, h("label", { for: "inbox-search" }, t("inbox.search")), search),
    h("button", { type: "submit" }, t("inbox.apply")));
  const view = {
    element: h("section", { class: "view", "aria-labelledby": "view-title" }, heading, form, counts, stamp, box),
    heading,
    async refresh() {
      const path = `/api/v1/agencies/${encodeURIComponent(code)}/inbox${query({
        status: status.value, overdue: overdue.checked ? "true" : "", min_tier: minTier.value === "0" ? "" : minTier.value,
        q: search.value.trim(), limit })}`;
      const answer = await get(path);
      updated(stamp);
      if (!changed(answer.complaints.concat([answer.total, answer.by_status]))) return;
      replace(counts, Object.entries(answer.by_status).map(([s, n]) =>
        h("span", { class: "count", "data-status": s }, `${t(`status.${s}`)}: `, h("b", {}, n))));
      const rows = answer.complaints.map((c) => h("tr", { "data-tracking-id": c.tracking_id },
        h("th", { scope: "row" }, caseLink(code, c.tracking_id, "inbox")),
        h("td", {}, c.title || "–", " ", privacyNote(c), h("br"), h("span", { class: "muted" }, c.category || "")),
        h("td", {}, statusBadge(c.status)),
        h("td", {}, clock(c.working_days_left, c.overdue)),
        h("td", { "data-warnings": c.warnings }, c.warnings ? h("span", { class: "badge soon" },
          t("warnings.n", { n: c.warnings })) : "–"),
        h("td", {}, tier(c.escalation_tier)),
        h("td", {}, dateTime(c.submitted_at))));
      replace(box, rows.length
        ? [table(t("list.count", { shown: rows.length, total: answer.total }),
          [t("col.tracking_id"), t("col.title"), t("col.status"), t("col.deadline"), t("col.warnings"), t("col.tier"),
            t("col.received")], rows),
        answer.total > rows.length ? h("button", { type: "button", class: "more", "data-focus-key": "more",
          onclick: () => { limit += 100; view.refresh(); } }, t("list.more")) : null]
        : h("p", { class: "empty" }, t("list.empty")));
    },
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); view.refresh(); });
  for (const control of [status, overdue, minTier]) control.addEventListener("change", () => view.refresh());
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => view.refresh(), 300); });
  return view;
}

export function supervisionView() {
  const heading = h("h2", { id: "view-title", tabindex: "-1" }, t("supervision.title"));
  const box = h("div", { class: "list-box" });
  const stamp = h("p", { class: "updated" });
  const changed = changes();
  return {
    element: h("section", { class: "view", "aria-labelledby": "view-title" }, heading,
      h("p", { class: "hint" }, t("supervision.hint")), stamp, box),
    heading,
    async refresh() {
      const answer = await get("/api/v1/supervision/overdue");
      updated(stamp);
      if (!changed(answer.agencies)) return;
      replace(box, answer.agencies.length ? answer.agencies.map((group) => h("section", {
        class: "agency-group", "data-agency": group.agency || "" },
      h("h3", {}, t("supervision.agency", { name: group.name || group.agency, code: group.agency,
        n: group.complaints.length })),
      table(t("supervision.agency", { name: group.name || group.agency, code: group.agency, n: group.complaints.length }),
        [t("col.tracking_id"), t("col.category"), t("col.status"), t("col.age"), t("col.tier"), t("col.deadline")],
        group.complaints.map((c) => h("tr", { "data-tracking-id": c.tracking_id },
          h("th", { scope: "row" }, caseLink(group.agency, c.tracking_id, "supervision")),
          h("td", {}, c.category || "–"),
          h("td", {}, statusBadge(c.status)),
          h("td", { "data-age-days": c.age_days }, c.age_days === null ? "–" : t("age.days", { n: number(c.age_days) })),
          h("td", {}, tier(c.escalation_tier)),
          h("td", {}, clock(c.working_days_left, c.overdue))))))) : h("p", { class: "empty" }, t("list.empty")));
    },
  };
}
