// Wangshang files in a conversation: the file cards of messages that arrive live, sending files
// (the attach button, drag and drop, pasted screenshots) one after another with progress, and a
// picture viewer. Loaded with `defer` before chat.js, which shows what is sent.
//
// - The server decides everything: the type (from the content), the size limit (the page carries
//   it and the domain's wording, to spare sending a file that would be refused), who may see a
//   file. Files are fetched from /chat/files/…, which answers "attachment" for anything but a
//   picture and never a type a browser would run.
// - File names only ever go in through textContent and attributes, never as HTML.
// - Without this script the attach form posts on its own and the page redraws.
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  var root = chat || document.getElementById("conversations");
  var text = function (k) {
    return (root && root.getAttribute("data-" + k)) || "";
  };
  var el = function (tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  };

  // The same units as the server's cards (web/files.rs `size_text`).
  function sizeText(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var v = Math.max(0, bytes || 0);
    var u = 0;
    while (v >= 1024 && u + 1 < units.length) {
      v /= 1024;
      u += 1;
    }
    if (u === 0) return bytes + " B";
    return (v < 10 ? v.toFixed(1) : v.toFixed(0)) + " " + units[u];
  }

  function extension(name) {
    var i = name.lastIndexOf(".");
    var e = i >= 0 ? name.slice(i + 1) : "";
    return e.length > 0 && e.length <= 5 && /^[\p{L}\p{N}]+$/u.test(e) ? e.toUpperCase() : "";
  }

  // The card of a message's file, as chat_file.html draws it.
  function card(a) {
    var href = "/chat/files/" + encodeURIComponent(a.file_id);
    var box = el("div", "file");
    box.setAttribute("data-file", a.file_id);
    box.setAttribute("data-status", a.status);
    var line = function (cls, tag, sizeLine) {
      var c = el(tag, "file-card" + (cls ? " " + cls : ""));
      if (cls !== "blocked") {
        var icon = el("span", "file-icon", extension(a.name));
        icon.setAttribute("aria-hidden", "true");
        c.appendChild(icon);
      }
      var t = el("span", "file-text");
      t.appendChild(el("span", "file-name", a.name));
      t.appendChild(el("span", "file-size", sizeLine));
      c.appendChild(t);
      return c;
    };
    if (a.status === "ready") {
      if (a.thumbnail) {
        var p = el("a", "preview");
        p.href = href;
        p.target = "_blank";
        p.rel = "noopener";
        var img = el("img");
        var w = a.width || 240;
        var h = a.height || 240;
        var scale = Math.min(1, 240 / Math.max(w, h, 1));
        img.width = Math.max(1, Math.round(w * scale));
        img.height = Math.max(1, Math.round(h * scale));
        img.alt = a.name;
        img.loading = "lazy";
        img.src = href + "/thumbnail";
        p.appendChild(img);
        box.appendChild(p);
      }
      var c = line("", "a", sizeText(a.size));
      c.href = href;
      c.setAttribute("download", a.name);
      c.title = text("file-download");
      box.appendChild(c);
    } else if (a.status === "scanning") {
      box.appendChild(line("checking", "p", text("file-checking")));
    } else {
      box.appendChild(line("blocked", "p", text("file-blocked")));
    }
    return box;
  }

  // A message's one-line summary in the conversation list: "[File] name" without a caption.
  function summary(m) {
    if (m.body || !m.attachment || m.recalled) return m.body;
    return text("file-summary").replace("{name}", m.attachment.name);
  }

  var api = { card: card, summary: summary, onSent: null };
  window.WangshangFiles = api;

  var form = document.getElementById("upload");
  if (!chat || !form || !window.FormData || !window.XMLHttpRequest) return;
  form.classList.add("js");
  var input = document.getElementById("file-input");
  var original = form.querySelector('input[name="original"]');
  var csrf = form.querySelector('input[name="csrf"]').value;
  var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10) || 0;
  var statusLine = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var statusText = statusLine ? statusLine.querySelector("span") : null;
  input.multiple = true;
  input.required = false;

  var say = function (message, isError, percent) {
    if (!statusLine) return;
    statusLine.hidden = !message;
    statusLine.classList.toggle("error", !!isError);
    if (bar) {
      bar.hidden = percent === undefined;
      bar.value = percent || 0;
    }
    if (statusText) statusText.textContent = message || "";
  };

  // A fresh client_msg_id (app.js).
  var randomId = window.Wangshang.randomId;

  // Files go one at a time, in the order they were picked, dropped or pasted.
  var queue = [];
  var busy = false;

  function next() {
    if (busy) return;
    var file = queue.shift();
    if (!file) return;
    if (maxBytes && file.size > maxBytes) {
      say(form.getAttribute("data-too-large") || "", true);
      next();
      return;
    }
    busy = true;
    var name = file.name || "image.png";
    var progress = function (percent) {
      say(text("file-uploading").replace("{name}", name).replace("{percent}", String(percent)), false, percent);
    };
    progress(0);
    var body = new FormData();
    // The CSRF field first: the server checks it before reading the file.
    body.append("csrf", csrf);
    body.append("client_msg_id", randomId());
    if (original && original.checked) body.append("original", "1");
    body.append("file", file, name);
    var x = new XMLHttpRequest();
    x.open("POST", form.action);
    x.setRequestHeader("Accept", "application/json");
    x.upload.onprogress = function (ev) {
      if (ev.lengthComputable) progress(Math.floor((ev.loaded / ev.total) * 100));
    };
    var done = function (message) {
      busy = false;
      say(message, !!message);
      next();
    };
    x.onload = function () {
      var j = null;
      try {
        j = JSON.parse(x.responseText);
      } catch (e) {}
      if (x.status >= 200 && x.status < 300 && j) {
        if (api.onSent) api.onSent(j);
        done("");
      } else {
        done((j && j.message) || text("file-failed"));
      }
    };
    x.onerror = function () {
      done(text("file-failed"));
    };
    x.send(body);
  }

  var send = function (files) {
    Array.prototype.forEach.call(files, function (f) {
      queue.push(f);
    });
    next();
  };

  input.addEventListener("change", function () {
    if (input.files && input.files.length) send(input.files);
    input.value = "";
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    input.click();
  });

  // Pasted screenshots (and copied files) go as files; pasted text stays text.
  var area = document.querySelector("#composer textarea");
  if (area) {
    area.addEventListener("paste", function (ev) {
      var files = ev.clipboardData && ev.clipboardData.files;
      if (!files || !files.length) return;
      ev.preventDefault();
      send(files);
    });
  }

  // Drag and drop onto the conversation.
  var hint = document.getElementById("drop-hint");
  var depth = 0;
  var carriesFiles = function (ev) {
    var types = ev.dataTransfer && ev.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  };
  chat.addEventListener("dragenter", function (ev) {
    if (!carriesFiles(ev)) return;
    ev.preventDefault();
    depth += 1;
    if (hint) hint.hidden = false;
  });
  chat.addEventListener("dragover", function (ev) {
    if (!carriesFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
  });
  chat.addEventListener("dragleave", function () {
    depth = Math.max(0, depth - 1);
    if (depth === 0 && hint) hint.hidden = true;
  });
  chat.addEventListener("drop", function (ev) {
    if (!carriesFiles(ev)) return;
    ev.preventDefault();
    depth = 0;
    if (hint) hint.hidden = true;
    send(ev.dataTransfer.files);
  });

  // Pictures open in a viewer over the conversation; without it, the link opens the picture.
  var viewer = document.getElementById("viewer");
  var viewerImage = document.getElementById("viewer-image");
  var viewerDownload = document.getElementById("viewer-download");
  if (viewer && typeof viewer.showModal === "function") {
    document.getElementById("messages").addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a.preview") : null;
      if (!a) return;
      ev.preventDefault();
      var img = a.querySelector("img");
      viewerImage.src = a.getAttribute("href");
      viewerImage.alt = img ? img.alt : "";
      viewerDownload.href = a.getAttribute("href");
      viewerDownload.setAttribute("download", img ? img.alt : "");
      viewer.showModal();
    });
    viewer.addEventListener("click", function (ev) {
      if (ev.target === viewer) viewer.close();
    });
  }
})();
