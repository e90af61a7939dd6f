/* The portal's service worker (served as /portal/sw.js, so it looks after /portal/ only).
   Static files: from the cache, refreshed in the background. The diary and today pages: from the network,
   with the last copy kept so that the diary opens offline (entries made then wait in the page's queue).
   Nothing else is cached; signing out empties the cache (portal.js). */
"use strict";
var CACHE = "sciatica-care-portal-v1";
var STATIC = ["/static/portal/portal.css", "/static/portal/diary.js", "/static/portal/portal.js",
              "/static/portal/icons/icon-192.png", "/portal/offline/"];
var KEEP_PAGES = ["/portal/diary/", "/portal/"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(STATIC); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected && KEEP_PAGES.indexOf(url.pathname) >= 0) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || caches.match("/portal/offline/"); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/portal/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
        return response;
      });
      return hit || fresh;
    }));
  }
});
