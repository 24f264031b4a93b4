// The large-text, high-contrast display (适老化模式): one button switches
// it on the spot and remembers the choice in a cookie, so the server
// renders the next page the same way, and in localStorage, which brings
// the choice back should the cookie be gone. Without this script the
// button's form does the same through /display.
(function () {
  'use strict';
  var KEY = 'gk-display';
  var root = document.documentElement;

  function show(large) {
    root.classList.toggle('large', large);
    document.querySelectorAll('form.display-toggle').forEach(function (f) {
      var b = f.querySelector('button');
      var v = f.querySelector('input[name="large"]');
      if (b) { b.setAttribute('aria-pressed', large ? 'true' : 'false'); }
      if (v) { v.value = large ? '0' : '1'; }
    });
  }

  function store(large) {
    try { localStorage.setItem(KEY, large ? 'large' : 'normal'); } catch (e) { /* storage disabled */ }
  }

  function remember(large) {
    store(large);
    document.cookie = 'gk_display=' + (large ? 'large' : 'normal') + '; path=/; max-age=31536000; samesite=lax';
  }

  var cookie = /(?:^|;\s*)gk_display=(large|normal)/.exec(document.cookie);
  if (cookie) {
    // The page was rendered with the cookie's choice: only keep step.
    store(cookie[1] === 'large');
  } else {
    var stored = null;
    try { stored = localStorage.getItem(KEY); } catch (e) { /* storage disabled */ }
    if (stored === 'large') {
      show(true);
      remember(true);
    }
  }

  document.addEventListener('submit', function (ev) {
    var f = ev.target;
    if (!f.classList || !f.classList.contains('display-toggle')) { return; }
    ev.preventDefault();
    var large = !root.classList.contains('large');
    show(large);
    remember(large);
  });
})();
