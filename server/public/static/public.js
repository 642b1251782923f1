/* A ticket's status page keeps itself current: it fetches its own server-rendered status
   section (/t/{code}/live) every few seconds, as the section's data-poll says, doubling the
   pause after each failure (up to 2 minutes), pausing while hidden and retrying at once when
   the phone comes back online or the page is shown again. It knows no wire word and no text:
   both come from the server's rendering. Without this script the page refreshes itself. */
(function () {
  "use strict";
  var section = document.getElementById("status");
  var offline = document.getElementById("offline");
  if (!section || !window.fetch) return;
  var MAX_PAUSE = 120;
  var TIMEOUT = 10000;
  var failures = 0;
  var timer = null;
  var busy = false;

  function every() {
    return Number(section.getAttribute("data-poll")) || 0;
  }

  function schedule(seconds) {
    clearTimeout(timer);
    timer = seconds > 0 ? setTimeout(check, seconds * 1000) : null;
  }

  function apply(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#status");
    if (!fresh) throw new Error("no status section");
    var before = section.getAttribute("data-state");
    section.parentNode.replaceChild(fresh, section);
    section = fresh;
    if (fresh.getAttribute("data-title")) document.title = fresh.getAttribute("data-title");
    var now = fresh.getAttribute("data-state");
    if (now !== before && fresh.getAttribute("data-alert") && navigator.vibrate) {
      navigator.vibrate([300, 150, 300]);
    }
  }

  function check() {
    if (busy || document.hidden) return;
    busy = true;
    var control = window.AbortController ? new AbortController() : null;
    var guard = setTimeout(function () { if (control) control.abort(); }, TIMEOUT);
    fetch(section.getAttribute("data-live"), {
      cache: "no-store",
      credentials: "omit",
      signal: control ? control.signal : undefined
    }).then(function (answer) {
      if (!answer.ok && answer.status !== 404) throw new Error("HTTP " + answer.status);
      return answer.text();
    }).then(function (html) {
      apply(html);
      failures = 0;
      offline.hidden = true;
      schedule(every());
    }).catch(function () {
      failures += 1;
      offline.hidden = false;
      schedule(Math.min(MAX_PAUSE, (every() || 15) * Math.pow(2, failures)));
    }).then(function () {
      clearTimeout(guard);
      busy = false;
    });
  }

  function again() {
    if (!document.hidden && (every() > 0 || failures > 0)) {
      failures = 0;
      check();
    }
  }

  document.addEventListener("visibilitychange", again);
  window.addEventListener("online", again);
  section.parentNode.setAttribute("data-live-ready", "1");
  schedule(every());
})();
