"use strict";
(async () => {
  const ROLES = {host: "主播 host", cs: "客服 cs", admin: "管理员 admin", ingest: "接入 ingest"};
  const room = document.getElementById("room");
  room.value = localStorage.getItem("liveassist.room") || "";
  document.getElementById("host-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = room.value.trim();
    if (!id) return;
    localStorage.setItem("liveassist.room", id);
    location.assign("/host/" + encodeURIComponent(id));
  });
  document.getElementById("signout").addEventListener("click", LA.signOut);
  const me = await LA.api("GET", "/v1/session", undefined, {redirectOn401: false});
  if (me.ok) {
    document.getElementById("who").textContent = "已登录 Signed in: " + (ROLES[me.data.role] || me.data.role);
    document.getElementById("signin").hidden = true;
    document.getElementById("signout").hidden = false;
  }
})();
