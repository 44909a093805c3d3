// The Start / Start again buttons (no inline handlers: the page's Content-Security-Policy forbids them).
// textual.js does the rest; it also reads ?ping=URL, which the policy keeps to this server.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.restart")) {
    button.addEventListener("click", () => {
      const url = new URL(window.location.href);
      url.searchParams.delete("delay");
      url.searchParams.delete("ping");
      window.location.href = url.pathname + (url.search || "");
    });
  }
});
