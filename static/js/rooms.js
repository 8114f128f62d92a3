// A room, live: chat, presence, typing, the board and the protocol panel over Socket.IO
// (docs/realtime.md). The page works without this script (plain forms); here the forms are
// sent over the socket instead. A message waits in an outbox in localStorage until the
// server acknowledges it and is sent again after a reconnect; the server stores it once per
// client_id, so a resend never doubles it. After a reconnect the room is joined again with
// since_id = the last message seen, so exactly the missed messages arrive. The words shown
// come from the page (data-labels), in its language.
(function () {
  "use strict";
  var app = document.getElementById("room-app");
  if (!app || app.dataset.paged === "1" || typeof window.io !== "function") { return; }
  var L = JSON.parse(app.dataset.labels);
  var COLUMN_KEYS = JSON.parse(app.dataset.columns);  // in the board's order
  var roomId = Number(app.dataset.roomId), me = Number(app.dataset.userId);
  var lastId = Number(app.dataset.lastId), lastRead = Number(app.dataset.lastRead);
  var editMs = Number(app.dataset.editMinutes) * 60000, maxBytes = Number(app.dataset.maxBytes);
  var list = document.getElementById("messages");
  var form = document.getElementById("message-form");
  var box = form.querySelector("textarea[name=body]");
  var statusLine = document.getElementById("room-status");
  var typingLine = document.getElementById("typing");
  var outboxKey = "rembuk-outbox:" + roomId + ":" + me;
  var clock = new Intl.DateTimeFormat(document.documentElement.lang,
    { dateStyle: "medium", timeStyle: "short", timeZone: app.dataset.tz });
  var sending = {}, typers = {}, notes = {}, phase = null, hands = [];
  var joined = false, ended = false, lastTyping = 0, readSent = lastRead, countdown = null;

  var socket = window.io({ transports: ["websocket", "polling"], tryAllTransports: true });

  // ------------------------------------------------------------ small helpers

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : values[key];
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function bytes(text) { return new TextEncoder().encode(text).length; }

  // Every event is answered with an ack; a lost one counts as a failure after 10 s.
  function send(event, data, done) {
    data.room_id = roomId;
    socket.timeout(10000).emit(event, data, function (err, ack) {
      if (done) { done(err ? null : ack || { ok: false }); }
    });
  }

  function show(text, waiting) {
    statusLine.hidden = false;
    statusLine.textContent = text;
    statusLine.classList.toggle("waiting", !!waiting);
  }

  function refused(ack) {
    show(fill(L.error, { reason: (ack && ack.message) || L.reconnecting }), true);
  }

  // ------------------------------------------------------------ messages

  function messageItem(id) { return document.getElementById("m" + id); }

  // Items come rendered by the server (templates/rooms/_items.html, the page's own macros;
  // message bodies sanitised by the server's Markdown renderer), the same for every reader.
  // Here they get what is the reader's alone: their language for the marked words, the time
  // in the school's zone, and on my messages "mine" and, within the edit window, the edit and
  // delete forms (the page's <template>, with its CSRF token).
  function fromHtml(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    return tpl.content.firstElementChild;
  }

  function localise(node) {
    Array.prototype.forEach.call(node.querySelectorAll("[data-label]"), function (n) {
      if (L[n.dataset.label] !== undefined) { n.textContent = fill(L[n.dataset.label], n.dataset); }
    });
    return node;
  }

  var actionsTemplate = document.getElementById("message-actions-template");

  function messageNode(msg) {
    var li = localise(fromHtml(msg.html));
    var time = li.querySelector("time[datetime]");
    if (time) { time.textContent = clock.format(new Date(time.getAttribute("datetime"))); }
    if (Number(li.dataset.authorId) === me) {
      li.classList.add("mine");
      var body = li.querySelector("div.message-body");
      if (body && Date.now() - Date.parse(li.dataset.createdAt) < editMs) {
        var actions = fromHtml(fill(actionsTemplate.innerHTML, { id: li.dataset.id }));
        actions.querySelector("textarea").value = body.textContent;
        li.appendChild(actions);
      }
    }
    return li;
  }

  // A message from the server: placed once (by id), in order, replacing its pending copy.
  function place(msg) {
    var li = messageItem(msg.id);
    if (!li && msg.client_id) {
      li = list.querySelector("li.pending[data-client-id='" + CSS.escape(msg.client_id) + "']");
    }
    var node = messageNode(msg);
    if (li) {
      li.replaceWith(node);
    } else {
      var after = null;
      Array.prototype.some.call(list.querySelectorAll("li.message[data-id]"), function (o) {
        if (Number(o.dataset.id) > msg.id) { after = o; return true; }
        return false;
      });
      list.insertBefore(node, after || list.querySelector("li.pending"));
    }
    var empty = document.getElementById("no-messages");
    if (empty) { empty.remove(); }
    if (msg.id > lastId) { lastId = msg.id; }
  }

  // Keep the newest message in view while the reader is at the bottom of the list.
  function atBottom() { return list.scrollHeight - list.scrollTop - list.clientHeight < 80; }
  function toBottom() { list.scrollTop = list.scrollHeight; }

  function pendingItem(item) {
    var li = el("li", { "class": "message mine pending", "data-client-id": item.client_id });
    var meta = el("p", { "class": "message-meta small" });
    meta.appendChild(el("span", { "class": "muted" }, L.waiting));
    li.appendChild(meta);
    li.appendChild(el("p", { "class": "message-body pre-line" }, item.body));
    list.appendChild(li);
    toBottom();
  }

  function markRead() {
    if (!joined || lastId <= readSent || document.hidden) { return; }
    readSent = lastId;
    send("room:read", { message_id: lastId });
  }

  // ------------------------------------------------------------ the outbox

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(outboxKey)) || []; } catch (e) { return []; }
  }

  function saveOutbox(items) {
    try { localStorage.setItem(outboxKey, JSON.stringify(items)); } catch (e) { /* full */ }
  }

  function flush() {
    if (!joined) { return; }
    loadOutbox().forEach(function (item) {
      if (sending[item.client_id]) { return; }
      sending[item.client_id] = true;
      send("message:send", { client_id: item.client_id, body: item.body }, function (ack) {
        delete sending[item.client_id];
        if (!ack) { return; }  // no answer: stays in the outbox, sent again on reconnect
        saveOutbox(loadOutbox().filter(function (o) { return o.client_id !== item.client_id; }));
        var li = list.querySelector("li.pending[data-client-id='" +
          CSS.escape(item.client_id) + "']");
        if (ack.ok) {
          if (li && !messageItem(ack.id)) { li.id = "m" + ack.id; li.dataset.id = ack.id; }
          if (ack.id > lastId) { lastId = ack.id; }
        } else {
          if (li) { li.remove(); }
          if (!box.value) { box.value = item.body; }
          fieldError(ack.message);
        }
      });
    });
  }

  function fieldError(text) {
    var error = document.getElementById("body-error");
    if (!text) {
      if (error) { error.remove(); }
      box.removeAttribute("aria-invalid");
      box.setAttribute("aria-describedby", "body-hint");
      return;
    }
    if (!error) {
      error = el("p", { "class": "error", id: "body-error" });
      box.parentNode.appendChild(error);
    }
    error.textContent = text;
    box.setAttribute("aria-invalid", "true");
    box.setAttribute("aria-describedby", "body-hint body-error");
    box.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = box.value.replace(/\r\n/g, "\n").trim();
    if (!body) { return; }
    if (bytes(body) > maxBytes) { fieldError(L.too_long); return; }
    fieldError(null);
    var item = { client_id: newId(), body: body };
    saveOutbox(loadOutbox().concat([item]));
    pendingItem(item);
    box.value = "";
    flush();
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  box.addEventListener("input", function () {
    if (joined && Date.now() - lastTyping > 3000) {
      lastTyping = Date.now();
      send("typing", {});
    }
  });

  // Edit and delete my message: the plain forms, sent over the socket while connected.
  list.addEventListener("submit", function (event) {
    var target = event.target, match = /\/messages\/(\d+)\/(edit|delete)$/.exec(target.action);
    if (!match || !joined) { return; }
    event.preventDefault();
    var id = Number(match[1]);
    if (match[2] === "delete") {
      if (!window.confirm(L.confirm_delete)) { return; }
      send("message:delete", { message_id: id }, function (ack) {
        var done = ack && ack.ok && messageItem(id);
        if (done && done.querySelector(".message-actions")) {
          done.querySelector(".message-actions").remove();
        }
        if (!ack || !ack.ok) { refused(ack); }
      });
      return;
    }
    var text = target.querySelector("textarea").value;
    send("message:edit", { message_id: id, body: text }, function (ack) {
      if (!ack || !ack.ok) { refused(ack); }
    });
  });

  // Load earlier: over the socket, else the link's page (?before=).
  var earlier = document.getElementById("load-earlier");
  if (earlier) {
    earlier.addEventListener("click", function (event) {
      if (!joined) { return; }
      event.preventDefault();
      var first = list.querySelector("li.message[data-id]");
      send("message:earlier", { before_id: Number(first.dataset.id) }, function (ack) {
        if (!ack || !ack.ok) { refused(ack); return; }
        (ack.messages || ack.history || []).forEach(place);
        if (!ack.more) { earlier.parentNode.replaceChild(el("span", {}, L.no_earlier), earlier); }
      });
    });
  }

  // ------------------------------------------------------------ presence and typing

  // Who is here now. Someone the list does not show yet became a member after the page
  // was loaded (added to the team, say): they are added, in name order, from the page's
  // <template> (templates/rooms/_items.html, member_item), and stay listed when they leave.
  var members = document.getElementById("members");
  var memberTemplate = document.getElementById("member-template");

  function addMember(person) {
    var li = memberTemplate.content.firstElementChild.cloneNode(true);
    li.dataset.userId = person.id;
    li.querySelector(".member-name").textContent = person.name;
    var after = null;
    Array.prototype.some.call(members.children, function (other) {
      var name = other.querySelector(".member-name");
      if (name && name.textContent.localeCompare(person.name) > 0) { after = other; return true; }
      return false;
    });
    members.insertBefore(li, after);
  }

  function presence(online) {
    var ids = {};
    (online || []).forEach(function (p) {
      ids[p.id] = true;
      if (!members.querySelector("li[data-user-id='" + Number(p.id) + "']")) { addMember(p); }
    });
    Array.prototype.forEach.call(members.querySelectorAll("li[data-user-id]"),
      function (li) { li.querySelector(".presence").hidden = !ids[li.dataset.userId]; });
  }

  function showTyping() {
    var now = Date.now(), names = Object.keys(typers).filter(function (id) {
      return typers[id].until > now;
    }).map(function (id) { return typers[id].name; });
    typingLine.textContent = names.length === 0 ? "" : names.length === 1 ?
      fill(L.typing_one, { name: names[0] }) : L.typing_many;
  }

  // ------------------------------------------------------------ the board

  var board = document.getElementById("board");

  // A note's card from the server (the page's macro), with the tools from the page.
  var toolsTemplate = document.getElementById("note-tools-template");

  function noteCard(note) {
    var li = localise(fromHtml(note.html));
    li.setAttribute("draggable", "true");
    li.appendChild(toolsTemplate.content.firstElementChild.cloneNode(true));
    return li;
  }

  function renderNote(note) {
    notes[note.id] = note;
    var old = document.getElementById("note-" + note.id);
    var column = board.querySelector("ol.notes[data-column='" + note.column + "']");
    if (!column) { return; }
    var card = noteCard(note);
    if (old) { old.remove(); }
    var before = null;
    Array.prototype.some.call(column.children, function (o) {
      var other = notes[o.dataset.id];
      if (other && other.position > note.position) { before = o; return true; }
      return false;
    });
    column.insertBefore(card, before);
  }

  function renderBoard(columns) {
    if (!columns) { return; }
    Array.prototype.forEach.call(board.querySelectorAll("ol.notes"), function (ol) {
      ol.textContent = "";
    });
    notes = {};
    Object.keys(columns).forEach(function (key) { columns[key].forEach(renderNote); });
  }

  function updateNote(note, change) {
    change.note_id = note.id;
    change.version = note.version;
    send("note:update", change, function (ack) {
      if (ack && ack.ok) { if (ack.note) { renderNote(ack.note); } return; }
      if (ack && ack.note) {  // stale: somebody changed it first; show theirs
        renderNote(ack.note);
        show(L.stale_note, true);
        var card = document.getElementById("note-" + ack.note.id);
        if (card) { card.focus(); }
      } else { refused(ack); }
    });
  }

  function move(note, direction) {
    var column = COLUMN_KEYS.indexOf(note.column);
    var siblings = Array.prototype.map.call(
      board.querySelectorAll("ol.notes[data-column='" + note.column + "'] li"),
      function (li) { return notes[li.dataset.id]; });
    var index = siblings.indexOf(note);
    if (direction === "left" && column > 0) {
      updateNote(note, { column: COLUMN_KEYS[column - 1] });
    } else if (direction === "right" && column < COLUMN_KEYS.length - 1) {
      updateNote(note, { column: COLUMN_KEYS[column + 1] });
    } else if (direction === "up" && index > 0) {
      updateNote(note, { position: siblings[index - 1].position });
    } else if (direction === "down" && index < siblings.length - 1) {
      updateNote(note, { position: siblings[index + 1].position });
    }
  }

  board.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    var card = button && button.closest(".note-card");
    if (!card || !joined) { return; }
    var note = notes[card.dataset.id];
    if (button.dataset.move) {
      move(note, button.dataset.move);
    } else if (button.dataset.edit) {
      var text = window.prompt(L.edit, note.text);
      if (text !== null && text.trim()) { updateNote(note, { text: text.trim() }); }
    } else if (button.dataset["delete"] && window.confirm(L["delete"] + "?")) {
      send("note:delete", { note_id: note.id, version: note.version }, function (ack) {
        if (ack && ack.ok) { card.remove(); } else if (ack && ack.note) {
          renderNote(ack.note); show(L.stale_note, true);
        } else { refused(ack); }
      });
    }
  });

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".note-card");
    if (card) { event.dataTransfer.setData("text/plain", card.dataset.id); }
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest(".board-column");
    if (column) { event.preventDefault(); column.classList.add("drop"); }
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".board-column");
    if (column) { column.classList.remove("drop"); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".board-column");
    if (!column) { return; }
    event.preventDefault();
    column.classList.remove("drop");
    var note = notes[event.dataTransfer.getData("text/plain")];
    if (note && note.column !== column.dataset.column) {
      updateNote(note, { column: column.dataset.column });
    }
  });

  var noteForm = document.getElementById("note-form");
  if (noteForm) {
    noteForm.addEventListener("submit", function (event) {
      if (!joined) { return; }
      event.preventDefault();
      var text = noteForm.querySelector("[name=text]");
      if (!text.value.trim()) { text.focus(); return; }
      send("note:add", { client_id: newId(), column: noteForm.querySelector("[name=column]").value,
        text: text.value.trim() }, function (ack) {
        if (ack && ack.ok) { text.value = ""; if (ack.note) { renderNote(ack.note); } }
        else { refused(ack); }
      });
    });
  }

  // ------------------------------------------------------------ the protocol panel

  function renderPhase(data) {
    phase = data;
    showControls(data);
    var line = document.getElementById("protocol-phase");
    var floor = document.getElementById("protocol-floor");
    var timer = document.getElementById("protocol-clock");
    if (countdown) { clearInterval(countdown); countdown = null; }
    // The broadcast carries keys; the words are this page's, in its reader's language.
    var words = JSON.parse(document.getElementById("protocol").dataset.words);
    var protocol = (data && words.protocols[data.protocol]) || { name: "", phases: {} };
    document.getElementById("protocol-name").textContent = protocol.name;
    document.getElementById("protocol-name-line").hidden = !data;
    var running = !!(data && !data.finished && data.index !== null && data.index !== undefined);
    line.classList.toggle("muted", !running);  // as the server writes it: a running phase stands out
    if (!running) {
      if (data && data.finished) { line.textContent = L.finished; }
      floor.hidden = timer.hidden = true;
      return;
    }
    var current = data.phases[data.index];
    line.textContent = fill(L.phase, { num: data.index + 1, total: data.phases.length,
      label: protocol.phases[current.key] || current.key }) + " (" +
      (words.speakers[current.speaker] || current.speaker) + ")";
    floor.hidden = !data.floor;
    if (data.floor) { floor.textContent = fill(L.floor, { name: data.floor.name }); }
    timer.hidden = !data.ends_at;
    if (data.ends_at) {
      var ends = Date.parse(data.ends_at);
      var tick = function () {
        var left = Math.round((ends - Date.now()) / 1000);
        timer.textContent = left <= 0 ? L.over : fill(L.ends_in, {
          time: Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2) });
      };
      tick();
      countdown = setInterval(tick, 1000);
    }
  }

  var handButton = el("button", { type: "button", id: "hand-button" }, L.raise);
  document.getElementById("hands").parentNode.appendChild(handButton);
  handButton.addEventListener("click", function () {
    var raised = hands.some(function (h) { return h.id === me; });
    send(raised ? "hand:lower" : "hand:raise", {}, function (ack) {
      if (!ack || !ack.ok) { refused(ack); }
    });
  });

  // The facilitator's controls: start a protocol, next phase, finish (phase:set).
  var panel = document.getElementById("protocol");
  var controls = null;
  if (panel.dataset.facilitator === "1") {
    controls = el("div", { "class": "row protocol-controls" });
    var pick = el("select", { id: "protocol-choice", "aria-label": L.choose });
    JSON.parse(panel.dataset.choices).forEach(function (c) {
      pick.appendChild(el("option", { value: c[0] }, c[1]));
    });
    [["start", L.start], ["next", L.next], ["finish", L.finish]].forEach(function (b) {
      var button = el("button", { type: "button", "data-action": b[0] }, b[1]);
      controls.appendChild(button);
    });
    controls.insertBefore(pick, controls.firstChild);
    panel.insertBefore(controls, panel.querySelector("h3"));
    controls.addEventListener("click", function (event) {
      var action = event.target.dataset && event.target.dataset.action;
      if (!action || !joined) { return; }
      var data = { action: action };
      if (action === "start") { data.protocol = pick.value; }
      send("phase:set", data, function (ack) {
        if (ack && ack.ok) { renderPhase(ack.phase); } else { refused(ack); }
      });
    });
  }

  function showControls(data) {
    if (!controls) { return; }
    var running = !!(data && !data.finished && data.index !== null && data.index !== undefined);
    controls.querySelector("select").hidden = running;
    controls.querySelector("[data-action=start]").hidden = running;
    controls.querySelector("[data-action=next]").hidden = !running;
    controls.querySelector("[data-action=finish]").hidden = !running;
  }

  document.getElementById("hands").addEventListener("click", function (event) {
    var id = event.target.dataset && event.target.dataset.floor;
    if (!id || !joined) { return; }
    event.preventDefault();
    send("phase:set", { action: "floor", user_id: Number(id) }, function (ack) {
      if (ack && ack.ok) { renderPhase(ack.phase); } else { refused(ack); }
    });
  });

  function renderHands(list_) {
    hands = list_ || [];
    var ol = document.getElementById("hands");
    ol.textContent = "";
    hands.forEach(function (h) {
      var li = el("li", {}, h.name + " ");
      if (controls) {  // the facilitator gives the floor from the queue
        li.appendChild(el("button", { type: "button", "class": "link", "data-floor": h.id },
          L.give_floor));
      }
      ol.appendChild(li);
    });
    document.getElementById("no-hands").hidden = hands.length > 0;
    var raised = hands.some(function (h) { return h.id === me; });
    handButton.textContent = raised ? L.lower : L.raise;
    handButton.setAttribute("aria-pressed", raised ? "true" : "false");
  }

  // ------------------------------------------------------------ the connection

  function join() {
    send("room:join", { since_id: lastId }, function (ack) {
      if (!ack || !ack.ok) { refused(ack); return; }
      joined = true;
      (ack.history || []).forEach(place);
      renderBoard(ack.board);
      if ("phase" in ack) { renderPhase(ack.phase); }
      if ("hands" in ack) { renderHands(ack.hands); }
      presence(ack.online);
      show(L.connected);
      flush();
      markRead();
    });
  }

  function end(text) {
    // Signed out, or no longer a member: the page stays readable, nothing more is sent.
    ended = true;
    joined = false;
    socket.disconnect();
    Array.prototype.forEach.call(app.querySelectorAll("#message-form, #note-form"),
      function (form) { form.hidden = true; });
    show(text, true);
  }

  socket.on("connect", join);
  socket.on("disconnect", function () {
    joined = false;
    if (ended) { return; }
    show(navigator.onLine === false ? L.offline : L.reconnecting, true);
  });
  socket.on("signed_out", function () { end(L.signed_out); });
  socket.on("room:removed", function (data) { if (here(data)) { end(L.removed); } });
  socket.on("connect_error", function () {
    if (!ended) { show(navigator.onLine === false ? L.offline : L.reconnecting, true); }
  });
  window.addEventListener("offline", function () { if (!ended) { show(L.offline, true); } });

  function here(data) { return data && data.room_id === roomId; }
  socket.on("message:new", function (msg) {
    if (!here(msg)) { return; }
    var follow = atBottom() || msg.author.id === me;
    // Their message has arrived: they are no longer typing it.
    if (msg.author && typers[msg.author.id]) { delete typers[msg.author.id]; showTyping(); }
    place(msg);
    if (follow) { toBottom(); }
    markRead();
  });
  socket.on("message:updated", function (msg) { if (here(msg)) { place(msg); } });
  socket.on("message:deleted", function (msg) {
    if (!here(msg)) { return; }
    var li = messageItem(msg.id);
    if (li && msg.html) { li.replaceWith(messageNode(msg)); }
  });
  socket.on("presence", function (data) { if (here(data)) { presence(data.online); } });
  socket.on("typing", function (data) {
    if (!here(data)) { return; }
    var user = data.user || { id: data.user_id, name: data.name };
    if (user.id === me) { return; }
    typers[user.id] = { name: user.name, until: Date.now() + 4000 };
    showTyping();
    setTimeout(showTyping, 4100);
  });
  // A note as it is now, and the new order of the columns it touched (a move renumbers).
  socket.on("note:changed", function (data) {
    if (!here(data)) { return; }
    renderNote(data.note);
    Object.keys(data.order || {}).forEach(function (column) {
      var ol = board.querySelector("ol.notes[data-column='" + column + "']");
      if (!ol) { return; }
      data.order[column].forEach(function (id, index) {
        var card = document.getElementById("note-" + id);
        if (notes[id]) { notes[id].position = index; }
        if (card) { ol.appendChild(card); }
      });
    });
  });
  socket.on("note:deleted", function (data) {
    if (!here(data)) { return; }
    var card = document.getElementById("note-" + (data.note_id || data.id));
    if (card) { card.remove(); }
    delete notes[data.note_id || data.id];
  });
  socket.on("phase", function (data) { if (here(data)) { renderPhase(data.phase); } });
  socket.on("hands", function (data) { if (here(data)) { renderHands(data.hands); } });
  document.addEventListener("visibilitychange", markRead);

  // Messages written before a reload that the server never acknowledged: shown as waiting,
  // unless the page already has them (stored, only the acknowledgement was lost).
  var waiting = loadOutbox().filter(function (item) {
    return !list.querySelector("li[data-client-id='" + CSS.escape(item.client_id) + "']:not(.pending)");
  });
  saveOutbox(waiting);
  waiting.forEach(pendingItem);
  // First view: the first unread message, else the newest, in view of the list.
  var marker = document.getElementById("unread");
  if (marker) { list.scrollTop = marker.offsetTop - list.offsetTop; } else { toBottom(); }
  show(L.connecting, true);
}());

