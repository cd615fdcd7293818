// Display board: announce each new call with a chime and a spoken Vietnamese sentence.
// htmx polls the list every second; here we only compare what arrived with what we announced.
(function () {
  "use strict";
  var board = document.querySelector(".board");
  if (!board) return;
  var announced = new Set();
  var audio = null;
  var queue = [];
  var speaking = false;

  function remember() {
    document.querySelectorAll("#board-calls [data-call]").forEach(function (row) { announced.add(row.dataset.call); });
  }

  function chime() {
    if (!audio) return Promise.resolve();
    var now = audio.currentTime;
    [880, 660].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.45);
      gain.gain.exponentialRampToValueAtTime(0.4, now + i * 0.45 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.45 + 0.4);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.45);
      osc.stop(now + i * 0.45 + 0.45);
    });
    return new Promise(function (resolve) { setTimeout(resolve, 950); });
  }

  function speak(text) {
    return new Promise(function (resolve) {
      if (!("speechSynthesis" in window)) return resolve();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = board.dataset.lang || "vi-VN";
      utterance.rate = 0.9;
      var voice = speechSynthesis.getVoices().find(function (v) { return v.lang && v.lang.indexOf("vi") === 0; });
      if (voice) utterance.voice = voice;
      utterance.onend = utterance.onerror = function () { resolve(); };
      speechSynthesis.speak(utterance);
      setTimeout(resolve, 8000); // never let a silent engine block the queue
    });
  }

  function next() {
    if (speaking || !queue.length) return;
    speaking = true;
    var row = queue.shift();
    // Letters and digits read one by one: "A 0 1 2" is clearer across a noisy room than "A mười hai".
    var code = row.code.split("").join(" ");
    var text = board.dataset.callText.replace("{code}", code).replace("{counter}", row.counter);
    chime().then(function () { return speak(text); }).then(function () { speaking = false; next(); });
  }

  document.getElementById("sound-on").addEventListener("click", function (event) {
    // Browsers start audio only after a touch or click; the screen is set up once in the morning.
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    audio.resume();
    event.target.hidden = true;
    chime();
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "board-calls") return;
    document.getElementById("board-offline").hidden = true;
    event.detail.target.querySelectorAll("[data-call]").forEach(function (row) {
      if (announced.has(row.dataset.call)) return;
      announced.add(row.dataset.call);
      queue.push({ code: row.dataset.code, counter: row.dataset.counter });
    });
    next();
  });
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, function () { document.getElementById("board-offline").hidden = false; });
  });
  remember(); // calls already on the screen when it loads are not announced again
})();
