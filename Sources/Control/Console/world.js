// World panel: what the patient's world is made of right now (live values with units, and who
// holds each one), a control per parameter built from the environment's definition (the welcome's
// `environment`), and one button per event the environment has. Every change goes to the session's
// engine like the level slider does: a refused rise offers Confirm (console.js settle()).
// Uses send(), $() and state from console.js.
"use strict";

const world = { description: null, busy: new Set() };

const pinWords = { protocol: "held by the protocol", step: "held by this step", therapist: "held by you" };

// "m" -> "m", "people/m2" -> "people/m²"; "fraction" is shown as a percentage instead.
function unitText(unit) {
  return unit.replace(/m2$/, "m\u00b2");
}

// A value as people read it: "45 m", "0.8 people/m²", "30 %", "low".
function formatValue(value, control) {
  if (typeof value !== "number") return String(value);
  const unit = control && control.unit;
  if (unit === "fraction") return Math.round(value * 100) + " %";
  const span = control && control.max != null ? control.max - control.min : 100;
  const digits = span >= 50 ? 0 : span >= 5 ? 1 : 2;
  const text = String(Number(value.toFixed(digits)));
  return unit ? text + " " + unitText(unit) : text;
}

// About a hundred slider positions over the range, on a round number (1, 0.1, 0.01...).
function sliderStep(control) {
  const span = control.max - control.min;
  if (!(span > 0)) return 1;
  return Math.min(1, Math.pow(10, Math.floor(Math.log10(span / 100))));
}

function words(name) {
  return name.replace(/_/g, " ");
}

function element(tag, props, children) {
  const el = document.createElement(tag);
  Object.assign(el, props || {});
  (children || []).forEach((child) => el.appendChild(child));
  return el;
}

// Builds the rows and event buttons from the session's description (once per welcome).
function buildWorld(description) {
  world.description = description || null;
  world.busy.clear();
  const rows = $("world-rows");
  rows.textContent = "";
  $("world-title").textContent = description ? description.title : "";
  $("world-note").textContent = description ? "" : "The session did not describe its world; nothing to steer here.";
  (description ? description.parameters : []).forEach((control) => rows.appendChild(parameterRow(control)));
  buildEvents(description);
}

function parameterRow(control) {
  const name = control.name;
  const row = element("div", { id: "world-row-" + name, className: "world-row" });
  row.dataset.name = name;
  row.appendChild(element("span", { className: "world-label", textContent: control.label || words(name) }));
  row.appendChild(element("span", { id: "world-value-" + name, className: "world-value", textContent: "-" }));
  row.appendChild(element("span", { id: "world-pin-" + name, className: "world-pin" }));
  const steer = element("span", { className: "world-control" });
  if (control.options) {
    control.options.forEach((option) => {
      const button = element("button", { type: "button", id: "world-option-" + name + "-" + option, textContent: option });
      button.dataset.option = option;
      button.addEventListener("click", () => requestParameter(control, { option }));
      steer.appendChild(button);
    });
  } else {
    const slider = element("input", {
      type: "range", id: "world-control-" + name, min: String(control.min), max: String(control.max), step: String(sliderStep(control)),
    });
    slider.setAttribute("aria-label", (control.label || words(name)) + " (" + formatValue(control.min, control) + " to " + formatValue(control.max, control) + ")");
    const shown = element("output", { id: "world-setting-" + name });
    slider.addEventListener("input", () => { world.busy.add(name); shown.textContent = formatValue(Number(slider.value), control); });
    slider.addEventListener("change", () => requestParameter(control, { value: Number(slider.value) }));
    steer.appendChild(slider);
    steer.appendChild(shown);
  }
  const release = element("button", { type: "button", id: "world-release-" + name, className: "follow", textContent: "Follow level", hidden: true });
  release.addEventListener("click", () => {
    send("release_parameter", { name, confirm: false }, (control.label || words(name)) + " follows the level");
  });
  steer.appendChild(release);
  row.appendChild(steer);
  return row;
}

// The therapist holds `control` at a new value; the engine judges it like a level change.
function requestParameter(control, setting) {
  const label = (control.label || words(control.name)) + " " +
    ("option" in setting ? setting.option : formatValue(setting.value, control));
  const done = () => { world.busy.delete(control.name); };
  send("set_parameter", Object.assign({ name: control.name, confirm: false }, setting), label, { onApplied: done, onRefused: done });
}

function buildEvents(description) {
  const box = $("event-buttons");
  box.textContent = "";
  const events = description ? description.events : [];
  events.forEach((name) => {
    const button = element("button", { type: "button", id: "event-" + name, textContent: words(name) });
    button.dataset.event = name;
    button.addEventListener("click", () => send("fire_event", { name }, "event " + name));
    box.appendChild(button);
  });
  const none = $("events-none");
  none.hidden = events.length > 0;
  none.textContent = description ? "This environment has no events to fire." : "The session did not list its events.";
}

// Called by console.js on every telemetry message.
function renderWorld(t) {
  const therapist = state.role === "therapist";
  (t.world || []).forEach((entry) => {
    let row = $("world-row-" + entry.name);
    if (!row) {
      // A parameter the description did not name: shown, not steerable.
      row = parameterRow({ name: entry.name, unit: entry.unit, options: [] });
      $("world-rows").appendChild(row);
    }
    const control = (world.description && world.description.parameters.find((p) => p.name === entry.name)) || { unit: entry.unit };
    // Compared as shown: a number that reached its target may differ from it in the last digit.
    const ramping = entry.target != null && formatValue(entry.target, control) !== formatValue(entry.value, control);
    $("world-value-" + entry.name).textContent = formatValue(entry.value, control) +
      (ramping ? " \u2192 " + formatValue(entry.target, control) : "");
    row.dataset.value = String(entry.value);
    row.dataset.target = entry.target == null ? "" : String(entry.target);
    row.dataset.pinned = entry.pinned || "";
    $("world-pin-" + entry.name).textContent = entry.pinned ? pinWords[entry.pinned] || entry.pinned : "follows the level";
    $("world-release-" + entry.name).hidden = !(therapist && entry.pinned === "therapist");
    const slider = $("world-control-" + entry.name);
    if (slider && !world.busy.has(entry.name)) {
      const setting = entry.target != null ? entry.target : entry.value;
      slider.value = String(setting);
      $("world-setting-" + entry.name).textContent = formatValue(setting, control);
    }
    row.querySelectorAll("button[data-option]").forEach((button) => {
      button.setAttribute("aria-pressed", button.dataset.option === entry.value ? "true" : "false");
      button.classList.toggle("heading-to", ramping && button.dataset.option === entry.target);
    });
  });
}
