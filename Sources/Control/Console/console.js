// Therapist console for protocol v1 (docs/control-protocol.md). Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  token: null, role: null, socket: null, telemetry: null, nextId: 1,
  pending: new Map(), confirmAction: null, dismissedAlerts: new Set(), reconnectTimer: null, mirrorTimer: null, sliderBusy: false, volumeBusy: false,
};

function tokenFromFragment() {
  const match = /(?:^|[#&])token=([0-9a-f]{16,128})/.exec(location.hash);
  return match ? match[1] : null;
}

function socketURL() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/ws";
}

function connect(hello) {
  const socket = new WebSocket(socketURL());
  state.socket = socket;
  setConnection("connecting", false);
  socket.addEventListener("open", () => socket.send(JSON.stringify(Object.assign({ type: "hello", v: 1 }, hello))));
  socket.addEventListener("message", (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    handle(message);
  });
  socket.addEventListener("close", () => {
    if (state.socket !== socket) return;
    setConnection("offline - reconnecting", false);
    // Reconnect with the token: control resumes without restarting the session.
    if (state.token && !state.reconnectTimer) {
      state.reconnectTimer = setTimeout(() => { state.reconnectTimer = null; connect({ token: state.token }); }, 1000);
    }
  });
}

function handle(message) {
  switch (message.type) {
    case "welcome":
      state.role = message.role;
      if (message.token) {
        state.token = message.token;
        history.replaceState(null, "", "#token=" + message.token);
      }
      $("pairing").hidden = true;
      $("console").hidden = false;
      $("role").textContent = message.display_name;
      setConnection("online", true);
      if (typeof buildWorld === "function") buildWorld(message.environment);
      applyRole();
      startMirror();
      break;
    case "telemetry":
      state.telemetry = message;
      render(message);
      break;
    case "applied":
      // The engine applied the command: say what changed.
      settle(message.id, { applied: true, changes: message.changes || [] });
      break;
    case "error":
      if (message.code === "authentication_failed") {
        state.token = null;
        showPairing(message.message);
      }
      settle(message.id, refusal(message));
      break;
  }
}

// A refusal as the therapist reads it: the engine's rule (the message starts with it) and why.
function refusal(message) {
  if (message.code === "rejected") {
    const match = /^([a-z_]+): ([\s\S]*)$/.exec(message.message || "");
    if (match) return { applied: false, rule: match[1], why: match[2] };
  }
  return { applied: false, rule: null, why: message.message || message.code };
}

// Refusals the therapist may override with an explicit confirmation, and the commands that take one.
const confirmableRules = new Set(["escalation_limit", "confirmation_required"]);
const confirmableKinds = new Set(["set_intensity", "set_parameter", "release_parameter", "next_step", "go_to_step"]);

function decisionText(decision) {
  if (decision.applied) return "applied" + (decision.changes.length ? ": " + decision.changes.join(", ") : "");
  return "refused" + (decision.rule ? " (" + decision.rule + ")" : "") + ": " + decision.why;
}

function settle(id, decision) {
  const pending = id && state.pending.get(id);
  if (pending) state.pending.delete(id);
  const result = $("last-result");
  result.textContent = (pending ? pending.label + ": " : "") + decisionText(decision);
  result.dataset.outcome = decision.applied ? "applied" : "refused";
  result.dataset.rule = decision.rule || "";
  if (!pending) return;
  if (decision.applied) {
    if (pending.onApplied) pending.onApplied(decision);
  } else {
    if (pending.onRefused) pending.onRefused(decision);
    if (confirmableRules.has(decision.rule) && confirmableKinds.has(pending.kind) && !pending.fields.confirm) {
      askConfirmation(pending.kind, pending.fields, pending.label,
        pending.label + " was refused: " + decision.why + ". Confirm to apply it anyway?");
    }
  }
}

// Sends a command; returns its id. `options.onApplied` / `options.onRefused` hear the decision.
function send(kind, fields, label, options) {
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN) {
    $("last-result").textContent = "not connected; the command was not sent";
    return null;
  }
  const id = "web-" + state.nextId++;
  const command = Object.assign({ kind }, fields || {});
  state.pending.set(id, Object.assign({ label: label || kind, kind, fields: fields || {} }, options || {}));
  state.socket.send(JSON.stringify({ type: "command", v: 1, id, command }));
  return id;
}

