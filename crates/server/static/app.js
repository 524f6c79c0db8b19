// Wangshang web client: the few things a server-rendered page cannot do alone.
// Loaded with `defer` from /static/app.js (the CSP allows no inline scripts).
(function () {
  "use strict";

  // "Send again" waits out its countdown: disabled, showing the seconds left.
  var resend = document.getElementById("resend");
  if (resend) {
    var left = parseInt(resend.getAttribute("data-seconds") || "0", 10);
    var wait = resend.getAttribute("data-wait") || "";
    var label = resend.getAttribute("data-label") || resend.textContent;
    var tick = function () {
      if (left > 0) {
        resend.disabled = true;
        resend.textContent = wait.replace(/\d+/, String(left));
        left -= 1;
        window.setTimeout(tick, 1000);
      } else {
        resend.disabled = false;
        resend.textContent = label;
      }
    };
    tick();
  }

  // A rough strength hint while typing (the server's policy, with zxcvbn, decides).
  var fields = document.querySelectorAll("input[data-strength]");
  Array.prototype.forEach.call(fields, function (input) {
    var meter = document.getElementById(input.getAttribute("data-strength"));
    if (!meter) return;
    input.addEventListener("input", function () {
      var v = input.value;
      var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (r) {
        return r.test(v);
      }).length;
      var score = 0;
      if (v.length >= 8) score = 1;
      if (v.length >= 12 && kinds >= 2) score = 2;
      if (v.length >= 16 || (v.length >= 12 && kinds >= 3)) score = 3;
      if (v.length >= 20 && kinds >= 2) score = 4;
      meter.value = score;
    });
  });
})();
