// Wangshang web client: the few things a server-rendered page cannot do alone.
// Loaded with `defer` from /static/app.js (the CSP allows no inline scripts).
(function () {
  "use strict";

  // Shared with the chat scripts (loaded after this one): a random id for `client_msg_id`.
  window.Wangshang = {
    randomId: function () {
      var b = new Uint8Array(12);
      window.crypto.getRandomValues(b);
      return Array.prototype.map
        .call(b, function (x) {
          return (x < 16 ? "0" : "") + x.toString(16);
        })
        .join("");
    },
  };

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

  // The profile's time zone: while none is set, this device's zone is chosen in the list (kept
  // only when the member saves it), and the hint says so.
  var zoneSelect = document.getElementById("time-zone");
  var here = "";
  try {
    here = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    here = "";
  }
  if (zoneSelect && !zoneSelect.getAttribute("data-current") && here) {
    var known = Array.prototype.some.call(zoneSelect.options, function (o) {
      return o.value === here;
    });
    var suggested = document.getElementById("zone-suggested");
    if (known && suggested) {
      zoneSelect.value = here;
      suggested.textContent = (suggested.getAttribute("data-text") || "").replace("{zone}", here);
      suggested.hidden = false;
    }
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

// Passkeys: the server sends WebAuthn options as JSON; the browser runs the ceremony.
(function () {
  "use strict";
  var post = function (url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.message || "error");
        return j;
      });
    });
  };
  var show = function (text) {
    var s = document.getElementById("passkey-status");
    if (s) {
      s.hidden = false;
      s.textContent = text;
    }
  };

  var add = document.getElementById("passkey-add");
  if (add) {
    var section = document.getElementById("passkeys");
    var csrf = section.getAttribute("data-csrf");
    add.addEventListener("click", function () {
      var password = document.getElementById("passkey-password").value;
      var name = document.getElementById("passkey-name").value;
      post("/settings/security/passkeys/start", { csrf: csrf, current_password: password })
        .then(function (start) {
          var options = PublicKeyCredential.parseCreationOptionsFromJSON(start.options.publicKey);
          return navigator.credentials.create({ publicKey: options }).then(function (cred) {
            return post("/settings/security/passkeys/finish", {
              csrf: csrf,
              registration_id: start.registration_id,
              name: name,
              credential: cred.toJSON(),
            });
          });
        })
        .then(function (done) {
          show(section.getAttribute("data-added"));
          var list = document.getElementById("passkey-codes");
          (done.recovery_codes || []).forEach(function (c) {
            var li = document.createElement("li");
            li.className = "recovery-code";
            li.textContent = c;
            list.appendChild(li);
          });
        })
        .catch(function (e) {
          show(e.message);
        });
    });
  }

  var login = document.getElementById("passkey-login");
  if (login) {
    login.addEventListener("click", function () {
      var csrf = login.getAttribute("data-csrf");
      var id = login.getAttribute("data-challenge");
      post("/login/step/" + id + "/passkey", { csrf: csrf })
        .then(function (options) {
          var o = PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey);
          return navigator.credentials.get({ publicKey: o });
        })
        .then(function (cred) {
          return post("/login/step/" + id + "/passkey/finish", { csrf: csrf, assertion: cred.toJSON() });
        })
        .then(function (done) {
          window.location.assign(done.redirect);
        })
        .catch(function (e) {
          show(e.message);
        });
    });
  }
})();
