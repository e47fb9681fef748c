/* The host's teleprompter: the product on air with live stock, what viewers are asking, one-key actions.
 * The board comes from GET /board; the WebSocket only says "something changed" (plus the first snapshot),
 * and the page re-reads the board at most ~4 times a second. */
"use strict";

(() => {
  const {el, setText, api, errorText} = LA;
  const $ = (id) => document.getElementById(id);
  const room = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
  const base = "/v1/rooms/" + encodeURIComponent(room);

  const DONE = new Set(["accepted", "edited", "dismissed", "answered"]);
  const STATUS_TEXT = {
    posted: "✓ 已自动回复", accepted: "✓ 已发送", edited: "✓ 已修改发送", dismissed: "已忽略",
    answered: "✓ 主播已回答", late: "回复晚了 · 请确认", escalated: "转人工 · 需要你决定", suggested: "",
  };
  const INTENTS = {
    stock: "库存", shipping: "物流", size_advice: "尺码", order_status: "订单", price: "价格",
    product_info: "商品", policy: "售后", other: "其他",
  };
  const OPTION_NAMES = {size: "尺码", color: "颜色", colour: "颜色", shade: "色号", style: "款式"};
  const CURRENCY = {CNY: "¥", RMB: "¥", USD: "$", EUR: "€", GBP: "£", JPY: "¥"};
  const MAX_DONE_SHOWN = 3;
  const REFRESH_GAP_MS = 250;

  let lastBoard = null;
  let selectedId = null;
  let editingId = null;
  let pendingQueue = null;
  const overrides = new Map();   // group id → status set by this page before the server's event arrives
  const cards = new Map();       // group id → {node, parts, item}
  let selectable = [];           // group ids the keys move through

  // --- the board -----------------------------------------------------------------------------

  function render(board) {
    lastBoard = board;
    renderProduct(board.on_air);
    renderStock(board.on_air);
    renderAlerts(board.alerts || []);
    renderDemand(board.demand || {});
    renderQueue(board);
  }

  function money(value, currency) {
    if (value === null || value === undefined) return "";
    const symbol = CURRENCY[currency] || (currency ? currency + " " : "");
    return symbol + (Number.isInteger(value) ? String(value) : Number(value).toFixed(2));
  }

  function shortDate(iso, compact) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!m) return "";
    return compact ? `${Number(m[2])}/${Number(m[3])}` : `${Number(m[2])}月${Number(m[3])}日`;
  }

  function renderProduct(onAir) {
    if (!onAir) {
      setText($("link-no"), "");
      setText($("title"), "未设置在播商品 · 按 O 输入链接号");
      setText($("price"), "");
      $("presale").hidden = true;
      document.title = `提词器 ${room} · liveassist`;
      return;
    }
    setText($("link-no"), onAir.link_no !== null && onAir.link_no !== undefined ? `${onAir.link_no}号链接` : "");
    setText($("title"), onAir.title);
    setText($("price"), money(onAir.price, onAir.currency));
    $("presale").hidden = !onAir.presale_ship_date;
    setText($("presale"), onAir.presale_ship_date ? `预售 · ${shortDate(onAir.presale_ship_date)}发货` : "");
    document.title = `${onAir.link_no ?? ""} ${onAir.title} · 提词器 ${room}`;
  }

  // Stock: a grid when the product has two options (rows = colour, columns = size), tiles otherwise.
  let stockKey = null;
  const stockCells = new Map();  // variant sku → {node, num, sub}
  const lastTotals = new Map();

  function stockCell(tag) {
    const num = el("span", {class: "num"});
    const sub = el("span", {class: "sub"});
    return {node: el(tag, {class: "cell"}, num, sub), num, sub};
  }

  function buildStock(onAir) {
    const box = $("stock");
    stockCells.clear();
    lastTotals.clear();
    if (!onAir) {
      box.replaceChildren(el("p", {class: "empty"}, "没有在播商品"));
      return;
    }
    const names = Object.keys(onAir.options || {});
    const variants = onAir.variants || [];
    if (names.length === 2) {
      const rowName = names.find((n) => /colou?r|颜色|色/i.test(n)) || names[0];
      const colName = names.find((n) => n !== rowName);
      const rows = onAir.options[rowName];
      const cols = onAir.options[colName];
      const head = el("tr", {}, el("th", {class: "corner"}), cols.map((c) => el("th", {scope: "col"}, c)));
      const body = rows.map((r) => el("tr", {}, el("th", {scope: "row"}, r), cols.map((c) => {
        const variant = variants.find((v) => v.options[rowName] === r && v.options[colName] === c);
        if (!variant) return el("td", {class: "cell none"}, el("span", {class: "num"}, "—"));
        const cell = stockCell("td");
        stockCells.set(variant.sku, cell);
        return cell.node;
      })));
      box.replaceChildren(el("table", {class: "grid"}, el("thead", {}, head), el("tbody", {}, body)));
    } else {
      box.replaceChildren(el("ul", {class: "tiles"}, variants.map((v) => {
        const cell = stockCell("li");
        cell.node.prepend(el("span", {class: "label"}, v.label || v.sku));
        stockCells.set(v.sku, cell);
        return cell.node;
      })));
    }
  }

  function renderStock(onAir) {
    const key = onAir ? JSON.stringify([onAir.sku, onAir.options, (onAir.variants || []).map((v) => v.sku)]) : "none";
    const rebuilt = key !== stockKey;
    if (rebuilt) {
      stockKey = key;
      buildStock(onAir);
    }
    for (const v of (onAir && onAir.variants) || []) {
      const cell = stockCells.get(v.sku);
      if (!cell) continue;
      const soldOut = v.status === "sold_out";
      setText(cell.num, soldOut ? "售罄" : v.total);
      setText(cell.sub, soldOut ? (v.restock_date ? `${shortDate(v.restock_date, true)} 补货` : "")
                                : v.status === "low" ? "紧张" : "");
      cell.node.dataset.sku = v.sku;
      cell.node.dataset.total = v.total;
      cell.node.className = `cell ${v.status}`;
      if (!rebuilt && lastTotals.has(v.sku) && lastTotals.get(v.sku) !== v.total) {
        void cell.node.offsetWidth;  // restart the animation
        cell.node.classList.add("changed");
      }
      lastTotals.set(v.sku, v.total);
    }
  }

  function renderAlerts(alerts) {
    const list = $("alerts");
    list.replaceChildren(...alerts.map((a) => a.kind === "asked_sold_out"
      ? el("li", {class: "alert sold"}, el("strong", {}, a.label), ` 已售罄 · ${a.count} 人在问`)
      : a.kind === "low_stock"
        ? el("li", {class: "alert low"}, el("strong", {}, a.label), ` 仅剩 ${a.count} 件`)
        : el("li", {class: "alert"}, `${a.label || a.kind} · ${a.count ?? ""}`)));
    list.hidden = alerts.length === 0;
  }

  function ms(value) {
    if (value === null || value === undefined) return "—";
    return value >= 1000 ? `${(value / 1000).toFixed(1)}s` : `${Math.round(value)}ms`;
  }

  function pct(value) {
    return `${Math.round((value || 0) * 100)}%`;
  }

  function renderDemand(d) {
    const strong = (text) => el("b", {}, text);
    const rows = [["近1分钟", [strong(d.questions_last_minute ?? 0), " 个提问"]]];
    for (const [name, counts] of Object.entries(d.by_option || {})) {
      const top = Object.entries(counts).slice(0, 4);
      if (top.length) rows.push([OPTION_NAMES[name] || name, top.flatMap(([value, n], i) => [i ? "　" : "", `${value} `, strong(n)])]);
    }
    const shares = d.shares || {};
    rows.push(["处理", ["回答 ", strong(pct(shares.answer)), "　转人工 ", strong(pct(shares.escalate)),
      "　忽略 ", strong(pct(shares.ignore))]]);
    const latency = d.latency_ms || {};
    rows.push(["回复用时", ["p50 ", strong(ms(latency.p50)), "　p95 ", strong(ms(latency.p95))]]);
    $("demand").replaceChildren(...rows.flatMap(([label, values]) => [el("dt", {}, label), el("dd", {}, ...values)]));
  }

  // --- the queue: escalations first, then questions by how many ask; handled ones fade to the bottom -------

  function statusOf(item) {
    const mine = overrides.get(item.group_id);
    if (mine && (DONE.has(item.status) || item.status === "posted")) overrides.delete(item.group_id);
    return DONE.has(item.status) ? item.status : (mine || item.status);
  }

  function renderQueue(board) {
    if (editingId) {  // never move the card being edited; catch up when the edit ends
      pendingQueue = board;
      return;
    }
    pendingQueue = null;
    const all = [...(board.escalations || []), ...(board.questions || [])].map((item) => ({...item, status: statusOf(item)}));
    const active = all.filter((i) => !DONE.has(i.status) && i.status !== "posted");
    const posted = all.filter((i) => i.status === "posted");
    const done = all.filter((i) => DONE.has(i.status)).sort((a, b) => b.last_at - a.last_at).slice(0, MAX_DONE_SHOWN);
    const shown = [...active.filter((i) => i.kind === "escalate"), ...active.filter((i) => i.kind !== "escalate"),
      ...posted, ...done];

    const previousSelectable = selectable;
    selectable = shown.filter((i) => !DONE.has(i.status) && i.status !== "posted").map((i) => i.group_id);
    if (!selectable.includes(selectedId)) {
      const at = Math.max(0, previousSelectable.indexOf(selectedId));
      selectedId = selectable[Math.min(at, selectable.length - 1)] ?? null;
    }

    const list = $("queue");
    const wanted = new Set(shown.map((i) => i.group_id));
    for (const [id, card] of cards) {
      if (!wanted.has(id)) {
        card.node.remove();
        cards.delete(id);
      }
    }
    shown.forEach((item, index) => {
      const card = cards.get(item.group_id) || makeCard(item.group_id);
      updateCard(card, item);
      if (list.children[index] !== card.node) list.insertBefore(card.node, list.children[index] || null);
    });
    setText($("queue-count"), active.length ? `${active.length} 条待处理` : "");
    $("queue-empty").hidden = shown.length > 0;
    showSelection();
  }

  function makeCard(id) {
    const parts = {
      count: el("span", {class: "n"}),
      tag: el("span", {class: "tag"}),
      topic: el("span", {class: "topic"}),
      askers: el("span", {class: "askers"}),
      question: el("p", {class: "question"}),
      reason: el("p", {class: "reason"}),
      replyLabel: el("span", {class: "reply-label"}),
      reply: el("span", {class: "reply-text"}),
    };
    const button = (cls, text, key, handler) =>
      el("button", {class: cls, type: "button", onclick: (e) => { e.currentTarget.blur(); handler(id); }}, text, el("kbd", {}, key));
    parts.actions = el("div", {class: "actions"},
      button("accept", "发送", "Enter", accept), button("edit", "修改", "E", startEdit), button("dismiss", "忽略", "D", dismiss));
    parts.replyBox = el("div", {class: "reply"}, parts.replyLabel, parts.reply);
    const node = el("li", {class: "card", dataset: {group: id}, onclick: (e) => {
      if (e.target.closest("button, textarea")) return;
      if (selectable.includes(id)) { selectedId = id; showSelection(); }
    }},
    el("div", {class: "count"}, parts.count, el("span", {class: "unit"}, "人问")),
    el("div", {class: "body"},
      el("div", {class: "meta"}, parts.tag, parts.topic, parts.askers),
      parts.question, parts.reason, parts.replyBox),
    parts.actions);
    const card = {node, parts, item: null};
    cards.set(id, card);
    return card;
  }

  function updateCard(card, item) {
    const {parts, node} = card;
    card.item = item;
    const escalation = item.kind === "escalate";
    setText(parts.count, item.count);
    setText(parts.tag, STATUS_TEXT[item.status] ?? item.status);
    const intent = item.intent === "other" ? "" : INTENTS[item.intent] || item.intent;
    setText(parts.topic, [intent, item.label].filter(Boolean).join(" · "));
    setText(parts.askers, (item.askers || []).slice(-3).join("、"));
    setText(parts.question, item.question);
    setText(parts.reason, escalation && item.reason ? `原因：${item.reason}` : "");
    parts.reason.hidden = !(escalation && item.reason);
    setText(parts.replyLabel, escalation ? "草稿" : item.status === "posted" ? "已回" : "建议回复");
    setText(parts.reply, item.reply);
    const done = DONE.has(item.status);
    const handled = done || item.status === "posted";
    node.classList.toggle("escalation", escalation);
    node.classList.toggle("done", done);
    node.classList.toggle("posted", item.status === "posted");
    node.classList.toggle("late", item.status === "late");
    node.dataset.status = item.status;
    parts.actions.hidden = handled;
  }

  function showSelection() {
    for (const [id, card] of cards) {
      const on = id === selectedId;
      if (card.node.classList.contains("selected") !== on) {
        card.node.classList.toggle("selected", on);
        if (on) card.node.scrollIntoView({block: "nearest"});
      }
    }
  }

  function move(step) {
    if (!selectable.length) return;
    const at = selectable.indexOf(selectedId);
    selectedId = selectable[Math.min(selectable.length - 1, Math.max(0, (at < 0 ? 0 : at + step)))];
    showSelection();
  }

  // --- actions -----------------------------------------------------------------------------------

  async function act(id, kind, text) {
    const card = cards.get(id);
    if (!card || !selectable.includes(id) || card.node.classList.contains("busy")) return;  // no double posts
    card.node.classList.add("busy");
    const path = `${base}/groups/${encodeURIComponent(id)}/${kind}`;
    const result = await api("POST", path, text === undefined ? undefined : {text});
    card.node.classList.remove("busy");
    if (!result.ok) {
      toast(`没有完成 · ${errorText(result)}`);
      return;
    }
    overrides.set(id, kind === "dismiss" ? "dismissed" : text === undefined ? "accepted" : "edited");
    if (lastBoard) renderQueue(lastBoard);
    scheduleRefresh();
  }

  const accept = (id) => act(id, "accept");
  const dismiss = (id) => act(id, "dismiss");

  function startEdit(id) {
    const card = cards.get(id);
    if (!card || editingId || !selectable.includes(id)) return;
    selectedId = id;
    showSelection();
    editingId = id;
    const area = el("textarea", {class: "editor-text", maxlength: 500, rows: 2, "aria-label": "修改回复"});
    area.value = card.item.reply || "";
    const send = () => {
      const text = area.value.trim();
      if (!text) { toast("回复不能为空"); return; }
      endEdit();
      act(id, "accept", text);
    };
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
      else if (e.key === "Escape") { e.preventDefault(); endEdit(); }
    });
    const editor = el("div", {class: "editor"}, area, el("div", {class: "editor-actions"},
      el("button", {class: "accept", type: "button", onclick: send}, "发送修改", el("kbd", {}, "Enter")),
      el("button", {class: "cancel", type: "button", onclick: endEdit}, "取消", el("kbd", {}, "Esc"))));
    card.parts.replyBox.hidden = true;
    card.parts.actions.hidden = true;
    card.parts.replyBox.after(editor);
    card.editor = editor;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  function endEdit() {
    const card = cards.get(editingId);
    editingId = null;
    if (card && card.editor) {
      card.editor.remove();
      card.editor = null;
      card.parts.replyBox.hidden = false;
      card.parts.actions.hidden = false;
    }
    if (pendingQueue) renderQueue(pendingQueue);
  }

  async function switchProduct(event) {
    event.preventDefault();
    const input = $("link-input");
    const linkNo = Number.parseInt(input.value, 10);
    if (!Number.isFinite(linkNo) || linkNo < 1) {
      toast("请输入链接号（数字）");
      input.focus();
      return;
    }
    const result = await api("PUT", `${base}/on-air`, {link_no: linkNo});
    if (!result.ok) {
      toast(`换不了 · ${errorText(result)}`);
      return;
    }
    input.value = "";
    input.blur();
    scheduleRefresh();
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (target.tagName === "BUTTON" && (event.key === "Enter" || event.key === " ")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const handlers = {
      j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
      Enter: () => selectedId && accept(selectedId), e: () => selectedId && startEdit(selectedId),
      d: () => selectedId && dismiss(selectedId), Delete: () => selectedId && dismiss(selectedId),
      o: () => $("link-input").focus(),
    };
    if (handlers[key]) {
      event.preventDefault();
      handlers[key]();
    }
  }

  let toastTimer = null;
  function toast(text) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  // --- keeping up: re-read the board on events (debounced), reconnect with backoff -------------------

  let inflight = false;
  let dirty = false;
  let lastFetch = 0;
  let timer = null;

  function scheduleRefresh() {
    if (inflight) { dirty = true; return; }
    if (timer) return;
    timer = setTimeout(refresh, Math.max(0, lastFetch + REFRESH_GAP_MS - Date.now()));
  }

  async function refresh() {
    timer = null;
    inflight = true;
    lastFetch = Date.now();
    const result = await api("GET", `${base}/board`);
    inflight = false;
    if (result.ok) render(result.data);
    else if (result.status === 403) location.reload();
    else if (result.status && result.status !== 401) toast(`读取失败 · ${errorText(result)}`);
    if (dirty) { dirty = false; scheduleRefresh(); }
  }

  let backoff = 500;
  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${proto}//${location.host}${base}/events`);
    socket.addEventListener("open", () => {
      backoff = 500;
      $("reconnecting").hidden = true;
      $("live-badge").hidden = false;
    });
    socket.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (_) { return; }
      if (event.type === "snapshot" && event.board) render(event.board);
      else scheduleRefresh();
    });
    socket.addEventListener("close", () => {
      $("live-badge").hidden = true;
      $("reconnecting").hidden = false;
      scheduleRefresh();  // also finds out whether the sign-in has gone (401 → sign-in page)
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    });
  }

  document.addEventListener("keydown", onKey);
  $("on-air-form").addEventListener("submit", switchProduct);
  setInterval(scheduleRefresh, 15000);  // events can be dropped for a slow page: re-read now and then
  refresh();
  connect();
})();
