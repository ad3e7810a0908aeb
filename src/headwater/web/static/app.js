// Headwater dashboard: the little behaviour HTMX does not cover. No inline script anywhere (see the CSP).
(function () {
  "use strict";
  // Forms that change something important ask first: <form data-confirm="Cancel this request?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // A session that expired while a page was polling: go to the login form instead of failing quietly.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail && event.detail.xhr && event.detail.xhr.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    }
  });
})();
