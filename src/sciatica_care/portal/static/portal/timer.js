/* The home programme's timers: hold, rest, next set. Plain JavaScript, no framework, no build, no inline code
 * (loaded from this file under the site's Content-Security-Policy).
 *
 * Each [data-timer] element counts its hold (the length chosen in its select, from the plan's range), then a
 * short rest, then the next set (one set per label in data-labels: "Right side|Left side"), and says so in a
 * polite live region at each change (and each whole minute), for screen readers. Only one timer runs at a time.
 * Time is measured against the clock (Date.now), so a tab put in the background still ends on time.
 * Optional sound (a short tone made with Web Audio, no file) and vibration, chosen once for the page and kept in
 * localStorage. Without JavaScript the timers stay hidden and the page still reads as the printed programme.
 */
(function () {
  "use strict";

  var CIRCUMFERENCE = 2 * Math.PI * 52;
  var TICK_MS = 250;
  var PREFS = "sciatica-care.timer";
  var timers = [];
  var prefs = readPrefs();
  var audio = null;

  function readPrefs() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(PREFS) || "{}");
      return { sound: saved.sound === true, vibrate: saved.vibrate === true };
    } catch (e) {
      return { sound: false, vibrate: false };
    }
  }

  function savePrefs() {
    try {
      window.localStorage.setItem(PREFS, JSON.stringify(prefs));
    } catch (e) { /* private browsing: the choice lasts for this page only */ }
  }

  function clock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(total / 60);
    var s = total % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function minutesWords(ms) {
    var m = Math.round(ms / 60000);
    return m + (m === 1 ? " minute" : " minutes");
  }

  function cue(kind) {
    if (prefs.vibrate && typeof navigator.vibrate === "function") {
      navigator.vibrate(kind === "done" ? [300, 150, 300, 150, 300] : [250, 120, 250]);
    }
    if (!prefs.sound) return;
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var beeps = kind === "done" ? 3 : 2;
      for (var i = 0; i < beeps; i++) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        var at = audio.currentTime + i * 0.3;
        osc.frequency.value = kind === "rest" ? 520 : 780;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.25);
      }
    } catch (e) { /* no sound on this device */ }
  }

  function Timer(el) {
    this.el = el;
    this.name = el.getAttribute("data-name") || "";
    this.labels = (el.getAttribute("data-labels") || "").split("|").filter(Boolean);
    this.sets = Math.max(1, parseInt(el.getAttribute("data-sets"), 10) || this.labels.length || 1);
    this.restMs = Math.max(0, parseInt(el.getAttribute("data-rest"), 10) || 0) * 1000;
    this.select = el.querySelector("[data-timer-hold]");
    this.startButton = el.querySelector("[data-timer-start]");
    this.resetButton = el.querySelector("[data-timer-reset]");
    this.phaseEl = el.querySelector("[data-timer-phase]");
    this.timeEl = el.querySelector("[data-timer-time]");
    this.setEl = el.querySelector("[data-timer-set]");
    this.live = el.querySelector("[data-timer-live]");
    this.ring = el.querySelector("[data-timer-ring]");
    this.ring.setAttribute("stroke-dasharray", CIRCUMFERENCE.toFixed(2));
    this.interval = null;
    this.reset(true);
    var self = this;
    this.startButton.addEventListener("click", function () { self.toggle(); });
    this.resetButton.addEventListener("click", function () { self.reset(false); });
    this.select.addEventListener("change", function () { if (self.phase === "ready") self.reset(true); });
  }

  Timer.prototype.holdMs = function () {
    return Math.max(1, parseInt(this.select.value, 10) || 60) * 1000;
  };

  Timer.prototype.label = function () {
    return this.labels[this.set] || "";
  };

  Timer.prototype.say = function (text) {
    /* Cleared first so that the same words said twice are still read out. */
    var live = this.live;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  };

  Timer.prototype.setWords = function () {
    if (this.sets < 2) return this.label();
    return "Set " + (this.set + 1) + " of " + this.sets + (this.label() ? " · " + this.label() : "");
  };

  Timer.prototype.show = function () {
    var words = { ready: "Ready", hold: this.el.getAttribute("data-unit") === "heat" ? "Warming" : "Press",
                  rest: "Rest", paused: "Paused", done: "Done" };
    var left = this.phase === "done" ? 0 : this.remaining();
    this.phaseEl.textContent = words[this.running ? this.phase : (this.phase === "ready" || this.phase === "done" ?
      this.phase : "paused")];
    this.timeEl.textContent = clock(left);
    this.setEl.textContent = this.phase === "rest" ? "Next: " + (this.labels[this.set + 1] || "set " + (this.set + 2))
      : this.setWords();
    var fraction = this.phase === "done" ? 1 : 1 - left / this.length;
    this.ring.setAttribute("stroke-dashoffset", (CIRCUMFERENCE * (1 - fraction)).toFixed(2));
    this.el.classList.toggle("is-hold", this.phase === "hold");
    this.el.classList.toggle("is-rest", this.phase === "rest");
    this.el.classList.toggle("is-done", this.phase === "done");
    this.el.classList.toggle("is-running", this.running);
    this.el.setAttribute("data-phase", this.phase);
    this.startButton.textContent = this.running ? "Pause" : (this.phase === "ready" || this.phase === "done" ?
      "Start" : "Resume");
    this.select.disabled = this.phase !== "ready" && this.phase !== "done";
  };

  Timer.prototype.remaining = function () {
    return this.running ? Math.max(0, this.deadline - Date.now()) : this.left;
  };

  Timer.prototype.begin = function (phase, ms) {
    this.phase = phase;
    this.length = ms;
    this.left = ms;
    this.deadline = Date.now() + ms;
    this.lastMinute = Math.ceil(ms / 60000);
  };

  Timer.prototype.toggle = function () {
    if (this.running) {
      this.left = this.remaining();
      this.stop();
      this.say("Paused at " + clock(this.left) + ".");
    } else {
      for (var i = 0; i < timers.length; i++) if (timers[i] !== this && timers[i].running) timers[i].toggle();
      if (this.phase === "ready" || this.phase === "done") {
        this.set = 0;
        this.begin("hold", this.holdMs());
        this.say(this.startWords());
      } else {
        this.deadline = Date.now() + this.left;
        this.say("Carrying on: " + clock(this.left) + " left.");
      }
      this.running = true;
      var self = this;
      this.interval = window.setInterval(function () { self.tick(); }, TICK_MS);
    }
    this.show();
  };

  Timer.prototype.startWords = function () {
    var what = this.el.getAttribute("data-unit") === "heat" ? "Warm up for " : "Press " + (this.label() ?
      "on your " + this.label().toLowerCase() + " " : "") + "for ";
    return (this.sets > 1 ? "Set " + (this.set + 1) + " of " + this.sets + ". " : "") + what +
      minutesWords(this.length) + ".";
  };

  Timer.prototype.stop = function () {
    this.running = false;
    if (this.interval !== null) window.clearInterval(this.interval);
    this.interval = null;
  };

  Timer.prototype.tick = function () {
    var left = this.remaining();
    if (left <= 0) {
      this.next();
    } else if (this.phase === "hold" && Math.ceil(left / 60000) < this.lastMinute) {
      this.lastMinute = Math.ceil(left / 60000);
      this.say(minutesWords(this.lastMinute * 60000) + " left.");
    }
    this.show();
  };

  Timer.prototype.next = function () {
    if (this.phase === "hold" && this.set + 1 < this.sets) {
      if (this.restMs > 0) {
        this.begin("rest", this.restMs);
        cue("rest");
        this.say("Let go and rest for " + Math.round(this.restMs / 1000) + " seconds. Next: " +
          (this.labels[this.set + 1] || "the next set").toLowerCase() + ".");
        return;
      }
      this.phase = "rest";
    }
    if (this.phase === "rest") {
      this.set += 1;
      this.begin("hold", this.holdMs());
      cue("hold");
      this.say(this.startWords());
      return;
    }
    this.stop();
    this.phase = "done";
    cue("done");
    this.say(this.el.getAttribute("data-unit") === "heat" ? "Warm-up done. Take the pack off and start pressing." :
      "Done: " + this.name + ". Let go slowly. You can mark it done below.");
  };

  Timer.prototype.reset = function (quiet) {
    this.stop();
    this.set = 0;
    this.begin("ready", this.holdMs());
    this.show();
    if (!quiet) this.say("Timer reset.");
  };

  function setUpOptions() {
    var box = document.querySelector("[data-timer-options]");
    if (!box) return;
    var sound = box.querySelector("[data-timer-sound]");
    var vibrate = box.querySelector("[data-timer-vibrate]");
    sound.checked = prefs.sound;
    vibrate.checked = prefs.vibrate;
    if (typeof navigator.vibrate !== "function") vibrate.closest("label").hidden = true;
    sound.addEventListener("change", function () { prefs.sound = sound.checked; savePrefs(); if (sound.checked) cue("rest"); });
    vibrate.addEventListener("change", function () { prefs.vibrate = vibrate.checked; savePrefs(); });
    box.hidden = false;
  }

  function start() {
    var els = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < els.length; i++) {
      timers.push(new Timer(els[i]));
      els[i].hidden = false;
    }
    setUpOptions();
    var refused = document.getElementById("refused");
    if (refused) refused.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
