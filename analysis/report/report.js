/* The report's only script: before a table or figure wider than the screen (a .hscroll box that
   scrolls sideways) it shows a "scroll sideways" cue, and marks the box "scrolled" once moved (a
   shadow then edges the sticky first column). Without the script the report reads the same; the
   edge shadow of report.css still says there is more to the right. */
(function () {
  function mark() {
    document.querySelectorAll(".hscroll").forEach(function (box) {
      var more = box.scrollWidth > box.clientWidth + 1;
      var cue = box.previousElementSibling;
      if (!(cue && cue.classList.contains("cue"))) {
        if (!more) return;
        cue = document.createElement("p");
        cue.className = "cue";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = "Wider than the screen: scroll sideways for the rest \u2192";
        box.parentNode.insertBefore(cue, box);
      }
      cue.hidden = !more;
    });
  }
  document.querySelectorAll(".hscroll").forEach(function (box) {
    box.addEventListener("scroll", function () {
      box.classList.toggle("scrolled", box.scrollLeft > 0);
    }, { passive: true });
  });
  mark();
  window.addEventListener("resize", mark);
  window.addEventListener("load", mark);
})();
