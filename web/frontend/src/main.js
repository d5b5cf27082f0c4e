// Entry point of the one bundle every page loads; the page says what it is in <body data-page>.
import "./styles/app.css";
import { startAttention } from "./attention.js";
import { startCourse, startCourseMap } from "./course.js";
import { startDashboard } from "./dashboard.js";
import { startFineTune } from "./finetune.js";
import { startGenerate } from "./generate.js";
import { announceInputLimits } from "./input-limits.js";
import { startLayers } from "./layers.js";
import { startModelPage } from "./models.js";
import { startNotebook } from "./notebook.js";
import { startQuantize } from "./quantize.js";
import { startSettings } from "./theme.js";
import { startTokenizers } from "./tokenizers.js";
import { startTrain } from "./train.js";

function start() {
  const { page, lessonId, classCode, modelId } = document.body.dataset;
  startSettings();
  announceInputLimits();
  if (page === "lesson" && lessonId) startNotebook(lessonId);
  if (page === "lesson" && lessonId) startCourse(lessonId);
  if (page === "course") startCourseMap();
  if (page === "dashboard" && classCode) startDashboard(classCode);
  if (page === "model" && modelId) startModelPage(modelId);
  if (page === "attention" && modelId) startAttention(modelId);
  if (page === "layers" && modelId) startLayers(modelId);
  if (page === "generate" && modelId) startGenerate(modelId);
  if (page === "quantize" && modelId) startQuantize(modelId);
  if (page === "tokenizers") startTokenizers();
  if (page === "train") startTrain();
  if (page === "finetune" && modelId) startFineTune(modelId);
}

try {
  start();
} catch (e) {
  // The page still reads without its scripts; say why the cells do not run.
  const notices = document.getElementById("notices");
  if (notices) {
    const notice = document.createElement("div");
    notice.className = "notice notice-error";
    notice.setAttribute("role", "alert");
    notice.textContent = `This page could not start its scripts in this browser: ${e.message}`;
    notices.append(notice);
  }
  throw e;
}
