"use strict";
(() => {
  const form = document.getElementById("form");
  const input = document.getElementById("token");
  const error = document.getElementById("error");
  const button = document.getElementById("submit");
  const MESSAGES = {
    401: "令牌无效或已被吊销，请检查后重试。 This token is not valid or has been revoked.",
    422: "请粘贴完整的令牌。 Please paste the whole token.",
  };
  const HOME = {host: "/", admin: "/", cs: "/review"};

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    input.select();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    const result = await LA.api("POST", "/v1/session", {token: input.value.trim()}, {redirectOn401: false});
    button.disabled = false;
    if (!result.ok) {
      showError(MESSAGES[result.status] || "登录失败 Sign-in failed: " + LA.errorText(result));
      return;
    }
    const next = LA.safeNext(new URLSearchParams(location.search).get("next"));
    location.replace(next || HOME[result.data.role] || "/");
  });
})();
