// The counter page: buttons and shortcuts -> the counter API; Socket.IO events -> the screen.
// One request at a time; nothing is retried or queued, the officer decides what to repeat.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("console-data").textContent);
  const P = window.SahajaProtocol; // every wire word, generated from sahaja/protocol.py
  const numberInput = new RegExp(P.numberInputPattern);
  const texts = data.texts;
  const state = { current: null, waiting: {}, busy: false };
  const $ = (id) => document.getElementById(id);

  function tr(key, params) {
    let text = texts[key] || key;
    for (const [name, value] of Object.entries(params || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  function clock(iso) {
    // Server times carry the office's offset ("2026-11-30T08:15:00+07:00"): show them as is.
    const hhmm = iso.slice(11, 16);
    return data.lang === "id" ? hhmm.replace(":", ".") : hhmm;
  }

  // --- drawing -----------------------------------------------------------------------------
  function renderCurrent() {
    const t = state.current;
    $("current").dataset.number = t ? t.number : "";
    $("current-number").textContent = t ? t.number : "—";
    $("current-service").textContent = t ? data.services[t.service] || t.service : "";
    const prio = $("current-priority");
    prio.hidden = !(t && t.priority);
    if (t && t.priority) {
      const group = t.priority_category ? data.categories[t.priority_category] : "";
      prio.textContent = texts.priority + (group ? " · " + group : "");
    }
    let waited = "";
    if (t && t.called_at) {
      const minutes = Math.floor((Date.parse(t.called_at) - Date.parse(t.issued_at)) / 60000);
      waited = minutes < 1 ? texts.waited_short : tr("waited", { minutes: minutes });
    }
    $("current-waited").textContent = waited;
    $("current-called").textContent = t && t.called_at ? tr("called_at", { time: clock(t.called_at) }) : "";
    $("current-empty").hidden = Boolean(t);
    for (const button of document.querySelectorAll("button[data-action]")) {
      button.disabled = state.busy || (!t && P.needsCurrent.includes(button.dataset.action));
    }
  }

  function renderWaiting() {
    let total = 0;
    for (const code of data.counterServices) {
      const n = state.waiting[code] || 0;
      total += n;
      $("waiting-" + code).textContent = String(n);
    }
    $("waiting-total").textContent = String(total);
  }

  function renderOther(counter) {
    const cell = $("other-" + counter.id);
    if (cell) cell.textContent = counter.current ? counter.current.number : texts.idle;
  }

  function feedback(kind, text) {
    const box = $("feedback");
    box.dataset.kind = kind;
    box.textContent = text;
  }

  function setBusy(busy) {
    state.busy = busy;
    renderCurrent();
  }

  // --- live events ---------------------------------------------------------------------------
  function applyQueue(queue) {
    state.waiting = {};
    for (const s of queue.services) state.waiting[s.code] = s.waiting;
    renderWaiting();
  }

  function applySnapshot(snap) {
    for (const c of snap.counters) {
      if (c.id === data.counter) state.current = c.current;
      else renderOther(c);
    }
    applyQueue(snap.queue);
    renderCurrent();
  }

  // The documents section (documents.js) listens for this: its list may have changed.
  function tellDocuments() {
    document.dispatchEvent(new CustomEvent("sahaja:documents-stale"));
  }

  function connectLive() {
    const live = $("live");
    const online = (yes) => {
      live.dataset.state = yes ? "online" : "offline";
      live.textContent = yes ? texts.live_online : texts.live_offline;
    };
    const socket = io({ transports: ["websocket"] });
    socket.on("connect", () => online(true));
    socket.on("disconnect", () => online(false));
    socket.on("connect_error", () => online(false));
    socket.on(P.events.snapshot, (snap) => {
      applySnapshot(snap);
      tellDocuments();
    });
    socket.on(P.events.ticketCalled, tellDocuments);
    socket.on(P.events.queueChanged, applyQueue);
    socket.on(P.events.counterChanged, (change) => {
      tellDocuments();
      if (change.counter !== data.counter) return renderOther({ id: change.counter, current: change.current });
      state.current = change.current;
      renderCurrent();
    });
    // a call at another counter: the site room gets no counter_changed for it (one frame per call)
    socket.on(P.events.ticketCalled, (call) => {
      if (call.counter === data.counter || !P.counterCallKinds.includes(call.kind)) return;
      renderOther({ id: call.counter, current: { number: call.number } });
    });
    socket.on(P.events.dayRolled, () => socket.emit(P.events.requestSnapshot));
  }

  // --- actions -------------------------------------------------------------------------------
  function counterUrl(action) {
    const counter = encodeURIComponent(document.body.dataset.counter);
    return P.apiPrefix + "/counters/" + counter + "/" + action;
  }

  function errorText(status, body) {
    const code = body && body.error;
    if (code && texts["error_" + code]) return texts["error_" + code];
    if (status === 401) return texts.error_unauthorized;
    if (status === 403) return texts.error_forbidden;
    // a refusal the console has no text of its own for (a break: until when) speaks for itself
    if (body && typeof body.message === "string" && body.message) return body.message;
    return tr("error_other", { status: status });
  }

  function doneText(action, before, body, payload) {
    const number = before ? before.number : "";
    switch (action) {
      case P.actions.next:
        return body.current
          ? tr("done_next", { number: body.current.number, service: data.services[body.current.service] || body.current.service })
          : texts.done_next_empty;
      case P.actions.transfer:
        return tr("done_transfer", { number: number, service: data.services[payload.service] || payload.service });
      case P.actions.reprint:
        return tr("done_reprint", { number: body.ticket.number });
      default:
        return tr("done_" + action, { number: number });
    }
  }

  async function act(action, payload) {
    if (state.busy) return; // one request at a time: a double press sends nothing more
    const before = state.current;
    setBusy(true);
    feedback("info", texts.working);
    try {
      const response = await fetch(counterUrl(action), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRF-Token": data.csrf,
          "Accept-Language": data.lang,
        },
        body: JSON.stringify(payload || {}),
      });
      let body = null;
      try {
        body = await response.json();
      } catch (_) {
        body = null;
      }
      if (!response.ok || !body) {
        feedback("error", errorText(response.status, body));
        return;
      }
      if ("current" in body) state.current = body.current;
      const empty = action === P.actions.next && !body.current;
      feedback(empty ? "info" : "ok", doneText(action, before, body, payload));
    } catch (_) {
      feedback("error", texts.error_network);
    } finally {
      setBusy(false);
    }
  }

  function openDialog(id, onOk) {
    const dialog = $(id);
    for (const span of dialog.querySelectorAll(".dialog-number")) {
      span.textContent = state.current ? state.current.number : "";
    }
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "ok") onOk(dialog);
    };
    dialog.showModal();
  }

  const handlers = {
    [P.actions.next]: () => act(P.actions.next),
    [P.actions.recall]: () => act(P.actions.recall),
    [P.actions.finish]: () => act(P.actions.finish),
    [P.actions.skip]: () => openDialog("dialog-skip", () => act(P.actions.skip)),
    [P.actions.transfer]: () => {
      const select = $("transfer-service");
      for (const option of select.options) {
        option.disabled = Boolean(state.current && option.value === state.current.service);
      }
      if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
        const firstFree = Array.from(select.options).find((o) => !o.disabled);
        if (firstFree) select.value = firstFree.value;
      }
      openDialog("dialog-transfer", () => act(P.actions.transfer, { service: select.value }));
    },
    [P.actions.reprint]: () => {
      const input = $("reprint-number");
      input.value = "";
      openDialog("dialog-reprint", () => {
        const match = numberInput.exec(input.value);
        if (!match || Number(match[2]) < 1) return feedback("error", texts.bad_number);
        const number = match[1].toUpperCase() + match[2].padStart(P.numberDigits, "0");
        act(P.actions.reprint, { number: number });
      });
    },
  };

  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", () => handlers[button.dataset.action]());
  }
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close("cancel"));
  }

  const keys = {};
  for (const button of document.querySelectorAll("[data-key]")) {
    keys[button.dataset.key.toLowerCase()] = button;
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    const button = keys[event.key.toLowerCase()];
    if (!button) return;
    event.preventDefault();
    if (!button.disabled) button.click();
  });

  applySnapshot(data.snapshot);
  connectLive();
})();
