// The documents section of the counter page: today's documents of the site by stage, with a
// button per stage a document may move to; moving to ready calls the number on the board for pickup.
// It asks the documents API again whenever console.js hears a live event, after each of its
// own requests, and once a minute. One request at a time; nothing is retried by itself.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("documents-data").textContent);
  const P = window.SahajaProtocol; // every wire word, generated from sahaja/protocol.py
  const $ = (id) => document.getElementById(id);
  const state = { documents: [], counts: {}, day: "", filter: "", busy: false, loading: false };
  const RELOAD_MS = 60000;
  const SETTLE_MS = 300;
  let pending = null;

  function tr(key, params) {
    let text = data.texts[key] || key;
    for (const [name, value] of Object.entries(params || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  function clock(iso) {
    const hhmm = iso.slice(11, 16);
    return data.lang === "id" ? hhmm.replace(":", ".") : hhmm;
  }

  function since(doc) {
    if (!doc.stage_at) return "";
    const day = doc.stage_at.slice(0, 10);
    return day === state.day ? clock(doc.stage_at) : day + " " + clock(doc.stage_at);
  }

  function feedback(kind, text) {
    const box = $("documents-feedback");
    box.dataset.kind = kind;
    box.textContent = text;
  }

  function headers() {
    return {
      "Content-Type": "application/json",
      "X-CSRF-Token": data.csrf,
      "Accept-Language": data.lang,
    };
  }

  function errorText(status, body) {
    const code = body && body.error;
    if (code && data.errors[code]) return data.errors[code];
    if (body && typeof body.message === "string" && body.message) return body.message;
    return tr("error_other", { status: status });
  }

  // --- drawing -----------------------------------------------------------------------------
  function button(label, attrs) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = label;
    for (const [name, value] of Object.entries(attrs)) b.dataset[name] = value;
    b.disabled = state.busy;
    return b;
  }

  function row(doc) {
    const tr_ = document.createElement("tr");
    tr_.dataset.ticket = String(doc.ticket_id);
    tr_.dataset.number = doc.number;
    tr_.dataset.stage = doc.stage;
    const cells = [doc.number, data.services[doc.service] || doc.service, "", since(doc), ""];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr_.appendChild(td);
    }
    const stage = tr_.children[2];
    stage.className = "stage stage-" + doc.stage;
    stage.textContent = data.stages[doc.stage] || doc.stage;
    if (doc.reject_reason) {
      const why = document.createElement("small");
      why.textContent = doc.reject_reason;
      stage.appendChild(why);
    }
    const actions = tr_.children[4];
    for (const next of doc.next_stages) {
      actions.appendChild(button(data.moves[next] || next, { move: next, ticket: doc.ticket_id }));
    }
    if (doc.stage === P.stages.ready && doc.day === state.day) {
      actions.appendChild(button(data.callAgain, { call: doc.number }));
    }
    return tr_;
  }

  function render() {
    const list = $("documents-list");
    const shown = state.documents.filter((d) => !state.filter || d.stage === state.filter);
    list.replaceChildren(...shown.map(row));
    $("documents-empty").hidden = shown.length > 0;
    for (const span of document.querySelectorAll("#documents [data-count]")) {
      const stage = span.dataset.count;
      span.textContent = String(stage ? state.counts[stage] || 0 : state.documents.length);
    }
    for (const b of document.querySelectorAll("#documents [data-filter]")) {
      b.setAttribute("aria-pressed", String(b.dataset.filter === state.filter));
    }
  }

  // --- the API -------------------------------------------------------------------------------
  async function send(method, url, payload) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers(),
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    return { ok: response.ok && body !== null, status: response.status, body: body };
  }

  function documentsUrl(ticketId) {
    const base = P.apiPrefix + "/sites/" + encodeURIComponent(data.site) + "/documents";
    return ticketId === undefined ? base : base + "/" + encodeURIComponent(ticketId);
  }

  async function load() {
    if (state.loading) return;
    state.loading = true;
    try {
      const answer = await send("GET", documentsUrl());
      if (!answer.ok) return feedback("error", errorText(answer.status, answer.body) || data.texts.load_failed);
      state.documents = answer.body.documents;
      state.counts = answer.body.counts;
      state.day = answer.body.day;
      render();
      const box = $("documents").dataset;
      box.loaded = String(Number(box.loaded || 0) + 1);
    } catch (_) {
      feedback("error", data.texts.load_failed);
    } finally {
      state.loading = false;
    }
  }

  function soon() {
    clearTimeout(pending);
    pending = setTimeout(load, SETTLE_MS);
  }

  async function act(url, payload, done) {
    if (state.busy) return;
    state.busy = true;
    render();
    feedback("info", data.texts.working);
    try {
      const answer = await send("POST", url, payload);
      if (!answer.ok) return feedback("error", errorText(answer.status, answer.body));
      feedback("ok", done(answer.body));
    } catch (_) {
      feedback("error", data.texts.error_network);
    } finally {
      state.busy = false;
      render();
      load();
    }
  }

  function move(ticketId, stage, reason) {
    const payload = { stage: stage };
    if (reason !== undefined) payload.reason = reason;
    act(documentsUrl(ticketId), payload, (body) =>
      body.call
        ? tr("done_called", { number: body.document.number })
        : tr("done", { number: body.document.number, stage: data.stages[body.document.stage] }),
    );
  }

  function callAgain(number) {
    const url = P.apiPrefix + "/counters/" + encodeURIComponent(data.counter) + "/" + P.actions.ready;
    act(url, { number: number }, () => tr("done_called", { number: number }));
  }

  function askReason(ticketId, number) {
    const dialog = $("dialog-reject");
    const input = $("reject-reason");
    dialog.querySelector(".reject-number").textContent = number;
    input.value = "";
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "ok") move(ticketId, P.stages.rejected, input.value);
    };
    dialog.showModal();
  }

  // --- wiring --------------------------------------------------------------------------------
  $("documents-list").addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b || b.disabled) return;
    if (b.dataset.call) return callAgain(b.dataset.call);
    const stage = b.dataset.move;
    const ticketId = b.dataset.ticket;
    if (stage === P.stages.rejected) return askReason(ticketId, b.closest("tr").dataset.number);
    move(ticketId, stage);
  });
  for (const b of document.querySelectorAll("#documents [data-filter]")) {
    b.addEventListener("click", () => {
      state.filter = b.dataset.filter;
      render();
    });
  }
  $("documents-reload").addEventListener("click", load);
  document.addEventListener("sahaja:documents-stale", soon);
  setInterval(load, RELOAD_MS);
  load();
})();
