// duty-tui's page script, loaded before textual.js.
// textual.js fetches any URL given as ?ping=URL before it connects: a link could make the page call
// another host. The Content-Security-Policy blocks that fetch (and with it the session); dropping the
// parameter here, before textual.js reads the address, keeps the page working with nothing sent.
(() => {
  const url = new URL(window.location.href);
  if (url.searchParams.has("ping")) {
    url.searchParams.delete("ping");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
})();

// The Start / Start again buttons (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.restart")) {
    button.addEventListener("click", () => {
      const url = new URL(window.location.href);
      url.searchParams.delete("delay");
      window.location.href = url.pathname + url.search;
    });
  }
});
