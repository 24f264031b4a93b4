// The console works without scripts; these only make it nicer: the rich-text
// editor over the body's text area, the return-reason templates, and a
// confirmation before irreversible actions.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var area = document.querySelector("textarea[data-editor]");
    if (area && window.Jodit) {
      var editor = window.Jodit.make(area, {
        tabIndex: 0,
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
      // The label names the hidden text area; give the editing area itself
      // its role, name and description, and let the label focus it.
      var box = editor.editor;
      var label = document.querySelector('label[for="' + area.id + '"]');
      box.setAttribute("role", "textbox");
      box.setAttribute("aria-multiline", "true");
      if (label && label.id) { box.setAttribute("aria-labelledby", label.id); }
      if (area.getAttribute("aria-describedby")) { box.setAttribute("aria-describedby", area.getAttribute("aria-describedby")); }
      if (label) {
        label.addEventListener("click", function (ev) { ev.preventDefault(); editor.s.focus(); });
      }
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
