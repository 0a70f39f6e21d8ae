// Ratings panel: the therapist types in the patient's spoken answers (SUDS, FMS, expectancy)
// and the SSQ before and after exposure. Uses send() and $() from console.js.
"use strict";

// The 16 SSQ items in the standard order (ExposureCore.SSQ.items, Kennedy et al. 1993).
const ssqItems = [
  "General discomfort", "Fatigue", "Headache", "Eyestrain", "Difficulty focusing", "Increased salivation",
  "Sweating", "Nausea", "Difficulty concentrating", "Fullness of head", "Blurred vision", "Dizzy (eyes open)",
  "Dizzy (eyes closed)", "Vertigo", "Stomach awareness", "Burping",
];
const ssqAnswers = ["none", "slight", "moderate", "severe"];
const ratingRanges = { suds: [0, 100], fms: [0, 20], expectancy_before: [0, 100], expectancy_after: [0, 100] };
const promptNames = { suds: "SUDS", fms: "FMS", expectancy_before: "Expectancy (before)", expectancy_after: "Expectancy (after)" };

// The 16 SSQ selects in `bodyId`, with ids idPrefix + 0..15 (the Ratings panel and the End dialog).
function buildSSQForm(bodyId, idPrefix) {
  const body = $(bodyId);
  ssqItems.forEach((name, i) => {
    const row = document.createElement("tr");
    const label = document.createElement("td");
    label.textContent = (i + 1) + ". " + name;
    row.appendChild(label);
    const cell = document.createElement("td");
    const select = document.createElement("select");
    select.id = idPrefix + i;
    select.setAttribute("aria-label", name);
    ssqAnswers.forEach((text, value) => {
      const option = document.createElement("option");
      option.value = String(value);
      option.textContent = value + " " + text;
      select.appendChild(option);
    });
    cell.appendChild(select);
    row.appendChild(cell);
    body.appendChild(row);
  });
}

function sendSingleRating(kind, inputId, options) {
  const input = $(inputId || "rating-" + kind);
  const value = Number(input.value);
  const [low, high] = ratingRanges[kind];
  if (input.value.trim() === "" || !Number.isFinite(value) || value < low || value > high) {
    $("last-result").textContent = promptNames[kind] + " must be " + low + "-" + high;
    return false;
  }
  send("enter_rating", { rating: kind, value }, promptNames[kind] + " " + value, options);
  input.value = "";
  return true;
}

function sendSSQ(kind, idPrefix, options) {
  const items = ssqItems.map((_, i) => Number($((idPrefix || "ssq-item-") + i).value));
  send("enter_rating", { rating: kind, items }, kind === "ssq_pre" ? "SSQ before" : "SSQ after", options);
}

// The End dialog's questionnaires: what was entered shows in the dialog before "End now".
const endEntered = new Map();
function endDialogNote(what, decision) {
  endEntered.set(what, decision.applied ? "entered" : "refused: " + decisionText(decision));
  $("end-status").textContent = Array.from(endEntered, ([name, status]) => name + ": " + status).join("; ");
}

// Called by console.js on every telemetry message.
function renderRatings(t) {
  const prompts = t.prompts || [];
  const asked = $("rating-prompts");
  asked.textContent = prompts.length ? "Asked now: " + prompts.map((p) => promptNames[p] || p).join(", ") : "No rating asked now";
  asked.classList.toggle("asking", prompts.length > 0);
  Object.keys(ratingRanges).forEach((kind) => {
    const row = $("rating-row-" + kind);
    if (row) row.classList.toggle("asking", prompts.includes(kind));
  });
}

function wireRatings() {
  buildSSQForm("ssq-items", "ssq-item-");
  buildSSQForm("end-ssq-items", "end-ssq-item-");
  $("end").addEventListener("click", () => endEntered.clear());
  const endNote = (what) => ({ onApplied: (d) => endDialogNote(what, d), onRefused: (d) => endDialogNote(what, d) });
  $("end-send-ssq").addEventListener("click", () => sendSSQ("ssq_post", "end-ssq-item-", endNote("SSQ after")));
  $("end-send-expectancy").addEventListener("click", () => {
    if (!sendSingleRating("expectancy_after", "end-expectancy", endNote("Expectancy after"))) {
      $("end-status").textContent = "Expectancy after must be 0-100";
    }
  });
  Object.keys(ratingRanges).forEach((kind) => {
    $("rating-send-" + kind).addEventListener("click", () => sendSingleRating(kind));
  });
  $("ssq-send-pre").addEventListener("click", () => sendSSQ("ssq_pre"));
  $("ssq-send-post").addEventListener("click", () => sendSSQ("ssq_post"));
}

wireRatings();
