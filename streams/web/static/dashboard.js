/* The stream-health dashboard: fetches /api/v1/health/overview every few seconds and draws it.
 * Every number shown carries data-field="<path in the overview>" so tests can compare it with
 * the API. Text from outside the hub only ever goes in through textContent. */
"use strict";
(function () {
  const REFRESH_MS = 5000;
  const C = window.LaporCharts;
  const $ = (id) => document.getElementById(id);

  function node(tag, attrs, text) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = String(text);
    return el;
  }

  function figure(label, value, field, cls) {
    const span = node("span", cls ? { class: cls } : {}, label);
    span.appendChild(node("b", { "data-field": field }, value === null || value === undefined ? "–" : value));
    return span;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 90) return `${Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  function when(epoch) {
    return new Date(epoch * 1000).toISOString().replace("T", " ").slice(0, 19) + "Z";
  }

  function badges(o) {
    const box = $("badges");
    box.replaceChildren();
    const add = (cls, label, value, field) => {
      const b = node("span", { class: `badge ${cls}` }, label + " ");
      b.appendChild(node("b", field ? { "data-field": field } : {}, value));
      box.appendChild(b);
    };
    add(o.broker.reachable ? "ok" : "bad", "broker", o.broker.reachable ? "reachable" : "unreachable");
    add(o.worker.assigned_partitions > 0 ? "ok" : "warn", "partitions", o.worker.assigned_partitions,
      "worker.assigned_partitions");
    add("", "events", o.worker.events_processed, "worker.events_processed");
    add("", "up", duration(o.worker.uptime_s));
    const silent = o.connectors.items.filter((c) => c.status !== "UP").length;
    add(silent ? "warn" : "ok", "connectors not up", silent);
    add(o.dead_letters.recent ? "bad" : "ok", "dead letters (1 h)", o.dead_letters.recent, "dead_letters.recent");
  }

  function throughput(o) {
    const series = o.throughput.series.map((s, i) => ({
      name: s.topic, color: C.PALETTE[i % C.PALETTE.length], points: s.history,
    }));
    C.lineChart($("throughput"), series, { label: "records per second by topic", height: 200 });
    const legend = $("throughput-legend");
    legend.replaceChildren();
    o.throughput.series.forEach((s, i) => {
      const item = node("span");
      const swatch = node("i");
      swatch.style.background = C.PALETTE[i % C.PALETTE.length];
      item.append(swatch, `${s.topic} `);
      item.appendChild(node("b", { "data-field": `throughput.${s.topic}.records_per_second` }, s.records_per_second));
      item.append(" /s");
      legend.appendChild(item);
    });
  }

  function lag(o) {
    const kv = $("lag-groups");
    kv.replaceChildren();
    const rows = [];
    for (const g of o.lag.groups) {
      // The hub has two groups of its own: the Faust worker and the outbox relay (<app>.outbox).
      const who = g.kind === "hub" ? (g.group.endsWith(".outbox") ? "outbox relay" : "hub") : g.connector_id;
      kv.appendChild(figure(`${who} total`, g.total, `lag.${g.group}.total`));
      for (const p of g.partitions) {
        rows.push({ label: `${g.kind === "hub" ? "" : who + " · "}${p.topic}[${p.partition}]`, value: p.lag,
          note: `${g.group}: committed ${p.committed ?? "none"}, end ${p.end}`,
          color: p.lag > 1000 ? "#d64541" : p.lag > 0 ? "#e0a01b" : "#2e9d5b" });
      }
    }
    rows.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
    C.barChart($("lag"), rows.slice(0, 14), { label: "lag per partition", labelWidth: 230,
      empty: o.broker.reachable ? "no consumer groups yet" : "broker unreachable" });
  }

  function connectors(o) {
    const box = $("connectors");
    box.replaceChildren();
    if (o.connectors.items.length === 0) {
      box.appendChild(node("div", { class: "empty" }, "no connector has reported yet"));
      return;
    }
    for (const c of o.connectors.items) {
      const tile = node("div", { class: `tile ${c.status}`, "data-connector": c.connector_id });
      tile.appendChild(node("div", { class: "name" }, c.connector_id));
      tile.appendChild(node("div", { class: "meta", "data-field": `connectors.${c.connector_id}.status` }, c.status));
      tile.appendChild(node("div", { class: "meta" }, `${c.agency || "?"} · ${c.connector_type || "?"}`));
      tile.appendChild(node("div", { class: "meta" },
        `seen ${c.silent_s === null ? "never" : duration(c.silent_s) + " ago"}`));
      const counts = node("div", { class: "meta" }, "delivered ");
      counts.appendChild(node("b", { "data-field": `connectors.${c.connector_id}.delivered` }, c.delivered));
      counts.append(" · failed ");
      counts.appendChild(node("b", { "data-field": `connectors.${c.connector_id}.failed` }, c.failed));
      tile.appendChild(counts);
      box.appendChild(tile);
    }
  }

  function sla(o) {
    const figures = $("sla-figures");
    figures.replaceChildren();
    if (!o.sla) {
      C.barChart($("funnel"), [], { empty: o.sla_error || "read model not sampled yet" });
      return;
    }
    const f = o.sla.funnel;
    const stages = [["received", "#2467b3"], ["dispositioned", "#16a085"], ["followed_up", "#2e9d5b"], ["closed", "#7f8c8d"]];
    C.barChart($("funnel"), stages.map(([k, color]) => ({ label: k.replace("_", " "), value: f[k], color })),
      { label: "complaint funnel", labelWidth: 110 });
    figures.appendChild(figure("open", o.sla.open, "sla.open"));
    figures.appendChild(figure("overdue", o.sla.overdue, "sla.overdue", o.sla.overdue ? "bad" : ""));
    figures.appendChild(figure("escalated", o.sla.escalated, "sla.escalated"));
    const tiers = Object.entries(o.sla.escalations_by_tier).map(([tier, n]) => ({ label: `tier ${tier}`, value: n,
      color: ["#e0a01b", "#d35400", "#d64541", "#8e44ad", "#2c3e50"][Math.min(Number(tier) - 1, 4)] }));
    C.columnChart($("tiers"), tiers, { label: "escalations by tier", empty: "no escalations" });
    C.barChart($("overdue"), o.sla.top_overdue_agencies.map((a) => ({
      label: `${a.agency} ${(a.name || "").slice(0, 22)}`, value: a.overdue, color: "#d64541",
      note: `${a.name}: ${a.overdue} overdue` })), { label: "most overdue agencies", labelWidth: 230,
      empty: "no overdue complaints" });
  }

  /* What reporters think of the responses, and what kind of reports arrive (pengaduan, aspirasi,
   * permintaan informasi). */
  function ratings(o) {
    const figures = $("rating-figures");
    figures.replaceChildren();
    if (!o.sla) {
      C.columnChart($("ratings"), [], { empty: o.sla_error || "read model not sampled yet" });
      return;
    }
    const r = o.sla.ratings;
    figures.appendChild(figure("ratings", r.count, "ratings.count"));
    const low = r.average !== null && r.average < 3;
    figures.appendChild(figure("average", r.average, "ratings.average", low ? "bad" : ""));
    const scores = ["#d64541", "#d35400", "#e0a01b", "#16a085", "#2e9d5b"];
    C.columnChart($("ratings"), r.count ? Object.entries(r.by_score).map(([score, n]) => ({ label: `${score} ★`,
      value: n, color: scores[Number(score) - 1] })) : [], { label: "ratings by score", empty: "no ratings yet" });
    C.barChart($("lowest-rated"), r.lowest_rated_agencies.map((a) => ({ label: a.agency, value: a.average,
      color: a.average < 3 ? "#d64541" : "#2e9d5b", note: `${a.agency}: ${a.average} of 5, ${a.count} ratings` })),
      { label: "lowest-rated agencies", labelWidth: 120, empty: "no ratings yet" });
    const kinds = [["complaint", "#2467b3"], ["aspiration", "#8e44ad"], ["information_request", "#16a085"]];
    const counts = o.sla.by_classification;
    C.barChart($("classifications"), kinds.filter(([k]) => counts[k]).map(([k, color]) => ({
      label: k.replace("_", " "), value: counts[k], color })), { label: "reports by classification",
      labelWidth: 150, empty: "no reports yet" });
  }

  function deadLetters(o) {
    const d = o.dead_letters;
    const kv = $("dead-figures");
    kv.replaceChildren(figure("total", d.total, "dead_letters.total"),
      figure("last hour", d.recent, "dead_letters.recent", d.recent ? "bad" : ""));
    C.barChart($("dead-stages"), Object.entries(d.by_stage).map(([stage, n]) => ({ label: stage, value: n,
      color: "#d64541" })), { label: "dead letters by stage", labelWidth: 150, empty: "no dead letters" });
    const body = $("dead-latest").querySelector("tbody");
    body.replaceChildren();
    for (const e of d.latest.slice(0, 15)) {
      const tr = node("tr");
      tr.append(node("td", {}, when(e.failed_at)), node("td", {}, e.stage), node("td", {}, e.error_class),
        node("td", { class: "reason" }, e.reason),
        node("td", {}, `${e.source_topic}[${e.source_partition ?? "?"}]@${e.source_offset ?? "?"}`));
      body.appendChild(tr);
    }
    if (d.latest.length === 0) {
      const tr = node("tr");
      tr.appendChild(node("td", { colspan: 5 }, "none"));
      body.appendChild(tr);
    }
  }

  function render(o) {
    badges(o);
    throughput(o);
    lag(o);
    connectors(o);
    sla(o);
    ratings(o);
    deadLetters(o);
    const updated = $("updated");
    updated.textContent = `updated ${when(o.generated_at)}`;
    updated.setAttribute("data-generated-at", o.generated_at);
    document.body.setAttribute("data-rendered", String(o.generated_at));
  }

  function showSignIn(message) {
    $("sign-in").hidden = false;
    $("sign-out").hidden = true;
    $("sign-in-error").textContent = message || "";
    $("updated").textContent = "sign in to see the hub's health";
  }

  async function refresh() {
    try {
      if (!LaporAuth.token()) {
        showSignIn();
        return;
      }
      const response = await LaporAuth.fetch("/api/v1/health/overview");
      if (response.status === 401 || response.status === 403) {
        const body = await response.json().catch(() => ({}));
        LaporAuth.signOut();
        showSignIn((body.error && body.error.message) || "sign in again");
        return;
      }
      if (!response.ok) throw new Error(`the hub answered ${response.status}`);
      $("sign-in").hidden = true;
      $("sign-out").hidden = false;
      render(await response.json());
    } catch (err) {
      $("updated").textContent = `cannot reach the hub (${err.message}); retrying`;
    } finally {
      if (LaporAuth.token()) setTimeout(refresh, REFRESH_MS);
    }
  }

  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await LaporAuth.signIn($("username").value, $("password").value);
      $("password").value = "";
      refresh();
    } catch (err) {
      $("sign-in-error").textContent = err.message;
    }
  });
  $("sign-out").addEventListener("click", () => { LaporAuth.signOut(); showSignIn(); });

  $("refresh-s").textContent = String(REFRESH_MS / 1000);
  refresh();
})();