// The board's column index (on a phone, where the columns scroll sideways) marks the column
// in view as the reader scrolls: the one most of which shows, the first on a tie. Without
// this script the index is plain links to the columns. Apart from the socket above, so it
// works on every room page.
(function () {
  "use strict";
  var box = document.querySelector(".board-columns");
  var index = document.querySelector(".board-index");
  if (!box || !index || typeof window.IntersectionObserver !== "function") { return; }
  var columns = Array.prototype.slice.call(box.querySelectorAll(".board-column"));
  var seen = columns.map(function () { return 0; });

  function mark() {
    var best = 0;
    seen.forEach(function (ratio, i) { if (ratio > seen[best] + 0.01) { best = i; } });
    var current = "#" + columns[best].querySelector("h3").id;
    Array.prototype.forEach.call(index.querySelectorAll("a"), function (a) {
      if (a.getAttribute("href") === current) { a.setAttribute("aria-current", "true"); }
      else { a.removeAttribute("aria-current"); }
    });
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      seen[columns.indexOf(entry.target)] = entry.isIntersecting ? entry.intersectionRatio : 0;
    });
    mark();
  }, { root: box, threshold: [0, 0.25, 0.5, 0.75, 0.9, 1] });
  columns.forEach(function (column) { observer.observe(column); });
}());
