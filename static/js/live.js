/* 社区集市 live updates: our own small script, no framework, no CDN.
 * - /ws/notifications/ for a logged-in person: the unread badge and a polite announcement;
 * - /ws/communities/<id>/tasks/ (or /ws/tasks/) on the task board and task pages: slot counts and
 *   statuses change in place, new tasks appear.
 * Sockets reconnect with exponential backoff (1 s doubling to 30 s, with jitter). */
(function () {
  "use strict";
  var scheme = location.protocol === "https:" ? "wss:" : "ws:";
  var FINAL = { 4401: true, 4404: true };

  function connect(path, onMessage, onOpen) {
    var delay = 1000;
    function open() {
      var socket = new WebSocket(scheme + "//" + location.host + path);
      socket.onopen = function () { delay = 1000; if (onOpen) { onOpen(socket); } };
      socket.onmessage = function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        onMessage(data);
      };
      socket.onclose = function (event) {
        if (FINAL[event.code]) { return; }
        setTimeout(open, delay + Math.random() * 500);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
  }

  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region) { return; }
    region.textContent = text;
    region.hidden = false;
    clearTimeout(announce.timer);
    announce.timer = setTimeout(function () { region.hidden = true; }, 8000);
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return {}; }
    try { return JSON.parse(node.textContent); } catch (e) { return {}; }
  }

  var body = document.body;

  if (body.dataset.user) {
    // Catching up (issue #27): a push lost while Redis was away or the socket was reconnecting is
    // asked for again, on every (re)connection and every half minute, by the last id seen.
    var lastId = null;
    var catchUpTimer = null;
    var seen = {};
    function catchUp(socket) {
      if (socket.readyState !== 1) { clearInterval(catchUpTimer); return; }
      socket.send(JSON.stringify({ type: "catch_up", since: lastId }));
    }
    connect("/ws/notifications/", function (msg) {
      if (msg.type === "caught_up") {
        if (lastId === null || msg.last_id > lastId) { lastId = msg.last_id; }
        return;
      }
      if (msg.type !== "notification") { return; }
      if (seen[msg.id]) { return; }  // heard already (pushed, then caught up)
      seen[msg.id] = true;
      if (lastId === null || msg.id > lastId) { lastId = msg.id; }
      var badge = document.querySelector("[data-unread]");
      if (badge) {
        var count = (parseInt(badge.textContent, 10) || 0) + 1;
        badge.textContent = String(count);
        badge.hidden = false;
      }
      announce(msg.message);
      // A notice about the page being read (a waiting-list place turned into a claim, a claim
      // verified): its live parts are fetched again and swapped in, without a reload.
      if (msg.url && msg.url.split("?")[0] === location.pathname) { refreshParts(); }
    }, function (socket) {
      clearInterval(catchUpTimer);
      catchUp(socket);
      catchUpTimer = setInterval(function () { catchUp(socket); }, 30000);
    });
  }

  function refreshParts() {
    var parts = document.querySelectorAll("[data-live-part][id]");
    if (!parts.length) { return; }
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        // The message of the last action ("you joined the waiting list") no longer holds.
        document.querySelectorAll("main .messages").forEach(function (m) { m.parentNode.remove(); });
        parts.forEach(function (old) {
          var part = fresh.getElementById(old.id);
          if (!part) { return; }
          old.replaceWith(part);
          part.classList.add("just-changed");
          setTimeout(function () { part.classList.remove("just-changed"); }, 1500);
        });
      })
      .catch(function () { /* offline: the notice was announced; the next load shows it */ });
  }

  var board = body.dataset.board;
  if (board) {
    var labels = readJSON("task-status-labels");
    connect(board === "all" ? "/ws/tasks/" : "/ws/communities/" + board + "/tasks/", function (msg) {
      if (msg.type !== "task") { return; }
      var task = msg.task;
      var cards = document.querySelectorAll("[data-task-id='" + task.id + "']");
      if (cards.length) {
        cards.forEach(function (card) {
          var slots = card.querySelector("[data-slots-template]");
          if (slots) {
            slots.textContent = slots.dataset.slotsTemplate
              .replace("{free}", String(task.slots_free)).replace("{total}", String(task.slots));
          }
          var status = card.querySelector("[data-status]");
          if (status) {
            status.textContent = labels[task.status] || task.status;
            status.className = "badge status-" + task.status;
          }
          card.classList.add("just-changed");
          setTimeout(function () { card.classList.remove("just-changed"); }, 1500);
        });
      } else if (msg.event === "created") {
        var list = document.getElementById("task-list");
        if (!list) { return; }
        fetch("/tasks/" + task.id + "/card/", { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) {
            if (!html) { return; }
            var empty = list.querySelector(".empty");
            if (empty) { empty.remove(); }
            list.insertAdjacentHTML("afterbegin", html);
          });
      }
    });
  }
})();
