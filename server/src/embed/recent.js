/*
 * Clinicpress: a clinic's newest articles, put right after this script tag.
 *
 *   <script src="https://CLINIC-HOST/embed/recent.js?limit=5&category=SLUG" async></script>
 *
 * limit: 1 to 20 (default 5); category: optional, a category's slug.
 * One request for the list (/embed/recent.json, no cookies, no referrer);
 * no cookies, storage or tracking. Every text from the server is set with
 * textContent, and only http(s) links are kept.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !script.parentNode || !window.fetch || !window.URL) return;

  var src = new URL(script.src, document.baseURI);
  var api = new URL("/embed/recent.json", src);
  ["limit", "category"].forEach(function (name) {
    var value = src.searchParams.get(name);
    if (value) api.searchParams.set(name, value);
  });

  var n = document.querySelectorAll(".clinicpress-recent").length + 1;
  var box = document.createElement("section");
  box.className = "clinicpress-recent";
  box.setAttribute("aria-busy", "true");
  script.parentNode.insertBefore(box, script.nextSibling);

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = String(text);
    return e;
  }

  function httpUrl(value) {
    try {
      var u = new URL(String(value), src);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, text) {
    var a = el("a", null, text);
    var url = httpUrl(href);
    if (url) a.href = url;
    return a;
  }

  function done() {
    box.removeAttribute("aria-busy");
  }

  function fail(message) {
    box.textContent = "";
    box.appendChild(el("p", "clinicpress-recent-message", message));
    done();
  }

  function render(data) {
    var id = "clinicpress-recent-" + n;
    var heading = el("h2", "clinicpress-recent-title");
    heading.id = id;
    heading.appendChild(link(data.url, data.title));
    box.setAttribute("aria-labelledby", id);
    box.textContent = "";
    box.appendChild(heading);
    var items = Array.isArray(data.items) ? data.items : [];
    if (!items.length) {
      box.appendChild(el("p", "clinicpress-recent-message", "No articles yet."));
    } else {
      var list = el("ul", "clinicpress-recent-list");
      items.forEach(function (item) {
        var li = el("li", "clinicpress-recent-item");
        li.appendChild(link(item.url, item.title));
        var meta = el("p", "clinicpress-recent-meta");
        var time = el("time", null, item.date);
        time.setAttribute("datetime", String(item.published_at || ""));
        meta.appendChild(time);
        if (item.category) meta.appendChild(document.createTextNode(" · " + item.category));
        li.appendChild(meta);
        if (item.excerpt) li.appendChild(el("p", "clinicpress-recent-excerpt", item.excerpt));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    if (/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(String(data.brand))) {
      box.style.borderTop = "4px solid " + data.brand;
    }
    done();
  }

  var failed = "The articles could not be loaded.";
  fetch(api.href, { credentials: "omit", mode: "cors", referrerPolicy: "no-referrer" })
    .then(function (res) {
      return res.json().then(function (data) {
        if (res.ok && data) render(data);
        else fail(data && data.error ? String(data.error) : failed);
      });
    })
    .catch(function () {
      fail(failed);
    });
})();
