// Wangshang chat: live updates over the account's event stream (GET /api/v1/stream, a WebSocket
// that takes this site's session cookie), for the conversation list and for one conversation,
// and sending/recalling without reloading the page. Loaded with `defer` by the chat pages.
//
// - The page says which stream seq it was drawn at (data-head); the socket resumes after the last
//   seq handled (`since=`), after a drop too, and a frame at or below it is skipped, so each
//   event is applied once. `resync` (the gap is older than the retention) reloads the page.
// - Text from people only ever goes in through textContent, never as HTML.
// - Without this script every form still posts and the page redraws.
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  var list = document.getElementById("conversations");
  var root = chat || list;
  if (!root || !window.WebSocket) return;

  var me = root.getAttribute("data-me");
  var last = parseInt(root.getAttribute("data-head") || "0", 10) || 0;
  var socket = null;
  var timer = null;
  var retry = 0;
  var status = document.getElementById("live-status");
  // Once a form posts, the page is on its way out: no reload may cancel that navigation.
  var leaving = false;
  document.addEventListener("submit", function (ev) {
    if (!ev.defaultPrevented) leaving = true;
  });

  var say = function (text) {
    if (!status) return;
    status.hidden = !text;
    status.textContent = text || "";
  };

  // Times in the viewer's time zone: a message shows HH:MM (the full time on hover), the list
  // shows HH:MM today, 昨天 yesterday, else the date; day lines (今天, 昨天, dates) split the
  // conversation. The server draws UTC times for a page without this script.
  var pad = function (n) {
    return (n < 10 ? "0" : "") + n;
  };
  var dayKey = function (d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  };
  var clock = function (d) {
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  };
  var zone = (function () {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  })();
  var full = function (d) {
    return dayKey(d) + " " + clock(d) + ":" + pad(d.getSeconds()) + (zone ? " (" + zone + ")" : "");
  };
  var dayLabel = function (d) {
    var today = new Date();
    var yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayKey(d) === dayKey(today)) return root.getAttribute("data-today") || dayKey(d);
    if (dayKey(d) === dayKey(yesterday)) return root.getAttribute("data-yesterday") || dayKey(d);
    try {
      var opts = { month: "long", day: "numeric", weekday: "short" };
      if (d.getFullYear() !== today.getFullYear()) opts.year = "numeric";
      return d.toLocaleDateString(document.documentElement.lang || undefined, opts);
    } catch (e) {
      return dayKey(d);
    }
  };
  var shortWhen = function (d) {
    var label = dayLabel(d);
    return label === root.getAttribute("data-today") ? clock(d) : label;
  };
  function localTimes(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("time[data-ms]"), function (t) {
      var ms = parseInt(t.getAttribute("data-ms"), 10);
      if (!ms) return;
      var d = new Date(ms);
      t.setAttribute("datetime", d.toISOString());
      t.title = full(d);
      t.textContent = t.classList.contains("when") ? shortWhen(d) : clock(d);
    });
  }

  // Unread conversations in the tab title: "(3) 聊天 · 旺商聊".
  var baseTitle = document.title;
  var unseen = 0;
  function tabTitle() {
    var n = unseen;
    Array.prototype.forEach.call(document.querySelectorAll("li.conversation:not(.current) .unread"), function (b) {
      if (!b.hidden) n += parseInt(b.textContent, 10) || 0;
    });
    document.title = n > 0 ? "(" + n + ") " + baseTitle : baseTitle;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      unseen = 0;
      tabTitle();
    }
  });

  // A browser notification for a message from someone else while the tab is hidden, once the
  // member allowed it (the button asks).
  var canNotify = "Notification" in window;
  function notifyButton() {
    if (!canNotify || Notification.permission !== "default") return;
    var head = document.querySelector(".list-head");
    if (!head) return;
    var b = el("button", "link notify", root.getAttribute("data-notify") || "");
    b.type = "button";
    b.id = "notify";
    b.addEventListener("click", function () {
      Notification.requestPermission().then(function () {
        b.remove();
      });
    });
    head.appendChild(b);
  }
  function notify(name, body, href) {
    if (!canNotify || Notification.permission !== "granted" || document.visibilityState === "visible") return;
    try {
      var n = new Notification((root.getAttribute("data-notify-title") || "").replace("{name}", name), { body: body });
      n.onclick = function () {
        window.focus();
        if (href) location.href = href;
      };
    } catch (e) {}
  }

  var stamp = function (iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : shortWhen(d);
  };

  // Files (static/files.js): the card of a message's file, and a file message's summary.
  var files = window.WangshangFiles || null;
  var summary = function (m) {
    return files ? files.summary(m) : m.body;
  };

  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  var schedule = function () {
    if (timer) return;
    var delay = Math.min(10000, 500 * Math.pow(2, retry));
    retry += 1;
    timer = window.setTimeout(connect, delay);
  };

  function connect() {
    timer = null;
    if (socket) return;
    // Offline, a connection attempt only fails: the "online" event reconnects.
    if (navigator.onLine === false) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/api/v1/stream?since=" + last);
    socket = ws;
    ws.onopen = function () {
      retry = 0;
      say("");
      root.setAttribute("data-live", "1");
    };
    ws.onmessage = function (ev) {
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      handle(f);
    };
    ws.onclose = function (ev) {
      if (socket === ws) socket = null;
      root.removeAttribute("data-live");
      // A form on its way (logging out revokes the session and closes the socket): let it go.
      if (leaving) return;
      if (ev.code === 4001) {
        location.href = "/login";
        return;
      }
      // 4008 (fell behind), a dropped network, a restarted server: resume from `last`.
      schedule();
    };
  }

  window.addEventListener("offline", function () {
    say(root.getAttribute("data-offline") || "");
    if (socket) {
      var s = socket;
      socket = null;
      s.close();
    }
  });
  window.addEventListener("online", function () {
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    retry = 0;
    connect();
  });

  function handle(f) {
    if (leaving || f.type === "hello") return;
    if (f.type === "resync") {
      location.reload();
      return;
    }
    if (f.type === "typing") {
      if (chat) onTyping(f);
      return;
    }
    if (typeof f.seq !== "number" || f.seq <= last) return;
    last = f.seq;
    if (chat) onChat(f);
    else onList(f);
  }

  // ---- The conversation list ----

  // `side`: the list beside an open conversation, which never reloads the page.
  function onList(f, side) {
    var data = f.data || {};
    if (f.type === "member.joined" || f.type === "member.left") {
      if (data.account_id === me && !side) location.reload();
      return;
    }
    var li = f.conversation_id ? document.getElementById("c-" + f.conversation_id) : null;
    if (!li) {
      if (f.type === "message.created" && !side) location.reload();
      return;
    }
    var m = f.message;
    var lastText = li.querySelector(".last");
    var badge = li.querySelector(".unread");
    if (f.type === "message.created" && m) {
      li.setAttribute("data-last-seq", String(m.seq));
      if (lastText) lastText.textContent = summary(m);
      var time = li.querySelector("time");
      if (time) {
        time.setAttribute("data-ms", String(Date.parse(m.sent_at)));
        time.textContent = stamp(m.sent_at);
      }
      if (m.sender_id !== me && badge && !li.classList.contains("current")) {
        badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
        badge.hidden = false;
        var name = li.querySelector(".name");
        notify(name ? name.textContent : "", summary(m), "/chat/" + encodeURIComponent(f.conversation_id));
      }
      if (li.parentNode && li.parentNode.firstElementChild !== li) {
        li.parentNode.insertBefore(li, li.parentNode.firstElementChild);
      }
    } else if ((f.type === "message.recalled" || f.type === "message.edited") && m) {
      if (lastText && String(m.seq) === li.getAttribute("data-last-seq")) {
        lastText.textContent = m.recalled ? root.getAttribute("data-recalled") : summary(m);
      }
    } else if (f.type === "read.updated" && data.account_id === me && badge) {
      var left = (parseInt(li.getAttribute("data-last-seq"), 10) || 0) - data.read_seq;
      var now = Math.min(parseInt(badge.textContent, 10) || 0, Math.max(0, left));
      badge.textContent = String(now);
      badge.hidden = now === 0;
    }
    tabTitle();
  }

  localTimes(document);
  notifyButton();
  tabTitle();
  if (!chat) {
    connect();
    return;
  }

  // ---- One conversation ----

  var cid = chat.getAttribute("data-conversation");
  var csrf = chat.getAttribute("data-csrf");
  var group = chat.getAttribute("data-group") === "true";
  var owner = chat.getAttribute("data-owner") === "true";
  var windowMs = parseInt(chat.getAttribute("data-window-ms") || "0", 10);
  var box = document.getElementById("messages");
  var composer = document.getElementById("composer");
  var text = (function (k) {
    return chat.getAttribute("data-" + k) || "";
  });

  var members = function () {
    return Array.prototype.slice.call(document.querySelectorAll("#members li.member"));
  };
  var nickname = function (id) {
    var found = members().filter(function (li) {
      return li.getAttribute("data-account") === id;
    })[0];
    var name = found && found.querySelector(".name");
    return name ? name.textContent : text("former");
  };

  function receipts() {
    var reads = members().map(function (li) {
      return [li.getAttribute("data-account"), parseInt(li.getAttribute("data-read-seq"), 10) || 0];
    });
    var mine = box.querySelectorAll("li.msg.mine:not(.recalled)");
    Array.prototype.forEach.call(mine, function (li) {
      var seq = parseInt(li.getAttribute("data-seq"), 10);
      var n = reads.filter(function (r) {
        return r[0] !== me && r[1] >= seq;
      }).length;
      var a = li.querySelector(".receipt");
      if (!a) return;
      a.textContent = group ? text("read-by").replace("{n}", String(n)) : n > 0 ? text("read") : text("unread");
      a.classList.toggle("read", n > 0);
    });
  }

  var form = function (action, label) {
    var f = el("form", "recall");
    f.method = "post";
    f.action = action;
    var c = el("input");
    c.type = "hidden";
    c.name = "csrf";
    c.value = csrf;
    var b = el("button", "link", label);
    b.type = "submit";
    f.appendChild(c);
    f.appendChild(b);
    return f;
  };

  // "Edit" on one's own message: a form in a <details>, like the one the server draws.
  var editor = function (action, body) {
    var d = el("details", "edit");
    d.appendChild(el("summary", "", text("edit")));
    var f = form(action, text("save"));
    f.className = "edit";
    var area = el("textarea");
    area.name = "body";
    area.rows = 2;
    area.maxLength = 4000;
    area.required = true;
    area.value = body;
    f.insertBefore(area, f.lastChild);
    d.appendChild(f);
    return d;
  };

  var scroller = document.getElementById("scroller");
  // Day lines and sender names: a day line before the first message of each day (in the
  // viewer's time zone), the sender's name only when it changes within a day.
  function layout() {
    Array.prototype.forEach.call(box.querySelectorAll("li.day"), function (d) {
      d.remove();
    });
    var prevDay = null;
    var prevSender = null;
    Array.prototype.forEach.call(box.querySelectorAll("li.msg"), function (li) {
      var ms = parseInt(li.getAttribute("data-sent-ms"), 10) || 0;
      var d = new Date(ms);
      var key = dayKey(d);
      var sender = li.getAttribute("data-sender");
      if (key !== prevDay) {
        var line = el("li", "day");
        line.appendChild(el("span", "", dayLabel(d)));
        box.insertBefore(line, li);
        prevSender = null;
      }
      var follows = sender === prevSender;
      li.classList.toggle("follows", follows);
      var who = li.querySelector(".who");
      if (who) who.hidden = follows || li.classList.contains("mine");
      prevDay = key;
      prevSender = sender;
    });
    localTimes(box);
  }

  function update(li, m) {
    var body = li.querySelector(".body");
    var edit = li.querySelector("details.edit");
    if (edit && m.recalled) edit.remove();
    else if (edit) {
      edit.open = false;
      edit.querySelector("textarea").value = m.body;
    }
    if (m.recalled) {
      li.classList.add("recalled");
      if (body) body.textContent = text("recalled");
      var r = li.querySelector("form.recall");
      if (r) r.remove();
      var rc = li.querySelector(".receipt");
      if (rc) rc.remove();
      var ed = li.querySelector(".edited");
      if (ed) ed.remove();
      var fc = li.querySelector(".file");
      if (fc) fc.remove();
      return;
    }
    if (body) body.textContent = m.body;
    if (m.edited_at && !li.querySelector(".edited")) {
      li.querySelector(".meta").appendChild(el("span", "edited", " " + text("edited")));
    }
  }

  function add(m) {
    var existing = document.getElementById("m-" + m.seq);
    if (existing) {
      update(existing, m);
      return;
    }
    // An older page of history shows no newer messages (that would leave a gap).
    if (chat.hasAttribute("data-before")) return;
    var mine = m.sender_id === me;
    var li = el("li", "msg" + (mine ? " mine" : ""));
    li.id = "m-" + m.seq;
    li.setAttribute("data-seq", String(m.seq));
    li.setAttribute("data-id", m.message_id);
    li.setAttribute("data-sender", m.sender_id);
    li.setAttribute("data-sent-ms", String(Date.parse(m.sent_at)));
    var meta = el("div", "meta");
    meta.appendChild(el("span", "who", nickname(m.sender_id)));
    meta.appendChild(document.createTextNode(" "));
    var time = el("time", "", "");
    time.setAttribute("data-ms", String(Date.parse(m.sent_at)));
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(el("p", "body", m.body));
    if (m.attachment && !m.recalled && files) li.appendChild(files.card(m.attachment));
    var base = "/chat/" + encodeURIComponent(cid) + "/messages/" + encodeURIComponent(m.message_id);
    if (mine) {
      var a = el("a", "receipt");
      a.href = base + "/receipts";
      li.appendChild(a);
    }
    var fresh = Date.now() - Date.parse(m.sent_at) < windowMs;
    if (mine && fresh) li.appendChild(editor(base + "/edit", m.body));
    if (owner || (mine && fresh)) li.appendChild(form(base + "/recall", text("recall")));
    // In seq order: after the last message with a lower seq.
    var after = null;
    Array.prototype.forEach.call(box.children, function (c) {
      if ((parseInt(c.getAttribute("data-seq"), 10) || 0) < m.seq) after = c;
    });
    var nearBottom =
      window.innerHeight + window.scrollY >= document.body.scrollHeight - 80 ||
      (scroller && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 80);
    // After a day line too: insert at the message's place among the messages only.
    if (after && after.nextSibling && after.nextSibling.classList && after.nextSibling.classList.contains("day")) {
      after = after.nextSibling;
    }
    box.insertBefore(li, after ? after.nextSibling : box.firstChild);
    if (m.recalled || m.edited_at) update(li, m);
    layout();
    receipts();
    if (!mine && document.visibilityState !== "visible") {
      unseen += 1;
      tabTitle();
      notify(nickname(m.sender_id), summary(m), null);
    }
    if (nearBottom || mine) li.scrollIntoView({ block: "end" });
  }

  function setRead(account, seq) {
    members().forEach(function (li) {
      if (li.getAttribute("data-account") !== account) return;
      var was = parseInt(li.getAttribute("data-read-seq"), 10) || 0;
      if (seq > was) li.setAttribute("data-read-seq", String(seq));
    });
    receipts();
  }

  var post = function (url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) {
      body.append(k, fields[k]);
    });
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json" },
      body: body,
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.message || String(r.status));
        return j;
      });
    });
  };

  var showError = function (message) {
    var p = document.getElementById("chat-error");
    if (!p) {
      p = el("p", "error");
      p.id = "chat-error";
      composer.parentNode.insertBefore(p, composer);
    }
    p.textContent = message;
    p.hidden = !message;
  };

  // Reads what is on screen: the newest message, when the page is visible.
  var reading = false;
  function markRead() {
    if (reading || document.visibilityState !== "visible" || navigator.onLine === false) return;
    var newest = box.lastElementChild;
    if (!newest) return;
    var seq = parseInt(newest.getAttribute("data-seq"), 10) || 0;
    var mineLi = members().filter(function (li) {
      return li.getAttribute("data-account") === me;
    })[0];
    var read = mineLi ? parseInt(mineLi.getAttribute("data-read-seq"), 10) || 0 : 0;
    if (seq <= read) return;
    reading = true;
    post("/chat/" + encodeURIComponent(cid) + "/read", { csrf: csrf, seq: String(seq) })
      .then(function (j) {
        setRead(me, j.read_seq);
      })
      .catch(function () {})
      .then(function () {
        reading = false;
      });
  }
  document.addEventListener("visibilitychange", markRead);

  function onChat(f) {
    // The list beside the conversation follows every conversation, this one too.
    onList(f, true);
    if (f.conversation_id !== cid) return;
    var data = f.data || {};
    if (f.type === "message.created" && f.message) {
      add(f.message);
      delete typers[f.message.sender_id];
      showTyping();
      markRead();
    } else if ((f.type === "message.edited" || f.type === "message.recalled") && f.message) {
      var li = document.getElementById("m-" + f.message.seq);
      if (li) update(li, f.message);
    } else if (f.type === "attachment.updated" && f.message && f.message.attachment && files) {
      // A verdict on a file: "being checked" becomes the file, or "blocked".
      var holder = document.getElementById("m-" + f.message.seq);
      var old = holder && holder.querySelector(".file");
      if (old) old.replaceWith(files.card(f.message.attachment));
    } else if (f.type === "read.updated") {
      setRead(data.account_id, data.read_seq);
    } else if (f.type === "member.left" && data.account_id === me) {
      location.href = "/chat";
    } else if (f.type === "member.joined" || f.type === "member.left") {
      location.reload();
    }
  }

  // Typing: the others' signals show under the conversation ("张三 正在输入…") for a few
  // seconds after the last one, or until their message arrives; this member's typing is told
  // over the socket, a few seconds apart while it goes on (the server passes it on).
  var TYPING_SHOWN_MS = 6000;
  var typingLine = document.getElementById("typing");
  var typers = {};
  var typingTimer = null;
  function showTyping() {
    if (!typingLine) return;
    var now = Date.now();
    var names = Object.keys(typers)
      .filter(function (a) {
        if (typers[a] > now) return true;
        delete typers[a];
        return false;
      })
      .map(nickname);
    typingLine.textContent =
      names.length === 0 ? "" : names.length === 1 ? text("typing").replace("{name}", names[0]) : text("typing-several");
    typingLine.hidden = names.length === 0;
    if (typingTimer) window.clearTimeout(typingTimer);
    typingTimer = names.length ? window.setTimeout(showTyping, 1000) : null;
  }
  function onTyping(f) {
    var who = (f.data || {}).account_id;
    if (f.conversation_id !== cid || !who || who === me) return;
    typers[who] = Date.now() + TYPING_SHOWN_MS;
    showTyping();
  }
  var typedAt = 0;
  var typed = function () {
    var now = Date.now();
    if (now - typedAt < TYPING_SHOWN_MS - 2000 || !socket || socket.readyState !== WebSocket.OPEN) return;
    typedAt = now;
    socket.send(JSON.stringify({ type: "typing", conversation_id: cid }));
  };

  // A fresh client_msg_id (app.js).
  var randomId = window.Wangshang.randomId;

  // Sending: the same form, posted with fetch. Its client_msg_id stays until the send succeeds,
  // so a retry after a failure cannot send the message twice.
  if (composer) {
    var area = composer.querySelector("textarea");
    var idField = composer.querySelector('input[name="client_msg_id"]');
    var button = composer.querySelector('button[type="submit"]');
    composer.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!area.value.trim()) return;
      button.disabled = true;
      var fields = { csrf: csrf, client_msg_id: idField.value, body: area.value };
      post(composer.action, fields)
        .then(function (m) {
          if (chat.hasAttribute("data-before")) {
            location.href = "/chat/" + encodeURIComponent(cid) + "#m-" + m.seq;
            return;
          }
          area.value = "";
          typedAt = 0;
          idField.value = randomId();
          showError("");
          add(m);
        })
        .catch(function (e) {
          showError(e.message);
        })
        .then(function () {
          button.disabled = false;
          area.focus();
        });
    });
    area.addEventListener("input", function () {
      if (area.value.trim()) typed();
    });
    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        composer.requestSubmit();
      }
    });
  }

  // Recall (撤回) and edit with fetch; the result comes back in the answer and over the stream.
  box.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (!f.classList || !(f.classList.contains("recall") || f.classList.contains("edit"))) return;
    ev.preventDefault();
    var fields = { csrf: csrf };
    var area = f.querySelector("textarea");
    if (area) fields.body = area.value;
    post(f.action, fields)
      .then(function (m) {
        var li = document.getElementById("m-" + m.seq);
        if (li) update(li, m);
      })
      .catch(function (e) {
        showError(e.message);
      });
  });

  // A file sent from this page shows at once (the stream brings it too; it is drawn once).
  if (files) {
    files.onSent = function (m) {
      if (chat.hasAttribute("data-before")) {
        location.href = "/chat/" + encodeURIComponent(cid) + "#m-" + m.seq;
        return;
      }
      add(m);
    };
  }

  layout();
  receipts();
  var end = box.lastElementChild;
  if (end && !location.hash) end.scrollIntoView({ block: "end" });
  markRead();
  connect();
})();
