// The course parts of a lesson page: quizzes graded by the server, and hints revealed one at a time.
// Glossary terms need no script: CSS shows a term's definition on hover and on keyboard focus.
import "./styles/course.css";
import { apiPath, sendJson } from "./api.js";

/** Starts every quiz and hint list of the lesson page. */
export function startCourse(lessonId) {
  const quizzes = [...document.querySelectorAll("section.quiz[data-quiz-id]")].map((section) => new QuizView(lessonId, section));
  for (const hints of document.querySelectorAll(".hints")) startHints(hints);
  if (quizzes.length === 0) return;
  // Answers given before (in this tab or another) come back with their feedback.
  sendJson("GET", apiPath`/api/lessons/${lessonId}/state`)
    .then((state) => {
      for (const quiz of quizzes) {
        const saved = state?.quizzes?.[quiz.id];
        if (saved) quiz.show(saved, true);
      }
    })
    .catch(() => {}); // the quizzes still work; the learner just answers again
}

/** Reveals the hints of an exercise one by one; the button says how many are left. */
function startHints(container) {
  const hints = [...container.querySelectorAll(".hint")];
  const button = container.querySelector(".hint-next");
  let shown = 0;
  button.addEventListener("click", () => {
    if (shown >= hints.length) return;
    hints[shown].hidden = false;
    shown++;
    button.setAttribute("aria-expanded", "true");
    if (shown === hints.length) {
      button.hidden = true;
      // Every hint is out: the solution button (offered after a first attempt) is the next step.
    } else {
      button.textContent = `Show hint ${shown + 1} of ${hints.length}`;
    }
    hints[shown - 1].querySelector(".hint-title").focus?.();
  });
}

class QuizView {
  constructor(lessonId, section) {
    this.lessonId = lessonId;
    this.section = section;
    this.id = section.dataset.quizId;
    this.kind = section.dataset.quizKind; // one | several | text
    this.form = section.querySelector(".quiz-form");
    this.result = section.querySelector(".quiz-result");
    this.explanation = section.querySelector(".quiz-explanation");
    this.reveal = section.querySelector(".quiz-reveal");
    this.check = section.querySelector(".quiz-check");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send(this.#answer());
    });
    this.reveal.addEventListener("click", () => this.#send({ reveal: true }));
  }

  #answer() {
    if (this.kind === "text") return { text: this.form.querySelector(".quiz-input").value };
    const choices = [...this.form.querySelectorAll("input:checked")].map((input) => Number(input.value));
    return { choices };
  }

  async #send(answer) {
    if (answer.choices && answer.choices.length === 0) return this.#say("Choose an answer first.", "error");
    if (answer.text !== undefined && !answer.text.trim()) return this.#say("Write an answer first.", "error");
    this.check.disabled = true;
    try {
      const feedback = await sendJson("POST", apiPath`/api/lessons/${this.lessonId}/quizzes/${this.id}`, answer);
      this.show(feedback, false);
    } catch (e) {
      this.#say(e.message, "error");
    } finally {
      this.check.disabled = false;
    }
  }

  /** Shows the server's feedback; `restored` when it is a saved answer shown again on page load. */
  show(feedback, restored) {
    const choiceLabels = [...this.form.querySelectorAll(".quiz-choice")];
    if (restored && feedback.chosen) {
      for (const label of choiceLabels) {
        const input = label.querySelector("input");
        input.checked = feedback.chosen.includes(Number(input.value));
      }
    }
    if (restored && typeof feedback.text === "string") this.form.querySelector(".quiz-input").value = feedback.text;
    (feedback.choices ?? []).forEach((choice, i) => {
      const label = choiceLabels[i];
      if (!label) return;
      const note = label.querySelector(".quiz-choice-feedback");
      delete label.dataset.correct;
      note.textContent = "";
      if (choice.correct === undefined) return;
      label.dataset.correct = String(choice.correct);
      note.append(choice.correct ? "✓ " : "✗ ");
      if (choice.explanation) {
        const why = document.createElement("span");
        why.innerHTML = choice.explanation; // the lesson's own Markdown, rendered and escaped by the server
        note.append(why);
      }
    });
    const revealed = feedback.revealed || (!feedback.correct && feedback.answer !== undefined);
    if (feedback.correct) this.#say("Correct!", "correct");
    else if (feedback.revealed) this.#say("Here is the answer.", "revealed");
    else if (restored && feedback.everCorrect) this.#say("You answered this right before; your last answer was not right.", "wrong");
    else this.#say(restored ? "Your last answer was not right yet: try again." : "Not quite: try again.", "wrong");
    this.reveal.hidden = feedback.correct || revealed;
    this.section.dataset.state = feedback.correct ? "correct" : feedback.revealed ? "revealed" : "wrong";
    this.explanation.replaceChildren();
    const parts = [];
    if (feedback.answer !== undefined) parts.push(`Answer: ${feedback.answer}`);
    if (parts.length > 0) this.explanation.append(Object.assign(document.createElement("p"), { textContent: parts.join(" ") }));
    if (feedback.explanation) {
      const p = document.createElement("p");
      p.innerHTML = feedback.explanation; // the lesson's own Markdown, rendered and escaped by the server
      this.explanation.append(p);
    }
    this.explanation.hidden = this.explanation.childElementCount === 0;
  }

  #say(text, state) {
    this.result.textContent = text;
    this.result.dataset.state = state;
  }
}

/** The course map page: importing a notebook as a draft, and deleting drafts. */
export function startCourseMap() {
  const form = document.querySelector(".draft-import");
  if (form) {
    const status = form.querySelector(".draft-status");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = form.querySelector("input[type=file]").files[0];
      if (!file) return (status.textContent = "Choose a .ipynb file first.");
      const max = Number(form.dataset.maxBytes);
      if (max && file.size > max) return (status.textContent = `This file is ${file.size} bytes; notebooks up to ${max} bytes can be imported.`);
      status.textContent = "Importing…";
      try {
        const response = await fetch(`/api/drafts?name=${encodeURIComponent(file.name)}`, {
          method: "POST",
          headers: { "Content-Type": "application/x-ipynb+json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]')?.content ?? "" },
          body: file,
          credentials: "same-origin",
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(body.error ?? `The server answered ${response.status}`);
        window.location.assign(body.url);
      } catch (e) {
        status.textContent = e.message;
      }
    });
  }
  for (const button of document.querySelectorAll(".draft-delete")) {
    button.addEventListener("click", async () => {
      try {
        await sendJson("DELETE", apiPath`/api/drafts/${button.dataset.draftId}`);
        button.closest("li").remove();
      } catch (e) {
        button.textContent = `Could not delete: ${e.message}`;
      }
    });
  }
}
