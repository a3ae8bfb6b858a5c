// The playground page: forms post in the background, the chat refreshes
// when /updates says something changed, other chats get unread badges.
// Everything also works without this script, by plain form posts.
"use strict";

(function () {
  const body = document.body;
  const chat = body.dataset.chat;
  const messages = document.getElementById("messages");
  const toast = document.getElementById("toast");
  const text = document.getElementById("text");
  let state = JSON.parse(document.getElementById("state").dataset.state);
  const seenKey = (key) => "pg-seen-" + state.gen + "-" + key;

  // ---- posting
  async function post(action, fields) {
    const body = new URLSearchParams(fields);
    const resp = await fetch(action, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
    });
    if (!resp.ok) {
      showToast((await resp.text()) || resp.statusText, true);
      throw new Error(resp.statusText);
    }
    return resp.json();
  }

  function formFields(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    return data;
  }

  function showToast(msg, alert) {
    if (!msg) return;
    toast.textContent = msg;
    toast.classList.toggle("alert", !!alert);
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(() => (toast.hidden = true), alert ? 6000 : 3000);
  }

  // say sends text in this chat, or in another (a t.me link clicked in a
  // group opens the writer's private chat with the bot) and goes there.
  async function say(t, target) {
    await post("/say", { chat: target || chat, text: t });
    if (target && target !== chat) {
      location.href = "/?chat=" + encodeURIComponent(target);
      return;
    }
    await refresh();
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!form.classList.contains("js-post")) return;
    ev.preventDefault();
    const fields = formFields(form, ev.submitter);
    if (form.id === "composer") {
      const t = (fields.get("text") || "").trim();
      if (!t) return;
      text.value = "";
      await say(t);
      return;
    }
    if (form.classList.contains("js-reset")) {
      if (!confirm("Start over: empty the playground's database and every chat?")) return;
      body.classList.add("busy");
      await post("/reset", fields);
      location.href = "/?chat=" + encodeURIComponent(chat);
      return;
    }
    const btn = form.querySelector("button");
    if (btn) btn.classList.add("pressed");
    try {
      const res = await post(form.action, fields);
      if (form.classList.contains("js-press")) showToast(res.text, res.alert);
      if ("offset_ms" in res) setOffset(res.offset_ms, res.label);
    } finally {
      if (btn) btn.classList.remove("pressed");
    }
    await refresh();
  });

  // Deep links, /commands in messages and the command menu send text.
  document.addEventListener("click", async (ev) => {
    const a = ev.target.closest("[data-send]");
    if (a) {
      ev.preventDefault();
      const menu = a.closest("details");
      if (menu) menu.open = false;
      await say(a.dataset.send, a.dataset.chat);
      return;
    }
    const c = ev.target.closest("[data-copy]");
    if (c) {
      try {
        await navigator.clipboard.writeText(c.dataset.copy);
        showToast("Copied");
      } catch (e) {
        showToast(c.dataset.copy);
      }
    }
    const sp = ev.target.closest(".spoiler");
    if (sp) sp.classList.add("shown");
  });

  // ---- the chat
  // Refreshes run concurrently (a press's own and a live update's); one
  // answered after a newer one would put back an older chat, and no later
  // change would come to correct it. So only a newer one is shown.
  let refreshes = 0;
  let shown = 0;
  async function refresh() {
    const seq = ++refreshes;
    const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80;
    const resp = await fetch("/messages?chat=" + encodeURIComponent(chat), { cache: "no-store" });
    if (!resp.ok) return;
    const html = await resp.text();
    if (seq < shown) return;
    shown = seq;
    messages.innerHTML = html;
    if (atBottom) scrollDown();
    markSeen();
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  function markSeen() {
    const cs = state.chats[chat];
    if (cs) localStorage.setItem(seenKey(chat), cs.n);
  }

  function badges() {
    for (const [key, cs] of Object.entries(state.chats)) {
      const el = document.querySelector("#persona-" + key + " .badge");
      if (!el) continue;
      if (key === chat) {
        el.hidden = true;
        continue;
      }
      const seen = Number(localStorage.getItem(seenKey(key)) || 0);
      const unread = cs.n - seen;
      el.textContent = unread;
      el.hidden = unread <= 0;
    }
  }

  // ---- the clock
  const clock = document.getElementById("clock");
  const offsetLabel = document.getElementById("offset");
  function setOffset(ms, label) {
    clock.dataset.offsetMs = ms;
    if (label !== undefined) offsetLabel.textContent = label;
    tick();
  }
  function tick() {
    const t = new Date(Date.now() + Number(clock.dataset.offsetMs));
    try {
      clock.textContent = t.toLocaleString("en-GB", {
        timeZone: clock.dataset.zone,
        weekday: "short",
        day: "numeric",
        month: "short",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
      });
    } catch (e) {
      clock.textContent = t.toISOString();
    }
  }
  setInterval(tick, 10000);

  // ---- live updates
  function listen() {
    const es = new EventSource("/updates");
    es.onmessage = (ev) => {
      const next = JSON.parse(ev.data);
      if (next.gen !== state.gen) {
        location.reload();
        return;
      }
      const changed = !state.chats[chat] || next.chats[chat].v !== state.chats[chat].v;
      if (next.offset_ms !== state.offset_ms) setOffset(next.offset_ms, next.offset_label);
      state = next;
      if (changed) refresh();
      else markSeen();
      badges();
      body.dataset.version = (Number(body.dataset.version) || 0) + 1;
    };
  }

  scrollDown();
  markSeen();
  badges();
  tick();
  listen();
  if (text && text.value) text.focus();
})();