// The confirm panel: `kind` with `fields` is sent again with confirm: true when the therapist confirms.
function askConfirmation(kind, fields, label, text) {
  state.confirmAction = { kind, fields, label };
  $("confirm-text").textContent = text;
  const panel = $("confirm-panel");
  panel.hidden = false;
  panel.dataset.kind = kind;
  if (kind === "set_intensity") panel.dataset.target = String(fields.value);
}

function setConnection(text, online) {
  const pill = $("connection");
  pill.textContent = text;
  pill.className = "pill " + (online ? "online" : "offline");
}

function applyRole() {
  const observer = state.role !== "therapist";
  document.querySelectorAll(".controls button, .controls input").forEach((el) => { el.disabled = observer; });
  if (observer) $("record-consent").hidden = true;
}

const stateNames = { starting: "Starting", running: "Running", paused: "Paused", opted_out: "Opted out", ended: "Ended" };

// How the session ended, in plain words (telemetry's `outcome`).
function outcomeText(t) {
  const at = t.step && t.step.count ? " at step " + (t.step.index + 1) + " of " + t.step.count : "";
  switch (t.outcome) {
    case "completed": return "Completed";
    case "ended_by_therapist": return "Ended by the therapist" + at;
    case "time_limit": return "Time limit reached" + at;
    case "patient_stopped": return "Patient stopped (opted out)" + at;
    case "safety_stop": return "Safety stop" + at;
    case "aborted": return "Aborted" + at;
    default: return "Ended: " + t.outcome;
  }
}

function renderOutcome(t) {
  const el = $("outcome");
  el.hidden = !t.outcome;
  el.textContent = t.outcome ? outcomeText(t) : "";
  el.dataset.outcome = t.outcome || "";
  if (t.outcome && $("end-dialog").open) $("end-dialog").close();
}

// After an opt-out: waiting for the patient's consent (the therapist may record a spoken one), or given.
function renderConsent(t) {
  const therapist = state.role === "therapist";
  const area = $("consent-area");
  const optedOut = t.state === "opted_out";
  area.hidden = !optedOut || !(t.awaiting_consent || t.consent_given);
  area.dataset.consent = t.consent_given ? "given" : (t.awaiting_consent ? "awaiting" : "");
  $("consent-status").textContent = t.consent_given
    ? "The patient agreed to go on: Resume continues one step lower."
    : "The patient opted out and has not agreed to go on yet (trigger in the headset, or aloud).";
  const button = $("record-consent");
  button.hidden = !(therapist && optedOut && t.awaiting_consent);
  button.disabled = !therapist;
}

function render(t) {
  $("session-id").textContent = t.session_id;
  const stateEl = $("state");
  stateEl.textContent = stateNames[t.state] || t.state;
  stateEl.className = "state " + t.state;
  stateEl.dataset.state = t.state;
  $("step").textContent = (t.step.index + 1) + " / " + t.step.count + " " + t.step.name;
  $("intensity").textContent = Math.round(t.intensity);
  const lastSUDS = t.suds.length ? t.suds[t.suds.length - 1].value : null;
  $("suds").textContent = lastSUDS === null ? "-" : lastSUDS;
  $("heart-rate").textContent = t.heart_rate == null ? "-" : Math.round(t.heart_rate) + " bpm";
  const fh = t.frame_health;
  $("frame-health").textContent = fh.frame_rate.toFixed(0) + " fps, " + fh.missed_frames + " missed";
  $("elapsed").textContent = formatTime(t.elapsed);
  if (!state.sliderBusy) {
    $("intensity-slider").value = Math.round(t.intensity);
    $("intensity-target").textContent = Math.round(t.intensity);
  }
  if (state.role === "therapist") {
    $("pause").disabled = t.state !== "running";
    // Resume from a pause or an opt-out: the engine decides (it asks for the patient's consent).
    $("resume").disabled = t.state !== "paused" && t.state !== "opted_out";
    $("end").disabled = t.state === "ended";
  }
  renderOutcome(t);
  renderConsent(t);
  renderSound(t);
  $("message-showing").textContent = t.patient_message ? "In the headset now: \u201c" + t.patient_message + "\u201d" : "";
  renderAlerts(t.alerts);
  if (typeof renderRatings === "function") renderRatings(t);
  if (typeof renderWorld === "function") renderWorld(t);
  drawChart(t);
}

