// Service worker of the observation notes pages, served at /observations/sw.js (scope
// /observations/) by collab/blueprints/observations/notes.py. It keeps the notes page, the
// stylesheet and observation-notes.js openable offline: network first, the kept copy when
// the network fails. It touches nothing else: other pages, and every POST, go straight to
// the network. The cache is per user (?u= in the worker's address); a new user's worker
// deletes the copies of the one before, so a shared phone never shows another's notes.
"use strict";
var USER = new URL(self.location.href).searchParams.get("u") || "0";
var PREFIX = "rembuk-notes-";
var CACHE = PREFIX + "v1-" + USER;
var SHELL = ["/static/css/rembuk.css", "/static/js/observation-notes.js",
  "/static/img/favicon.svg"];
var NOTES_PAGE = /^\/observations\/\d+\/notes$/;

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
  return caches.open(CACHE).then(function (cache) { return cache.put(path, response); });
}

self.addEventListener("message", function (event) {
  var path = event.data && event.data.keep;
  if (typeof path !== "string" || !NOTES_PAGE.test(path)) { return; }
  event.waitUntil(fetch(path, { credentials: "same-origin" })
    .then(function (response) { return keep(path, response); })
    .catch(function () { /* offline now: kept on the next visit */ }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var page = NOTES_PAGE.test(url.pathname);
  if (!page && SHELL.indexOf(url.pathname) < 0) { return; }
  event.respondWith(fetch(request).then(function (response) {
    event.waitUntil(Promise.resolve(keep(url.pathname, response.clone())));
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); })
      .then(function (hit) { return hit || Response.error(); });
  }));
});
