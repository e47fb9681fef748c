/* liveassist pages: small shared helpers.
 * Everything that came from the server (viewers' messages above all) goes into the page as text
 * (textContent / text nodes), never as markup. */
"use strict";

const LA = (() => {
  /** Build an element: el("div", {class: "x", onclick: fn, title: "t"}, "text", childNode, ...). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Set a node's text only when it changed (keeps the page still while a board refreshes). */
  function setText(node, text) {
    const value = text === null || text === undefined ? "" : String(text);
    if (node.textContent !== value) node.textContent = value;
  }

  /** A same-site path to go to after signing in, or null (no other hosts, no "//evil", no "javascript:"). */
  function safeNext(raw) {
    if (!raw || typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) {
      return null;
    }
    try {
      const url = new URL(raw, location.origin);
      return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
    } catch (_) {
      return null;
    }
  }

  function loginUrl() {
    return "/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  /** Call the JSON API with the sign-in cookie. Resolves to {ok, status, data}; a 401 goes to the sign-in page. */
  async function api(method, path, body, {redirectOn401 = true} = {}) {
    const init = {method, credentials: "same-origin", headers: {Accept: "application/json"}};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      return {ok: false, status: 0, data: {error: "network"}};
    }
    if (response.status === 401 && redirectOn401) {
      location.assign(loginUrl());
    }
    let data = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) {
      try { data = await response.json(); } catch (_) { data = null; }
    } else {
      data = {text: await response.text()};
    }
    return {ok: response.ok, status: response.status, data: data || {}};
  }

  /** The server's error message from an API answer. */
  function errorText(result) {
    const error = result.data && result.data.error;
    if (typeof error === "string") return error;
    if (Array.isArray(error)) return error.map((e) => e.msg || JSON.stringify(e)).join("; ");
    return result.status ? "HTTP " + result.status : "网络不通 / network error";
  }

  async function signOut() {
    await api("POST", "/v1/session/logout", undefined, {redirectOn401: false});
    location.assign("/login");
  }

  return {el, append, setText, safeNext, loginUrl, api, errorText, signOut};
})();
