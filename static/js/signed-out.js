// Runs on the sign-in page, where nobody is signed in in this browser. The offline copies of
// observation notes pages that /observations/sw.js kept for whoever was signed in are
// deleted, and the notes kept on this phone are cut down to those not yet sent (they wait for
// their author to sign in again, and are sent then). So a shared phone shows nobody the
// notes of the colleague before, and nothing unsent is lost.
(function () {
  "use strict";
  if (window.caches) {
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("rembuk-notes-") === 0;
      }).map(function (name) { return caches.delete(name); }));
    }).catch(function () { /* storage disabled: nothing was kept */ });
  }
  try {
    for (var i = localStorage.length - 1; i >= 0; i -= 1) {
      var key = localStorage.key(i);
      if (key && key.indexOf("rembuk-notes:") === 0) { keepUnsent(key); }
    }
  } catch (e) { /* storage disabled: nothing was kept */ }

  function keepUnsent(key) {
    var kept = null, unsent = {}, any = false;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    Object.keys((kept && kept.notes) || {}).forEach(function (id) {
      var note = kept.notes[id];
      if (note && (note.pending || note.error)) { unsent[id] = note; any = true; }
    });
    if (any) {
      localStorage.setItem(key, JSON.stringify({ notes: unsent }));
    } else {
      localStorage.removeItem(key);
    }
  }
}());
