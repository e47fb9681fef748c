/* Customer service review: filter transcripts, open one in full, record a correction, export.
 * Personal data arrives already masked for the cs role; this page shows what it gets, as text. */
"use strict";

(() => {
  const {el, api, errorText} = LA;
  const $ = (id) => document.getElementById(id);
  const PAGE = 100;
  const ACTIONS = {answer: "回答", escalate: "转人工", ignore: "忽略"};
  const ROUTES = {chat: "发到评论", host: "交给主播", grouped: "合并", shed: "丢弃", none: "无"};
  const INTENTS = {
    stock: "库存", shipping: "物流", size_advice: "尺码", order_status: "订单", price: "价格",
    product_info: "商品", policy: "售后", other: "其他",
  };
  const HOST_ACTIONS = {accepted: "采用并发送", edited: "修改后发送", dismissed: "忽略", answered: "主播亲自回答"};
  const ROLES = {host: "主播", cs: "客服", admin: "管理员", ingest: "接入"};
  const FILTERS = ["room", "since", "until", "user", "intent", "action", "route", "corrected", "q"];

  const form = $("filters");
  const tbody = $("results").querySelector("tbody");
  let offset = 0;
  let openId = null;

  // --- filters <-> the page address (so a search can be bookmarked or shared) --------------------

  function pad(n) { return String(n).padStart(2, "0"); }

  function localInput(iso) {  // ISO time → datetime-local value
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function query() {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (!value) continue;
      if (name === "since" || name === "until") {
        const d = new Date(value);
        if (!Number.isNaN(d.getTime())) params.set(name, d.toISOString());
      } else {
        params.set(name, value);
      }
    }
    return params;
  }

  function fillForm(params) {
    for (const name of FILTERS) {
      const value = params.get(name) || "";
      form.elements[name].value = (name === "since" || name === "until") && value ? localInput(value) : value;
    }
  }

  function time(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso || "";
    return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function fullTime(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? (iso || "") : `${d.getFullYear()}-${time(iso)}`;
  }

  // --- the list ------------------------------------------------------------------------------------

  async function search({more = false} = {}) {
    const params = query();
    history.replaceState(null, "", "/review" + (params.toString() ? "?" + params : "") + (openId ? "#" + openId : ""));
    const csv = new URLSearchParams(params);
    csv.set("format", "csv");
    csv.set("limit", "10000");
    $("export-csv").setAttribute("href", "/v1/transcripts?" + csv);

    offset = more ? offset + PAGE : 0;
    params.set("limit", String(PAGE));
    params.set("offset", String(offset));
    const result = await api("GET", "/v1/transcripts?" + params);
    $("list-error").hidden = result.ok;
    if (!result.ok) {
      $("list-error").textContent = "查询失败 · " + errorText(result);
      return;
    }
    const rows = result.data.transcripts || [];
    if (!more) tbody.replaceChildren();
    tbody.append(...rows.map(row));
    const shown = tbody.children.length;
    $("result-count").textContent = shown ? `${shown} 条${rows.length === PAGE ? "+" : ""}` : "";
    $("empty").hidden = shown > 0;
    $("more").hidden = rows.length < PAGE;
    markOpen();
  }

  function badge(kind, text) {
    return el("span", {class: `badge ${kind}`}, text);
  }

  function row(t) {
    return el("tr", {dataset: {id: t.id}, tabindex: 0, onclick: () => open(t.id),
      onkeydown: (e) => { if (e.key === "Enter") open(t.id); }},
    el("td", {class: "nowrap"}, time(t.received_at)),
    el("td", {}, t.room_id),
    el("td", {class: "nowrap"}, t.user_id),
    el("td", {class: "msg"}, t.text),
    el("td", {}, INTENTS[t.intent] || t.intent || ""),
    el("td", {}, badge(t.action, ACTIONS[t.action] || t.action)),
    el("td", {}, ROUTES[t.route] || t.route || ""));
  }

  function markOpen() {
    for (const tr of tbody.children) tr.classList.toggle("open", tr.dataset.id === String(openId));
  }

  // --- one exchange in full -------------------------------------------------------------------------

  function json(value) {
    return JSON.stringify(value, null, 2);
  }

  /** {"color": ["黑色"], "size": ["XL"]} → "color 黑色 · size XL"; other values as short JSON. */
  function brief(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value !== "object") return String(value);
    if (Array.isArray(value)) return value.map(brief).join(" / ");
    return Object.entries(value).map(([k, v]) => `${k} ${typeof v === "object" && v !== null && !Array.isArray(v)
      ? JSON.stringify(v) : brief(v)}`).join(" · ");
  }

  function compactArgs(args) {
    return Object.entries(args || {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : brief(v)}`).join(", ");
  }

  function understandingRows(u) {
    const shown = {
      product: u.product ? [u.product.sku, u.product.via && `(${u.product.via})`].filter(Boolean).join(" ") : null,
      options: u.options && Object.keys(u.options).length ? u.options : null,
      unavailable: u.unavailable && Object.keys(u.unavailable).length ? u.unavailable : null,
      destination: u.destination, body: u.body, order_id: u.order_id, topic: u.topic,
      also: u.also && u.also.length ? u.also : null,
      flags: u.flags && u.flags.length ? u.flags : null,
      is_question: u.is_question,
    };
    return Object.entries(shown).filter(([, v]) => v !== null && v !== undefined)
      .flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, brief(v))]);
  }

  function toolCall(call, index) {
    const failed = call.result && call.result.error;
    return el("details", {class: "tool" + (failed ? " failed" : "")},
      el("summary", {}, el("span", {class: "n"}, `${index + 1}.`), el("code", {class: "name"}, call.name),
        el("span", {class: "args"}, `(${compactArgs(call.args)})`), failed ? badge("escalate", "error") : null),
      el("h4", {}, "参数 args"), el("pre", {class: "args-json"}, JSON.stringify(call.args)),
      el("h4", {}, "结果 result"), el("pre", {}, json(call.result)));
  }

  async function open(id) {
    openId = id;
    markOpen();
    history.replaceState(null, "", location.pathname + location.search + "#" + id);
    const box = $("detail");
    const result = await api("GET", `/v1/transcripts/${encodeURIComponent(id)}`);
    if (openId !== id) return;
    if (!result.ok) {
      box.replaceChildren(el("p", {class: "error"}, `打不开 #${id} · ${errorText(result)}`));
      return;
    }
    box.replaceChildren(detail(result.data));
    box.scrollTop = 0;
  }

  function detail(t) {
    const node = $("detail-template").content.firstElementChild.cloneNode(true);
    const f = (name) => node.querySelector(`[data-f="${name}"]`);
    f("title").textContent = `#${t.id}`;
    f("where").textContent = [fullTime(t.received_at), `直播间 ${t.room_id}`, `观众 ${t.user_id}`, t.channel]
      .filter(Boolean).join(" · ");
    f("text").textContent = t.text;
    f("action").replaceChildren(badge(t.action, `${ACTIONS[t.action] || t.action} ${t.action}`));
    f("intent").textContent = t.intent ? `${INTENTS[t.intent] || ""} ${t.intent}` : "—";
    f("confidence").textContent = typeof t.confidence === "number" ? t.confidence.toFixed(2) : "—";
    f("latency").textContent = typeof t.latency_ms === "number" ? `${t.latency_ms.toFixed(1)} ms` : "—";
    f("route").textContent = t.route ? `${ROUTES[t.route] || ""} ${t.route}` : "—";
    f("group").textContent = t.group_id ? `${t.group_size ?? 1} 人` : "—";
    f("lang").textContent = t.lang || "—";
    f("planner").textContent = t.planner || "—";
    f("reply").textContent = t.reply || "（没有回复 no reply）";
    f("reply").classList.toggle("none", !t.reply);
    f("reason").textContent = t.reason || "—";
    if (t.error) {
      f("error").hidden = false;
      f("error").textContent = "错误 error: " + t.error;
    }
    const u = t.understanding || {};
    f("understanding").replaceChildren(...understandingRows(u));
    f("understanding-json").textContent = json(u);
    const calls = t.tool_calls || [];
    f("tool-count").textContent = calls.length ? `${calls.length} 次` : "";
    f("tools").replaceChildren(...(calls.length ? calls.map(toolCall) : [el("p", {class: "muted"}, "没有调用工具 none")]));
    const actions = t.host_actions || [];
    f("actions").replaceChildren(...(actions.length ? actions.map((a) => el("li", {},
      el("span", {class: "muted"}, fullTime(a.at)), " ", el("b", {}, ROLES[a.role] || a.role), " ",
      HOST_ACTIONS[a.action] || a.action, a.text ? el("q", {}, a.text) : null))
      : [el("li", {class: "muted"}, "无 none")]));
    const fixes = t.corrections || [];
    f("corrections").replaceChildren(...(fixes.length ? fixes.map((c) => el("li", {class: "correction"},
      el("span", {class: "muted"}, fullTime(c.created_at)), " ", el("b", {}, ROLES[c.role] || c.role), " → ",
      badge(c.right_action, ACTIONS[c.right_action] || c.right_action),
      c.right_reply ? el("q", {}, c.right_reply) : null, c.note ? el("span", {class: "note"}, "备注：" + c.note) : null))
      : [el("li", {class: "muted"}, "无 none")]));
    const correction = f("form");
    correction.elements.right_reply.value = t.reply || "";
    correction.addEventListener("submit", (e) => saveCorrection(e, t.id, correction, f("form-status")));
    return node;
  }

  async function saveCorrection(event, id, correction, status) {
    event.preventDefault();
    const body = {
      right_action: correction.elements.right_action.value,
      right_reply: correction.elements.right_reply.value.trim(),
      note: correction.elements.note.value.trim(),
    };
    const button = correction.querySelector("button[type=submit]");
    button.disabled = true;
    status.className = "form-status";
    status.textContent = "保存中…";
    const result = await api("POST", `/v1/transcripts/${encodeURIComponent(id)}/corrections`, body);
    button.disabled = false;
    if (!result.ok) {
      status.className = "form-status bad";
      status.textContent = "没保存 · " + errorText(result);
      return;
    }
    await open(id);
    const fresh = $("detail").querySelector('[data-f="form-status"]');
    if (fresh) {
      fresh.className = "form-status good";
      fresh.textContent = `已保存纠正 #${result.data.id} · Saved`;
    }
  }

  // --- wiring ----------------------------------------------------------------------------------------

  form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
  form.addEventListener("reset", () => setTimeout(search, 0));
  $("more").addEventListener("click", () => search({more: true}));
  $("signout").addEventListener("click", LA.signOut);

  (async () => {
    const me = await api("GET", "/v1/session");
    if (me.ok) $("who").textContent = ROLES[me.data.role] ? `${ROLES[me.data.role]} ${me.data.role}` : me.data.role;
  })();
  fillForm(new URLSearchParams(location.search));
  const hash = Number.parseInt(location.hash.slice(1), 10);
  search().then(() => { if (Number.isFinite(hash)) open(hash); });
})();
