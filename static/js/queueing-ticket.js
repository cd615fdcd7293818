// Ticket page: a system notification when the citizen is near the front or is called,
// so they can wait outside with the phone in a pocket.
(function () {
  "use strict";
  var button = document.getElementById("notify-me");
  var told = {};
  if (!("Notification" in window) || !button) return;
  if (Notification.permission === "default") {
    button.hidden = false;
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function () { button.hidden = true; });
    });
  }
  document.body.addEventListener("htmx:afterSwap", function () {
    var status = document.querySelector(".ticket-status");
    if (!status || Notification.permission !== "granted") return;
    var key = status.dataset.status === "called" ? "called" : status.dataset.nearFront === "1" ? "near" : "";
    if (!key || told[key]) return;
    told[key] = true;
    var text = status.querySelector('[role="alert"]');
    new Notification(status.querySelector(".ticket-number").textContent, { body: text ? text.textContent : "" });
    if (navigator.vibrate) navigator.vibrate([300, 100, 300]);
  });
})();
