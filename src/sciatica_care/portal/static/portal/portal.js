/* Every portal page: start the service worker (installable, and the diary works offline); on the sign-in page,
   forget the pages kept for offline use (they hold the signed-out patient's diary). */
(function () {
  "use strict";
  var body = document.body;
  if ("serviceWorker" in navigator && body.getAttribute("data-sw")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/portal/" }).catch(function () {});
  }
  if (body.getAttribute("data-signed-out") && window.caches) {
    caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
  }
}());
