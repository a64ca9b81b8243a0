/* Small pieces the views share: status badges, deadline clocks, and the agency picker (a
 * combobox over GET /api/v1/agencies, the 678 agencies searched by name, code or province). */

import { get, query } from "./api.js";
import { field, h, uid } from "./dom.js";
import { number, t } from "./i18n.js";

export function statusBadge(status) {
  const known = status && t(`status.${status}`) !== `status.${status}`;
  return h("span", { class: `badge status-${status || "unknown"}`, "data-status": status || "" },
    known ? t(`status.${status}`) : t("status.unknown"));
}

/* "2 working days left" / "1.5 working days over", from the hub's own count (its clock may be scaled). */
export function clock(daysLeft, overdue) {
  if (daysLeft === null || daysLeft === undefined) {
    return overdue ? h("span", { class: "badge late" }, t("clock.overdue")) : h("span", { class: "muted" }, t("clock.none"));
  }
  if (daysLeft < 0 || overdue) {
    return h("span", { class: "badge late", "data-days-left": daysLeft },
      daysLeft < 0 ? t("clock.over", { n: number(-daysLeft) }) : t("clock.overdue"));
  }
  return h("span", { class: daysLeft < 1 ? "badge soon" : "badge ok", "data-days-left": daysLeft },
    t("clock.left", { n: number(daysLeft) }));
}

export function tier(n) {
  return n ? h("span", { class: "badge late", "data-tier": n }, t("tier.n", { n })) : h("span", { "data-tier": 0 }, t("tier.none"));
}

let provinces = null;
function provinceList() {
  provinces = provinces || get("/api/v1/agencies?kind=province&limit=40").then((a) => a.agencies)
    .catch((err) => { provinces = null; throw err; });
  return provinces;
}

/* An agency picker: { element, chosen() -> {code, name} | null }. `exclude` is a code never offered. */
export function agencyPicker(label, { exclude = null } = {}) {
  const listId = uid("agencies");
  const input = h("input", { type: "text", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-controls": listId, autocomplete: "off", spellcheck: "false", class: "picker-input" });
  const list = h("ul", { id: listId, role: "listbox", class: "picker-list", hidden: true, "aria-label": label });
  const status = h("p", { class: "picker-status", "aria-live": "polite" });
  const province = h("select", {}, h("option", { value: "" }, t("field.province.any")));
  let options = [];
  let active = -1;
  let chosen = null;
  let timer = null;
  let asked = 0;

  provinceList().then((all) => {
    for (const p of all) province.append(h("option", { value: p.code }, `${p.name} (${p.code})`));
  }).catch(() => {});

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    const li = list.children[index];
    if (li) {
      input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }
  }

  function choose(index) {
    const agency = options[index];
    if (!agency) return;
    chosen = { code: agency.code, name: agency.name };
    input.value = agency.name;
    input.dataset.code = agency.code;
    status.textContent = t("picker.chosen", { name: agency.name, code: agency.code });
    close();
  }

  async function search() {
    const ticket = ++asked;
    const text = input.value.trim();
    if (!text && !province.value) { close(); status.textContent = ""; return; }
    let found;
    try {
      found = await get(`/api/v1/agencies${query({ q: text, province: province.value, limit: 12 })}`);
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    if (ticket !== asked) return; // a later search is under way
    options = found.agencies.filter((a) => a.code !== exclude);
    list.replaceChildren(...options.map((a, i) => h("li", {
      id: `${listId}-${i}`, role: "option", "aria-selected": "false", "data-code": a.code,
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, h("span", { class: "picker-name" }, a.name), " ",
    h("span", { class: "picker-meta" }, [a.code, a.province && a.province.name].filter(Boolean).join(" · ")))));
    status.textContent = options.length ? t("picker.results", { n: options.length + (found.more ? "+" : "") })
      : t("picker.none");
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(options.length > 0));
    if (options.length) highlight(0);
  }

  input.addEventListener("input", () => {
    chosen = null;
    delete input.dataset.code;
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  province.addEventListener("change", () => { chosen = null; search(); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (list.hidden) { search(); return; }
      const step = e.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (e.key === "Enter" && !list.hidden && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));

  const element = h("div", { class: "picker" },
    field(label, input, t("picker.hint")),
    list, status,
    field(t("field.province"), province));
  return { element, input, chosen: () => chosen, fail: () => { status.textContent = t("picker.required"); input.focus(); } };
}
