// The console works without scripts; these only make it nicer: the rich-text
// editor over the body's text area, the return-reason templates, and a
// confirmation before irreversible actions.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var area = document.querySelector("textarea[data-editor]");
    if (area && window.Jodit) {
      window.Jodit.make(area, {
        language: "zh_cn",
        height: 480,
        toolbarAdaptive: true,
        askBeforePasteHTML: false,
        askBeforePasteFromWord: false,
        defaultActionOnPaste: "insert_clear_html",
        buttons: "bold,italic,underline,|,ul,ol,|,paragraph,align,indent,outdent,|,table,link,|,undo,redo,|,source",
        uploader: { insertImageAsBase64URI: false },
        showXPathInStatusbar: false,
        showPlaceholder: false
      });
    }
    document.querySelectorAll("select[data-fill]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var target = document.getElementById(sel.getAttribute("data-fill"));
        if (target && sel.value) { target.value = sel.value; target.focus(); }
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
  });
})();
