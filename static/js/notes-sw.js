// Service worker of the observation notes pages, served at /observations/sw.js (scope
// /observations/) by collab/blueprints/observations/notes.py. It keeps the notes page, the
// stylesheet and observation-notes.js openable offline: network first, the kept copy when
// the network fails. It touches nothing else: other pages, and every POST, go straight to
// the network. The cache is per user (?u= in the worker's address); a new user's worker
// deletes the copies of the one before, so a shared phone never shows another's notes.
// The pages link the stylesheet and scripts by fingerprinted addresses
// (/static/css/rembuk.<digest>.css, collab/core/static_files.py) that never change: those
// are answered from the kept copy first, and a notes page kept for offline use brings the
// versions it links along. Offline, a version not kept is answered with any kept copy of the
// same file (the plain ones are kept at install).
"use strict";
var USER = new URL(self.location.href).searchParams.get("u") || "0";
var PREFIX = "rembuk-notes-";
var CACHE = PREFIX + "v1-" + USER;
var SHELL = ["/static/css/rembuk.css", "/static/js/observation-notes.js",
  "/static/img/favicon.svg"];
var NOTES_PAGE = /^\/observations\/\d+\/notes$/;
var FINGERPRINT = /\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;
var LINKED = /(?:href|src)="(\/static\/[^"?#]+\.[0-9a-f]{12}\.[A-Za-z0-9]+)"/g;

function plainPath(path) { return path.replace(FINGERPRINT, "$1"); }
function isShell(path) { return SHELL.indexOf(plainPath(path)) >= 0; }
function isVersioned(path) { return plainPath(path) !== path; }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE)
    .then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(path, response) {
  // Only a real answer to this user's own page: not a redirect to the login page, not an
  // error page.
  if (!response.ok || response.redirected || response.type !== "basic") { return; }
  return caches.open(CACHE).then(function (cache) {
    return cache.put(path, response).then(function () {
      return isVersioned(path) ? forgetOtherVersions(cache, path) : undefined;
    });
  });
}

function otherVersions(cache, path) {
  // The kept fingerprinted versions of the same file but this one.
  return cache.keys().then(function (requests) {
    return requests.filter(function (entry) {
      var other = new URL(entry.url).pathname;
      return other !== path && isVersioned(other) && plainPath(other) === plainPath(path);
    });
  });
}

function forgetOtherVersions(cache, path) {
  // One fingerprinted version of each file is enough: the one kept last.
  return otherVersions(cache, path).then(function (requests) {
    return Promise.all(requests.map(function (entry) { return cache.delete(entry); }));
  });
}

function keepPage(path, response) {
  // The notes page, and the fingerprinted stylesheet and scripts it links that are not kept
  // yet (on the first visit they were loaded before this worker took the page over).
  if (!response.ok || response.redirected || response.type !== "basic") { return; }
  var copy = response.clone();
  return Promise.all([keep(path, response), copy.text().then(function (html) {
    var linked = [];
    var found;
    LINKED.lastIndex = 0;
    while ((found = LINKED.exec(html)) !== null) {
      if (isShell(found[1]) && linked.indexOf(found[1]) < 0) { linked.push(found[1]); }
    }
    return caches.open(CACHE).then(function (cache) {
      return Promise.all(linked.map(function (asset) {
        return cache.match(asset).then(function (hit) {
          if (hit) { return; }
          return fetch(asset, { credentials: "same-origin" })
            .then(function (answer) { return keep(asset, answer); });
        });
      }));
    });
  }).catch(function () { /* offline now: kept on the next visit */ })]);
}

function kept(path) {
  // The kept copy of this address; for a fingerprinted file not kept, the plain copy or any
  // other kept version of it.
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (hit) {
      if (hit || !isVersioned(path)) { return hit; }
      return cache.match(plainPath(path)).then(function (plain) {
        return plain || otherVersions(cache, path).then(function (others) {
          return others.length ? cache.match(others[0]) : undefined;
        });
      });
    });
  }).then(function (hit) { return hit || Response.error(); });
}

self.addEventListener("message", function (event) {
  var path = event.data && event.data.keep;
  if (typeof path !== "string" || !NOTES_PAGE.test(path)) { return; }
  event.waitUntil(fetch(path, { credentials: "same-origin" })
    .then(function (response) { return keepPage(path, response); })
    .catch(function () { /* offline now: kept on the next visit */ }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var page = NOTES_PAGE.test(url.pathname);
  if (!page && !isShell(url.pathname)) { return; }
  if (!page && isVersioned(url.pathname)) {
    // A fingerprinted file never changes: the kept copy first, the network the first time.
    var address = url.pathname;
    event.respondWith(caches.open(CACHE).then(function (cache) { return cache.match(address); })
      .then(function (hit) {
        return hit || fetch(request).then(function (response) {
          event.waitUntil(Promise.resolve(keep(address, response.clone())));
          return response;
        }).catch(function () { return kept(address); });
      }));
    return;
  }
  event.respondWith(fetch(request).then(function (response) {
    var copy = response.clone();
    event.waitUntil(Promise.resolve(page ? keepPage(url.pathname, copy) : keep(url.pathname, copy)));
    return response;
  }).catch(function () { return kept(url.pathname); }));
});
