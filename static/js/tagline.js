// Small behaviours shared by every page. Page-specific scripts live beside their templates.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const box = document.getElementById("htmx-error");
  if (box) {
    box.textContent = status === 409
      ? "Someone else saved this first. Reload to see their version."
      : `The server answered ${status}. Your last change was not saved.`;
    box.hidden = false;
  }
});
