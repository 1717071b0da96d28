// The tag page: autosave through htmx, anchors on hover/focus, keyboard shortcuts, evidence pins,
// time spent. The server stays the judge of every value; this script only drives the form.
(() => {
  "use strict";
  const form = document.getElementById("tag-form");
  if (!form) return;
  const strings = JSON.parse(document.getElementById("tag-strings")?.textContent || "{}");
  const editable = form.dataset.editable === "1";
  const player = document.getElementById("player");
  const evidenceInput = document.getElementById("evidence-input");
  const secondsInput = document.getElementById("seconds-input");
  const dims = Array.from(form.querySelectorAll("fieldset.dim[data-slug]"));
  let current = dims[0] || null; // the field the keyboard acts on

  const clock = (s) => {
    const t = Math.max(0, Math.floor(Number(s) || 0));
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(Math.floor(t / 3600))}:${pad(Math.floor((t % 3600) / 60))}:${pad(t % 60)}`;
  };
  const parseClock = (text) => {
    const parts = String(text || "").trim().split(":").map(Number);
    if (!parts.length || parts.some((n) => !Number.isFinite(n) || n < 0)) return null;
    return parts.reduce((acc, n) => acc * 60 + n, 0);
  };

  // --- current field -------------------------------------------------------------------------
  const setCurrent = (dim) => {
    if (!dim) return;
    dims.forEach((d) => d.classList.toggle("is-current", d === dim));
    current = dim;
  };
  form.addEventListener("focusin", (e) => setCurrent(e.target.closest("fieldset.dim[data-slug]")));
  form.addEventListener("pointerdown", (e) => setCurrent(e.target.closest("fieldset.dim[data-slug]")));
  const move = (step) => {
    const i = Math.max(0, dims.indexOf(current));
    const next = dims[Math.min(dims.length - 1, Math.max(0, i + step))];
    setCurrent(next);
    const target = next.querySelector("input:checked") || next.querySelector("input") || next;
    target.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };

  // --- hints: the anchor of the hovered / focused / selected option --------------------------
  const hintBox = (dim) => dim.querySelector(".hint");
  const selectedHint = (dim) => {
    const checked = Array.from(dim.querySelectorAll(".opt-input:checked"));
    if (dim.dataset.kind === "ordinal" && checked.length) return checked[0].dataset.hint;
    return null;
  };
  const showHint = (dim, text) => {
    const box = hintBox(dim);
    if (!box) return;
    if (text) {
      const [head, ...rest] = text.split(" — ");
      box.innerHTML = "";
      const strong = document.createElement("strong");
      strong.textContent = head;
      box.append(strong, rest.length ? ` — ${rest.join(" — ")}` : "");
    } else {
      box.textContent = "";
    }
  };
  const restoreHint = (dim) => showHint(dim, selectedHint(dim));
  dims.forEach((dim) => {
    dim.querySelectorAll(".opt-input").forEach((input) => {
      const label = dim.querySelector(`label[for="${input.id}"]`);
      const show = () => showHint(dim, input.dataset.hint);
      label?.addEventListener("mouseenter", show);
      label?.addEventListener("mouseleave", () => restoreHint(dim));
      input.addEventListener("focus", show);
      input.addEventListener("blur", () => restoreHint(dim));
    });
    dim.querySelectorAll(".anchor-row").forEach((row) => row.classList.remove("is-selected"));
  });
  const markAnchors = (dim) => {
    const checked = dim.querySelector(".opt-input:checked");
    dim.querySelectorAll(".anchor-row").forEach((row, i) => {
      row.classList.toggle("is-selected", !!checked && String(i) === checked.value);
    });
  };
  dims.forEach(markAnchors);

  // --- evidence pins --------------------------------------------------------------------------
  let evidence = {};
  try { evidence = JSON.parse(evidenceInput.value || "{}") || {}; } catch { evidence = {}; }
  const currentValue = (dim) => {
    const checked = Array.from(dim.querySelectorAll(".opt-input:checked")).map((i) => i.value);
    if (!checked.length) return null;
    if (dim.dataset.kind === "ordinal") return Number(checked[0]);
    if (dim.dataset.kind === "boolean") return checked[0] === "true";
    return checked.join(",").slice(0, 64);
  };
  const renderPins = (dim) => {
    const list = dim.querySelector(".pins");
    if (!list) return;
    list.innerHTML = "";
    (evidence[dim.dataset.slug] || []).forEach((pin, index) => {
      const li = document.createElement("li");
      li.className = "chip pin";
      const text = document.createElement("span");
      text.textContent = `${dim.dataset.label} ${pin.value ?? ""} @ `;
      const time = document.createElement("button");
      time.type = "button";
      time.className = "pin-time mono";
      time.textContent = clock(pin.seconds);
      time.title = player ? "Seek" : "";
      time.addEventListener("click", () => { if (player) { player.currentTime = pin.seconds; player.focus(); } });
      li.append(text, time);
      if (editable) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "pin-remove";
        remove.setAttribute("aria-label", strings.removePin || "Remove pin");
        remove.textContent = "×";
        remove.addEventListener("click", () => {
          evidence[dim.dataset.slug].splice(index, 1);
          if (!evidence[dim.dataset.slug].length) delete evidence[dim.dataset.slug];
          evidenceChanged(dim);
        });
        li.append(remove);
      }
      list.append(li);
    });
  };
  const evidenceChanged = (dim) => {
    evidenceInput.value = JSON.stringify(evidence);
    renderPins(dim);
    markDirty();
  };
  const pin = (dim) => {
    if (!dim || !editable) return;
    let seconds = player ? player.currentTime : parseClock(window.prompt(strings.pinPrompt || "Time (hh:mm:ss):", "00:00:00"));
    if (seconds === null || !Number.isFinite(seconds)) return;
    seconds = Math.round(seconds * 100) / 100;
    const slug = dim.dataset.slug;
    evidence[slug] = [...(evidence[slug] || []), { value: currentValue(dim), seconds }].slice(-50);
    evidenceChanged(dim);
  };
  dims.forEach(renderPins);
  form.querySelectorAll(".pin-btn").forEach((btn) =>
    btn.addEventListener("click", () => pin(btn.closest("fieldset.dim"))));
  form.querySelectorAll(".clear-btn").forEach((btn) =>
    btn.addEventListener("click", () => {
      const dim = btn.closest("fieldset.dim");
      dim.querySelectorAll(".opt-input").forEach((i) => { i.checked = false; });
      dim.dispatchEvent(new Event("change", { bubbles: true }));
    }));
  if (player) {
    const out = document.getElementById("player-time");
    player.addEventListener("timeupdate", () => { out.textContent = clock(player.currentTime); });
  }

  // --- time spent -----------------------------------------------------------------------------
  const base = Number(secondsInput.value) || 0;
  let visibleSeconds = 0;
  const spentOut = document.getElementById("time-spent");
  const showSpent = () => {
    const t = base + visibleSeconds;
    spentOut.textContent = t >= 3600 ? clock(t) : `${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")}`;
  };
  showSpent();
  if (editable) {
    setInterval(() => {
      if (document.visibilityState !== "visible") return;
      visibleSeconds += 1;
      secondsInput.value = String(base + visibleSeconds);
      showSpent();
      if (visibleSeconds % 60 === 0) markDirty();
    }, 1000);
  }

  // --- autosave -------------------------------------------------------------------------------
  // One save in flight at a time: the next one must carry the version the previous one returned.
  let dirty = false;
  let saving = false;
  let debounce = null;
  const stateBox = () => document.getElementById("save-state");
  const save = () => {
    if (!editable || saving || !dirty) return;
    if (stateBox()?.classList.contains("save-conflict")) return; // reload first; never overwrite
    saving = true;
    dirty = false;
    stateBox()?.classList.add("save-busy");
    htmx.trigger(form, "autosave");
  };
  function markDirty() {
    if (!editable) return;
    dirty = true;
    stateBox()?.classList.add("save-dirty");
    clearTimeout(debounce);
    debounce = setTimeout(save, 700);
  }
  form.addEventListener("change", (e) => {
    const dim = e.target.closest("fieldset.dim[data-slug]");
    if (dim) { markAnchors(dim); restoreHint(dim); }
    markDirty();
  });
  form.addEventListener("input", (e) => { if (e.target.tagName === "TEXTAREA") markDirty(); });
  // htmx swaps the save-state partial on 400/409 too: those answers are the message to show.
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    if (status === 400 || status === 409) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  document.body.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt !== form) return;
    saving = false;
    if (!e.detail.successful && ![400, 409].includes(e.detail.xhr.status)) dirty = true; // retry later
    if (dirty) { clearTimeout(debounce); debounce = setTimeout(save, 700); }
  });
  setInterval(save, 5000); // every few seconds, whatever is pending
  window.addEventListener("beforeunload", (e) => {
    if (dirty || saving) { save(); e.preventDefault(); }
  });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(); });

  // --- submit ---------------------------------------------------------------------------------
  form.addEventListener("submit", (e) => {
    if (!window.confirm(strings.confirmSubmit || "Submit?")) { e.preventDefault(); return; }
    dirty = false; // the submit posts everything on screen
  });

  // --- keyboard -------------------------------------------------------------------------------
  const help = document.getElementById("help-dialog");
  document.querySelectorAll("[data-help-open]").forEach((b) => b.addEventListener("click", () => help.showModal()));
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const typing = t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && !["radio", "checkbox"].includes(t.type)) || t.tagName === "SELECT";
    if (typing) return;
    if (e.key === "?") { e.preventDefault(); help.open ? help.close() : help.showModal(); return; }
    if (help.open) return;
    if (e.key === "j") { e.preventDefault(); move(1); return; }
    if (e.key === "k") { e.preventDefault(); move(-1); return; }
    if (!editable) return;
    if (/^[0-5]$/.test(e.key) && current && current.dataset.kind === "ordinal") {
      const input = current.querySelector(`.opt-input[value="${e.key}"]`);
      if (input) {
        e.preventDefault();
        input.checked = true;
        input.focus({ preventScroll: true });
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    if (e.key === "p") { e.preventDefault(); pin(current); return; }
    if (e.key === "s") { e.preventDefault(); form.requestSubmit(); }
  });
})();
