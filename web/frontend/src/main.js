// Entry point of the one bundle every page loads; the page says what it is in <body data-page>.
import "./styles/app.css";
import { startNotebook } from "./notebook.js";

function start() {
  const { page, lessonId } = document.body.dataset;
  if (page === "lesson" && lessonId) startNotebook(lessonId);
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
    notice.textContent = `The notebook could not start in this browser: ${e.message}`;
    notices.append(notice);
  }
  throw e;
}
