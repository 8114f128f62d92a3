// Plan editor: live preview (rendered and sanitised by the server) and a local draft, so a
// dropped connection never loses typing. The form works without this script.
(function () {
  "use strict";
  var SENT = "rembuk-draft-sent";
  // A draft is dropped only once the page after its save confirms it (a connection lost
  // during the save keeps it): the plan page says "saved" with the class plan-saved.
  try {
    var sent = sessionStorage.getItem(SENT);
    if (sent && document.querySelector(".flash.plan-saved")) {
      localStorage.removeItem(sent);
      sessionStorage.removeItem(SENT);
    }
  } catch (e) { /* storage disabled: nothing was kept */ }

  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var body = form.querySelector("textarea[name=body]");
  var preview = document.getElementById("preview");
  var status = document.getElementById("draft-status");
  var token = document.querySelector("meta[name=csrf-token]").content;
  var key = form.dataset.draftKey;
  var labels = document.documentElement.lang === "en"
    ? { saved: "Draft kept on this device.", found: "A draft from this device was restored. ", discard: "Discard it" }
    : { saved: "Draf disimpan di perangkat ini.", found: "Draf dari perangkat ini dipulihkan. ", discard: "Buang draf" };
  var timer = null;

  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrf_token" && el.type !== "submit" && el.type !== "hidden") {
        data[el.name] = el.type === "checkbox" ? el.checked : el.value;
      }
    });
    return data;
  }

  function saveDraft() {
    try {
      localStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: fields() }));
      status.textContent = labels.saved;
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function refreshPreview() {
    var data = new FormData();
    data.append("body", body.value);
    fetch(form.dataset.previewUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token }
    }).then(function (r) {
      // 429: too many previews; the server's sentence (translated) takes the preview's place
      // and the preview is asked for again a little later.
      if (r.status === 429) { clearTimeout(timer); timer = setTimeout(refreshPreview, 30000); }
      return r.ok || r.status === 429 ? r.text() : null;
    }).then(function (html) { if (html !== null) { preview.innerHTML = html; } })
      .catch(function () { /* offline: the draft is kept, preview waits */ });
  }

  function restoreDraft() {
    var raw = null;
    try { raw = localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var draft = JSON.parse(raw);
    var changed = Object.keys(draft.fields).some(function (name) {
      var el = form.elements[name];
      return el && (el.type === "checkbox" ? el.checked !== draft.fields[name] : el.value !== draft.fields[name]);
    });
    if (!changed) { return; }
    Object.keys(draft.fields).forEach(function (name) {
      var el = form.elements[name];
      if (!el || el.tagName === undefined) { return; }
      if (el.type === "checkbox") { el.checked = draft.fields[name]; } else { el.value = draft.fields[name]; }
    });
    status.textContent = labels.found;
    var undo = document.createElement("button");
    undo.type = "button";
    undo.textContent = labels.discard;
    undo.addEventListener("click", function () {
      localStorage.removeItem(key);
      window.location.reload();
    });
    status.appendChild(undo);
  }

  // Choosing another template on a new plan brings its text, unless the teacher has typed:
  // then the text stays (the page's hint says so).
  var chooser = document.getElementById("template-form");
  var template = chooser && chooser.querySelector("select[name=template]");
  var pristine = body.value;
  function untouched() { return body.value === pristine || body.value.trim() === ""; }
  function switchTemplate() {
    form.elements.template.value = template.value;
    if (!untouched()) { return; }
    var url = new URL(window.location.href);
    url.searchParams.set("template", template.value);
    fetch(url.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || !untouched()) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("textarea[name=body]");
        if (!fresh) { return; }
        body.value = pristine = fresh.value;
        window.history.replaceState(null, "", url.pathname + url.search);
        saveDraft();
        refreshPreview();
      })
      .catch(function () { /* offline: the text stays as it is */ });
  }
  if (template) {
    template.addEventListener("change", switchTemplate);
    chooser.addEventListener("submit", function (event) {
      event.preventDefault();  // in place, keeping what was typed (a reload would not)
      switchTemplate();
    });
  }

  // A draft is only restored on a fresh form, never over a server answer (errors, preview).
  if (!document.querySelector(".error-summary") && !form.dataset.serverPreview) { restoreDraft(); }
  form.addEventListener("input", function () {
    saveDraft();
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 600);
  });
  form.addEventListener("submit", function (event) {
    var by = event.submitter ? event.submitter.name : "";
    if (by !== "preview" && by !== "use_template") {
      try { sessionStorage.setItem(SENT, key); } catch (e) { /* the draft simply stays */ }
    }
  });
})();
