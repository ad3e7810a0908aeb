// Starts Swagger UI on the API document of this server. "Try it out" runs with the browser's session;
// changes then carry the page's CSRF token, exactly as the dashboard's own forms do.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    requestInterceptor: function (request) {
      if (csrf && request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRF-Token"] = csrf.getAttribute("content");
      }
      return request;
    },
  });
})();
