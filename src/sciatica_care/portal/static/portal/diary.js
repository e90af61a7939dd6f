/* The diary page: send the day's entry; keep it on this phone while offline and send it once when back online.
   Each entry gets its id here (client_id): the server stores an id once, so sending again never duplicates.
   The queue is kept per account (localStorage), and only the account that made an entry ever sends it.
   No framework, no build step. */
(function () {
  "use strict";
  var form = document.getElementById("diary-form");
  if (!form) { return; }
  var statusLine = document.getElementById("sync-status");
  var emergency = document.getElementById("emergency");
  var alertState = document.getElementById("alert-state");
  var recent = document.getElementById("recent");
  var KEY = "sciatica-care:diary-queue:" + form.getAttribute("data-account");
  var API = form.getAttribute("data-api");
  var NUMBERS = ["leg_nrs", "back_nrs", "sleep_hours", "sleep_quality", "sitting_hours", "walking_minutes", "stress"];
  var flushing = false;

  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function keep(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function say(text) { statusLine.textContent = text; }
  function plural(n) { return n + (n === 1 ? " entry" : " entries"); }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function readNumber(raw) {
    var text = raw.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) { return text; }
    var value = Number(text);
    return (Number.isInteger(value) && text.indexOf(".") < 0) ? value : value;
  }

  function names(name) {
    var ticked = Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"),
      function (el) { return el.value; });
    var other = (form.elements[name + "_other"].value || "").split(",");
    return ticked.concat(other).map(function (s) { return s.trim(); }).filter(function (s) { return s; });
  }

  function ticked() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=alarm_signs]:checked"),
      function (el) { return el.value; });
  }

  function collect() {
    var doc = { client_id: newId(), date: form.elements.date.value, made_at: new Date().toISOString() };
    NUMBERS.forEach(function (name) {
      var el = form.elements[name];
      var raw = el ? (el.value === undefined ? "" : String(el.value)) : "";
      if (raw.trim()) { doc[name] = readNumber(raw); }
    });
    doc.activities = names("activities");
    doc.medications = names("medications");
    doc.flare_up = form.elements.flare_up.checked;
    doc.flare_trigger = form.elements.flare_trigger.value;
    doc.alarm_signs = ticked();
    return doc;
  }

  function showAlarm(ids) {
    emergency.querySelectorAll("li[data-question]").forEach(function (li) {
      li.hidden = ids.indexOf(li.getAttribute("data-question")) < 0;
    });
    emergency.hidden = ids.length === 0;
  }

  function addRecent(entry) {
    if (!recent) { return; }
    var li = document.createElement("li");
    li.textContent = entry.date + " · leg " + entry.leg_nrs + (entry.back_nrs === null ? "" : ", back " + entry.back_nrs) + " · sent";
    li.setAttribute("data-client-id", entry.client_id);
    recent.insertBefore(li, recent.firstChild);
  }

  function showErrors(errors) {
    var text = errors.map(function (e) { return (e.path ? e.path + ": " : "") + e.message; }).join("; ");
    say("Not saved. Please check — " + text);
    var first = errors.length && errors[0].path ? document.getElementById("field-" + errors[0].path.split("[")[0]) : null;
    if (first) { first.classList.add("has-error"); var input = first.querySelector("input"); if (input) { input.focus(); } }
  }

  function send(doc) {
    /* A redirect (the session ended: the sign-in page) is not followed: it counts as "sign in again", and an
       answer without the stored entry is never taken for a success. */
    return fetch(API, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(doc)
    }).then(function (r) {
      if (r.type === "opaqueredirect") { return { status: 401, body: {} }; }
      return r.json().catch(function () { return {}; }).then(function (body) {
        var stored = body && body.entry && body.entry.client_id === doc.client_id;
        var status = (r.status === 200 || r.status === 201) && !stored ? 502 : r.status;
        return { status: status, body: body };
      });
    });
  }

  /* Send what is waiting, oldest first; stop at the first failure of the network or of the session. */
  function flush() {
    var waiting = queue();
    if (flushing || !waiting.length) { return Promise.resolve(); }
    flushing = true;
    var doc = waiting[0];
    return send(doc).then(function (answer) {
      flushing = false;
      if (answer.status === 200 || answer.status === 201) {
        keep(queue().filter(function (d) { return d.client_id !== doc.client_id; }));
        addRecent(answer.body.entry);
        if (answer.body.alarm) { alertState.textContent = "We have told your clinic."; }
        var left = queue().length;
        say(left ? "Sent 1 entry; " + plural(left) + " still to send." : "Saved and sent to your clinic's record.");
        return flush();
      }
      if (answer.status === 422 || answer.status === 400 || answer.status === 413) {
        keep(queue().filter(function (d) { return d.client_id !== doc.client_id; }));
        showErrors((answer.body && answer.body.errors) || [{ path: "", message: "refused" }]);
        return undefined;
      }
      if (answer.status === 401 || answer.status === 403) {
        say(plural(queue().length) + " saved on this phone. Sign in again to send them.");
        return undefined;
      }
      say(plural(queue().length) + " saved on this phone; they will be sent later.");
      return undefined;
    }, function () {
      flushing = false;
      var n = queue().length;
      say(plural(n) + " saved on this phone. " + (n === 1 ? "It" : "They") + " will be sent when you are back online.");
      if (ticked().length || doc.alarm_signs.length) {
        alertState.textContent = "You are offline, so your clinic has not been told yet: it will be when your phone is back online. Do not wait for that.";
      }
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "alarm_signs") { showAlarm(ticked()); }
  });

  function enqueue(doc) {
    var items = queue();
    items.push(doc);
    keep(items);
  }

  function cleared(doc) {
    form.reset();
    form.elements.date.value = doc.date;
    showAlarm(doc.alarm_signs);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var doc = collect();
    if (doc.leg_nrs === undefined) {
      showErrors([{ path: "leg_nrs", message: "pick a number from 0 to 10 for your leg pain" }]);
      return;
    }
    if (doc.alarm_signs.length) { showAlarm(doc.alarm_signs); emergency.focus(); }
    function offline() {
      enqueue(doc);
      cleared(doc);
      flush();
    }
    if (!navigator.onLine) { offline(); return; }
    send(doc).then(function (answer) {
      if (answer.status === 200 || answer.status === 201) {
        addRecent(answer.body.entry);
        cleared(doc);
        if (answer.body.alarm) { alertState.textContent = "We have told your clinic."; }
        say("Saved and sent to your clinic's record.");
        flush();
      } else if (answer.status === 422 || answer.status === 400 || answer.status === 413) {
        showErrors((answer.body && answer.body.errors) || [{ path: "", message: "refused" }]);
      } else {
        offline();
      }
    }, offline);
  });

  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  flush();
}());
