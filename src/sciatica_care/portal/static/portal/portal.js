/* Every portal page: start the service worker (installable, and the diary works offline); on the sign-in page,
   forget the pages kept for offline use (they hold the signed-out patient's diary). */
(function () {
  "use strict";
  var body = document.body;
  if ("serviceWorker" in navigator && body.getAttribute("data-sw")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/portal/" }).catch(function () {});
  }
  /* Reminder settings never saved yet: start from this phone's own time zone. */
  var reminders = document.querySelector("form[data-guess-time-zone] select[name=time_zone]");
  if (reminders && window.Intl) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && reminders.querySelector("option[value='" + zone.replace(/'/g, "") + "']")) { reminders.value = zone; }
  }
  if (body.getAttribute("data-signed-out") && window.caches) {
    caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
  }
}());
