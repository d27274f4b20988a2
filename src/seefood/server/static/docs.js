// Starts Swagger UI on /docs (a file of its own: the content security policy allows no
// inline script).
window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
});