const audioNotes = {
  playing: "",
  no_device: "no sound device: volume and mute are remembered only",
  failed: "sound stopped (device lost): the session goes on silent",
};

function renderSound(t) {
  if (!state.volumeBusy) {
    $("volume-slider").value = Math.round(t.volume * 100);
    $("volume-value").textContent = Math.round(t.volume * 100) + "%";
  }
  const mute = $("mute");
  mute.textContent = t.muted ? "Unmute" : "Mute";
  mute.setAttribute("aria-pressed", t.muted ? "true" : "false");
  mute.dataset.muted = String(t.muted);
  const status = $("audio-status");
  status.textContent = (t.muted ? "Muted. " : "") + (audioNotes[t.audio_output] || "");
  status.dataset.output = t.audio_output;
}

function renderAlerts(alerts) {
  const open = alerts.filter((a) => a.kind !== "info" && !state.dismissedAlerts.has(a.id));
  const banner = $("alert-banner");
  if (!open.length) { banner.hidden = true; return; }
  const latest = open[open.length - 1];
  banner.hidden = false;
  banner.dataset.alertId = latest.id;
  banner.dataset.kind = latest.kind;
  $("alert-text").textContent = latest.message;
}

function formatTime(seconds) {
  const s = Math.floor(seconds);
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function drawChart(t) {
  const canvas = $("chart");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 28;
  ctx.clearRect(0, 0, w, h);
  const end = Math.max(t.elapsed, 60), start = Math.max(0, end - 600);
  const x = (time) => pad + (w - 2 * pad) * (time - start) / (end - start);
  const y = (value) => h - pad - (h - 2 * pad) * value / 100;
  ctx.strokeStyle = "#dde3e9"; ctx.fillStyle = "#6b7785"; ctx.font = "11px sans-serif";
  for (let v = 0; v <= 100; v += 25) {
    ctx.beginPath(); ctx.moveTo(pad, y(v)); ctx.lineTo(w - pad, y(v)); ctx.stroke();
    ctx.fillText(String(v), 2, y(v) + 4);
  }
  const line = (points, color, stepped) => {
    const visible = points.filter((p) => p.t >= start);
    if (!visible.length) return;
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
    visible.forEach((p, i) => {
      if (i === 0) ctx.moveTo(x(p.t), y(p.value));
      else {
        if (stepped) ctx.lineTo(x(p.t), y(visible[i - 1].value));
        ctx.lineTo(x(p.t), y(p.value));
      }
    });
    if (stepped) ctx.lineTo(x(t.elapsed), y(visible[visible.length - 1].value));
    ctx.stroke();
    ctx.fillStyle = color;
    visible.forEach((p) => { if (!stepped) ctx.fillRect(x(p.t) - 2, y(p.value) - 2, 4, 4); });
  };
  line(t.intensity_history, "#1f77b4", true);
  line(t.suds, "#d62728", false);
}

function startMirror() {
  if (state.mirrorTimer) return;
  const refresh = async () => {
    if (!state.token) return;
    try {
      const response = await fetch("/v1/mirror.png", { headers: { Authorization: "Bearer " + state.token }, cache: "no-store" });
      if (!response.ok) { $("mirror-status").textContent = response.status === 404 ? "no image yet" : "mirror unavailable"; return; }
      const blob = await response.blob();
      const img = $("mirror");
      const old = img.src;
      img.src = URL.createObjectURL(blob);
      if (old.startsWith("blob:")) URL.revokeObjectURL(old);
      $("mirror-status").textContent = "live, about 2 images a second";
    } catch (e) {
      $("mirror-status").textContent = "mirror unavailable";
    }
  };
  refresh();
  state.mirrorTimer = setInterval(refresh, 500);
}

function showPairing(error) {
  $("console").hidden = true;
  $("pairing").hidden = false;
  $("pairing-error").textContent = error || "";
}

function requestIntensity(target) {
  const t = state.telemetry;
  const current = t ? t.intensity : 0;
  const limit = t ? t.intensity_step_limit : 0;
  if (Math.abs(target - current) > limit) {
    // Above the protocol's step limit the therapist confirms explicitly.
    askConfirmation("set_intensity", { value: target }, "level " + target,
      "Change level from " + Math.round(current) + " to " + target +
      "? That is more than the protocol's step of " + Math.round(limit) + ".");
    return;
  }
  send("set_intensity", { value: target, confirm: false }, "level " + target);
  state.sliderBusy = false;
}

function openEndDialog() {
  $("end-status").textContent = "";
  const dialog = $("end-dialog");
  if (!dialog.open) dialog.showModal();
}

function wire() {
  $("pause").addEventListener("click", () => send("pause", {}, "pause"));
  $("resume").addEventListener("click", () => send("resume", {}, "resume"));
  // End asks first and offers the after-session questionnaires; only "End now" sends end.
  $("end").addEventListener("click", openEndDialog);
  $("end-cancel").addEventListener("click", () => $("end-dialog").close());
  $("end-now").addEventListener("click", () => {
    $("end-dialog").close();
    send("end", { reason: "ended from console" }, "end");
  });
  $("record-consent").addEventListener("click", () => send("record_consent", {}, "patient's spoken consent"));
  $("next-step").addEventListener("click", () => send("next_step", {}, "next step"));
  $("step-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const step = Number($("step-number").value);
    if (!Number.isInteger(step) || step < 1) { $("last-result").textContent = "step must be a whole number from 1"; return; }
    send("go_to_step", { step }, "step " + step);
  });
  $("previous-step").addEventListener("click", () => send("previous_step", {}, "previous step"));
  $("request-suds").addEventListener("click", () => send("request_suds", {}, "SUDS request"));
  const slider = $("intensity-slider");
  slider.addEventListener("input", () => { state.sliderBusy = true; $("intensity-target").textContent = slider.value; });
  slider.addEventListener("change", () => requestIntensity(Number(slider.value)));
  const volume = $("volume-slider");
  volume.addEventListener("input", () => { state.volumeBusy = true; $("volume-value").textContent = volume.value + "%"; });
  volume.addEventListener("change", () => {
    send("set_volume", { volume: Number(volume.value) / 100 }, "volume " + volume.value + "%");
    state.volumeBusy = false;
  });
  $("mute").addEventListener("click", () => {
    const muted = !(state.telemetry && state.telemetry.muted);
    send("mute", { muted }, muted ? "mute" : "unmute");
  });
  $("confirm-yes").addEventListener("click", () => {
    const action = state.confirmAction;
    $("confirm-panel").hidden = true;
    state.confirmAction = null;
    if (action) send(action.kind, Object.assign({}, action.fields, { confirm: true }), action.label + " (confirmed)");
    state.sliderBusy = false;
  });
  $("confirm-no").addEventListener("click", () => {
    $("confirm-panel").hidden = true; state.confirmAction = null; state.sliderBusy = false;
  });
  $("message-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("message-text").value.trim();
    if (text) send("message", { text }, "message");
    $("message-text").value = "";
  });
  $("alert-dismiss").addEventListener("click", () => {
    const id = Number($("alert-banner").dataset.alertId);
    state.dismissedAlerts.add(id);
    $("alert-banner").hidden = true;
  });
  $("pairing").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = $("pairing-code").value.trim();
    if (code) connect({ pairing_code: code });
  });
}

wire();
state.token = tokenFromFragment();
if (state.token) connect({ token: state.token }); else showPairing();
