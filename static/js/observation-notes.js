// Observation notes on a phone, offline-safe. Every note is kept in localStorage first and
// sent in one batch (POST JSON to data-sync-url) on every change, when the connection
// returns, and every few seconds while something waits, with a growing pause after a
// failure. The server stores a note once per client_id, so sending it again is harmless;
// an edit or a delete is a new version with the same client_id. The page works without this
// script (plain forms); the words shown come from the page (data-labels), in its language.
// The list shows every note of this observation, sent or waiting, each marked so: the page's
// own (the server's when it was made) and, from this phone, those waiting and those sent
// after the page was made (an offline reload gets the service worker's older copy). After a
// sync the worker is asked to keep a fresh copy.
(function () {
  "use strict";
  var app = document.getElementById("notes-app");
  if (!app) { return; }
  var labels = JSON.parse(app.dataset.labels);
  var tags = JSON.parse(app.dataset.tags);
  var modes = JSON.parse(app.dataset.modes);
  var start = new Date(app.dataset.start).getTime();
  var renderedAt = Date.parse(app.dataset.renderedAt) || 0;  // the server's clock
  var key = app.dataset.storageKey;
  var readonly = app.dataset.readonly === "1";
  var token = document.querySelector("meta[name=csrf-token]").content;
  var list = document.getElementById("my-notes");
  var status = document.getElementById("sync-status");
  var form = document.getElementById("note-form");
  var modeForm = document.getElementById("mode-form");
  var notes = {};      // client_id -> note {client_id, kind, text, tag, at_seconds, seat,
                       // step, deleted, id, rev, pending, error}
  var busy = false, failures = 0, timer = null, closed = false, editing = null,
    startedAt = null, lastError = "";

  function clock(seconds) {
    var s = Math.abs(seconds);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }

  function secondsNow() {
    return Math.max(0, Math.min(6 * 3600, Math.floor((Date.now() - start) / 1000)));
  }

  function tick() {
    var seconds = Math.floor((Date.now() - start) / 1000);
    document.getElementById("notes-clock").textContent = clock(seconds);
    document.getElementById("notes-clock-label").textContent =
      seconds >= 0 ? labels.since : labels.until;
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // ------------------------------------------------------------ storage

  function load() {
    // The server's notes as the page has them, then, from this phone, what it has not sent
    // yet and what it sent after the page was made (a copy kept for offline use is older).
    Array.prototype.forEach.call(list.querySelectorAll("li[data-note]"), function (li) {
      var note = JSON.parse(li.dataset.note);
      note.rev = 0;
      note.pending = false;
      notes[note.client_id] = note;
    });
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (kept && kept.notes) {
      Object.keys(kept.notes).forEach(function (id) {
        var note = kept.notes[id];
        var newer = note.sent_at && Date.parse(note.sent_at) >= renderedAt;
        if (note.pending || note.error || newer) { notes[id] = note; }
      });
    }
  }

  function keepCopy() {
    // Ask the service worker for a fresh offline copy of the page (the notes just sent in it).
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ keep: app.dataset.pageUrl });
    }
  }

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ notes: notes }));
    } catch (e) { /* storage full or disabled: the page still holds the notes */ }
  }

  function waiting() {
    return Object.keys(notes).map(function (id) { return notes[id]; })
      .filter(function (n) { return n.pending; });
  }

  function put(note) {
    var before = notes[note.client_id];
    note.rev = before ? (before.rev || 0) + 1 : 1;
    note.pending = true;
    note.error = "";
    notes[note.client_id] = note;
    store();
    render();
    sync();
  }

  // ------------------------------------------------------------ showing

  function render() {
    var shown = Object.keys(notes).map(function (id) { return notes[id]; })
      .filter(function (n) { return !n.deleted; })
      .sort(function (a, b) { return a.at_seconds - b.at_seconds; });
    list.textContent = "";
    var empty = document.getElementById("no-notes");
    if (empty) { empty.hidden = shown.length > 0; }
    var mode = null;
    shown.forEach(function (note) {
      if (note.kind === "mode") { mode = note; }
      list.appendChild(item(note));
    });
    var now = document.getElementById("mode-now");
    if (now) { now.textContent = mode ? labels.now + " " + modes[mode.text] : ""; }
    showStatus();
  }

  function item(note) {
    var li = document.createElement("li");
    var meta = document.createElement("span");
    meta.className = "muted small";
    var parts = [clock(note.at_seconds)];
    if (note.tag) { parts.push(tags[note.tag]); }
    if (note.seat) { parts.push(seatName(note.seat)); }
    if (note.step) { parts.push(note.step); }
    meta.textContent = parts.join(" · ");
    li.appendChild(meta);
    li.appendChild(document.createElement("br"));
    var text = document.createElement("span");
    text.className = "note-text";
    text.textContent = note.kind === "mode" ? modes[note.text] : note.text;
    li.appendChild(text);
    var state = document.createElement("span");
    state.className = "note-state small" + (note.pending ? " waiting" : " sent muted");
    state.textContent = note.pending ? labels.pending : labels.sent;
    li.appendChild(document.createTextNode(" "));
    li.appendChild(state);
    if (note.pending) { li.className = "pending"; }
    if (note.error) {
      var error = document.createElement("p");
      error.className = "note-error";
      error.textContent = labels.refused + " " + note.error;
      li.appendChild(error);
    }
    if (!readonly && !closed) {
      var actions = document.createElement("div");
      actions.className = "note-actions";
      if (note.kind === "note") { actions.appendChild(button(labels.edit, function () { edit(note); })); }
      actions.appendChild(button(labels.delete, function () {
        put(copy(note, { deleted: true }));
      }));
      li.appendChild(actions);
    }
    return li;
  }

  function seatName(key) {
    // "r2c3" as the server writes it (core.i18n.show_seat): "row 2, seat 3".
    var found = /^r(\d+)c(\d+)$/.exec(key);
    return found ? labels.seat.replace("{row}", found[1]).replace("{seat}", found[2]) : key;
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function copy(note, changes) {
    var out = {};
    ["client_id", "kind", "text", "tag", "at_seconds", "seat", "step", "deleted", "id"]
      .forEach(function (name) { out[name] = note[name]; });
    Object.keys(changes).forEach(function (name) { out[name] = changes[name]; });
    return out;
  }

  function showStatus(message) {
    if (!status) { return; }
    var count = waiting().length;
    var text = message || lastError;
    if (!text) {
      if (count) {
        text = (count === 1 ? labels.one : labels.many).replace("{n}", count);
        if (!navigator.onLine) { text += " " + labels.offline; }
      } else {
        text = labels.saved;
      }
    }
    status.textContent = text;
    status.classList.toggle("waiting", count > 0 || Boolean(lastError));
  }

  // ------------------------------------------------------------ the form

  function field(name) { return form.elements[name]; }

  function radio(name) {
    var checked = form.querySelector("input[name=" + name + "]:checked");
    return checked ? checked.value : "";
  }

  function setRadio(name, value) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=" + name + "]"), function (el) {
      el.checked = el.value === (value || "");
    });
  }

  function edit(note) {
    editing = note.client_id;
    field("text").value = note.text;
    setRadio("tag", note.tag);
    setRadio("seat", note.seat);
    if (field("step")) { field("step").value = note.step || ""; }
    document.getElementById("note-save").textContent = labels.change;
    document.getElementById("note-cancel").hidden = false;
    field("text").focus();
  }

  function reset() {
    editing = null;
    startedAt = null;
    form.reset();
    field("text").value = "";
    setRadio("tag", "");
    setRadio("seat", "");
    if (field("step")) { field("step").value = ""; }
    document.getElementById("note-save").textContent = labels.save;
    document.getElementById("note-cancel").hidden = true;
  }

  function saveForm(event) {
    event.preventDefault();
    var text = field("text").value.trim();
    if (!text) { field("text").focus(); return; }
    var values = { text: text, tag: radio("tag"), seat: radio("seat"),
      step: field("step") ? field("step").value : "", deleted: false };
    if (editing && notes[editing]) {
      put(copy(notes[editing], values));
    } else {
      values.client_id = newId();
      values.kind = "note";
      values.at_seconds = startedAt === null ? secondsNow() : startedAt;
      put(values);
    }
    reset();
  }

  function markMode(event) {
    event.preventDefault();
    var mode = event.submitter && event.submitter.value;
    if (!mode) { return; }
    put({ client_id: newId(), kind: "mode", text: mode, tag: "", seat: "", step: "",
      at_seconds: secondsNow(), deleted: false });
  }

  // ------------------------------------------------------------ syncing

  function later() {
    clearTimeout(timer);
    timer = null;
    if (closed || !waiting().length) { return; }
    var pause = Math.min(60000, 4000 * Math.pow(2, failures));
    timer = setTimeout(sync, pause);
  }

  function sync() {
    var batch = waiting();
    if (busy || closed || !batch.length) { showStatus(); return; }
    if (navigator.onLine === false) { showStatus(); return; }  // the "online" event sends
    busy = true;
    var sent = {};
    batch.forEach(function (n) { sent[n.client_id] = n.rev; });
    showStatus(labels.saving);
    fetch(app.dataset.syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": token },
      body: JSON.stringify({ notes: batch.map(function (n) { return copy(n, {}); }) })
    }).then(function (response) {
      return response.json().then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (answer) {
      return handle(answer, batch, sent);
    }).catch(function () {
      failures += 1;  // offline, or the server could not answer: try again later
    }).then(function () {
      busy = false;
      store();
      render();
      later();
    });
  }

  function handle(answer, batch, sent) {
    var body = answer.body || {};
    lastError = "";
    if (answer.status === 200) {
      failures = 0;
      (body.saved || []).forEach(function (s) {
        var note = notes[s.client_id];
        if (!note) { return; }
        note.id = s.id;
        note.sent_at = body.at;
        if (note.rev === sent[s.client_id]) { note.pending = false; }
      });
      if (waiting().length) { setTimeout(sync, 0); } else { keepCopy(); }
      return null;
    }
    if (answer.status === 400 && body.code === "csrf") {
      failures += 1;
      return freshToken();
    }
    if (answer.status === 400 && typeof body.index === "number" && batch[body.index]) {
      // One note the server refuses (it should not happen): set it aside, send the rest.
      var bad = notes[batch[body.index].client_id];
      bad.pending = false;
      bad.error = body.error;
      setTimeout(sync, 0);
      return null;
    }
    if (answer.status === 409) {
      closed = true;
      lastError = body.error || labels.closed;
      return null;
    }
    failures += 1;
    lastError = body.error || "";
    return null;
  }

  function freshToken() {
    // The session's token changed (signed in again): read it from a fresh copy of the page.
    return fetch(app.dataset.pageUrl, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var found = /name="csrf-token" content="([^"]+)"/.exec(html);
        if (found) { token = found[1]; }
      });
  }

  function guardSubmit(event) {
    if (waiting().length) {
      event.preventDefault();
      document.getElementById("submit-wait").hidden = false;
      sync();
    }
  }

  // ------------------------------------------------------------ start

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(app.dataset.sw, { scope: app.dataset.swScope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        // The page itself came before the worker: ask it to keep a copy now.
        if (registration.active) {
          registration.active.postMessage({ keep: app.dataset.pageUrl });
        }
      }).catch(function () { /* no worker (private mode): the page works online */ });
  }

  tick();
  setInterval(tick, 1000);
  load();
  if (!readonly) {
    render();
    form.addEventListener("submit", saveForm);
    field("text").addEventListener("input", function () {
      if (startedAt === null && !editing) { startedAt = secondsNow(); }
    });
    document.getElementById("note-cancel").addEventListener("click", reset);
    modeForm.addEventListener("submit", markMode);
    document.getElementById("submit-form").addEventListener("submit", guardSubmit);
    window.addEventListener("online", function () { failures = 0; sync(); });
    window.addEventListener("offline", function () { showStatus(); });
    sync();
    setInterval(function () { if (!timer && waiting().length) { sync(); } }, 5000);
  }
  registerWorker();
}());
