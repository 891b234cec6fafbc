/* Injected by test_report_browser.py at the end of report.html: once the page has loaded,
   measures its layout at the window's width and writes the findings as JSON into a script
   element of type application/json and id layout-measure, which `chromium --dump-dom` prints. */
window.addEventListener("load", function () {
  var W = document.documentElement.clientWidth;
  var frame = window.frameElement;
  var out = { study: frame ? frame.getAttribute("data-study") : null, width: W, page_width: document.documentElement.scrollWidth, overflow: [],
              captions: 0, captions_cut: [], no_cue: [], scrolling: [], small_figures: [],
              figures: 0, tables_with_caption_inside: [] };
  function name(el) {
    var id = el.id ? "#" + el.id : "";
    var cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
    var holder = el.closest("[id]");
    var where = holder && holder !== el ? " in #" + holder.id : "";
    return el.tagName.toLowerCase() + id + cls + where + ' "' + (el.textContent || "").trim().slice(0, 50) + '"';
  }
  function clippers(el) {  // ancestors that clip sideways (scroll boxes)
    var list = [];
    for (var a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") list.push(a);
    }
    return list;
  }
  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }
  document.body.querySelectorAll("*").forEach(function (el) {
    if (el.tagName === "SCRIPT" || !shown(el)) return;
    var r = el.getBoundingClientRect();
    if ((r.right > W + 0.5 || r.left < -0.5) && clippers(el).length === 0) {
      out.overflow.push(name(el) + " spans x " + r.left.toFixed(0) + ".." + r.right.toFixed(0));
    }
  });
  document.querySelectorAll("table").forEach(function (t) {
    if (t.querySelector("caption")) out.tables_with_caption_inside.push(name(t));
  });
  document.querySelectorAll("p.tcap, figcaption, caption").forEach(function (cap) {
    out.captions += 1;
    var r = cap.getBoundingClientRect();
    var cut = r.left < -0.5 || r.right > W + 0.5 || cap.scrollWidth > cap.clientWidth + 1;
    clippers(cap).forEach(function (box) {
      var b = box.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5) cut = true;
    });
    if (cut || !shown(cap)) out.captions_cut.push(name(cap));
  });
  document.querySelectorAll(".hscroll").forEach(function (box) {
    if (box.scrollWidth <= box.clientWidth + 1) return;
    var holder = box.closest("[id]");
    out.scrolling.push(holder ? holder.id : name(box));
    var cue = box.previousElementSibling;
    var ok = cue && cue.classList.contains("cue") && shown(cue);
    if (ok) {
      var c = cue.getBoundingClientRect();
      ok = c.left >= -0.5 && c.right <= W + 0.5;
    }
    if (!ok) out.no_cue.push(name(box));
  });
  document.querySelectorAll("figure img").forEach(function (img) {
    out.figures += 1;
    var natural = Number(img.getAttribute("width"));
    var shownW = img.getBoundingClientRect().width;
    if (!natural || shownW < natural * 0.98) {
      out.small_figures.push(name(img) + " drawn " + shownW.toFixed(0) + " px of " + natural);
    }
  });
  var tag = document.createElement("script");
  tag.type = "application/json";
  tag.id = "layout-measure";
  tag.textContent = JSON.stringify(out).replace(/</g, "\\u003c");
  // in the iframe of the test's host page (a window cannot be narrower than 500 px), the
  // findings go to the host page, the document --dump-dom prints
  (window.parent !== window ? window.parent.document.body : document.body).appendChild(tag);
});
