// The code editor of one cell: CodeMirror 6 with Java highlighting, kernel completions,
// notebook keys (Shift+Enter, Ctrl/Cmd+Enter, Esc) and a highlighted error line. Tab leaves the editor
// (CodeMirror's accessible default) unless the learner turns "Tab indents" on.
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionStatus } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { java } from "@codemirror/lang-java";
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { Annotation, Compartment, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

const TAB_SETTING = "glassbox.tabIndents";
const tabKeys = new Compartment();
const editors = new Set(); // every live editor, so the Tab setting reaches all of them at once

/** Whether Tab indents in the editors (off by default: Tab moves the focus, so the keyboard never gets trapped). */
export function tabIndents() {
  try {
    return localStorage.getItem(TAB_SETTING) === "true";
  } catch {
    return false;
  }
}

export function setTabIndents(on) {
  try {
    localStorage.setItem(TAB_SETTING, String(on));
  } catch {
    // storage disabled: the setting lasts as long as the page
  }
  for (const view of editors) view.dispatch({ effects: tabKeys.reconfigure(on ? keymap.of([indentWithTab]) : []) });
}

/** Marks changes that come from the page (reset, saved state), not from the learner typing. */
const external = Annotation.define();

const setErrorLine = StateEffect.define();
const errorLineDecoration = Decoration.line({ class: "cm-errorLine" });

/** The line an error output points at; cleared by the next edit. */
const errorLineField = StateField.define({
  create: () => Decoration.none,
  update(decorations, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLine)) continue;
      const line = effect.value;
      if (!line || line > tr.state.doc.lines) return Decoration.none;
      return Decoration.set([errorLineDecoration.range(tr.state.doc.line(line).from)]);
    }
    return tr.docChanged ? Decoration.none : decorations;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Colours are the theme's CSS variables (theme.css), so the editor follows light and dark without a rebuild.
const highlightStyle = HighlightStyle.define([
  { tag: [t.keyword, t.modifier, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword], color: "var(--code-keyword)" },
  { tag: [t.string, t.special(t.string), t.character], color: "var(--code-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--code-number)" },
  { tag: [t.lineComment, t.blockComment, t.docComment, t.comment], color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [t.typeName, t.className, t.namespace], color: "var(--code-type)" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "var(--code-function)" },
  { tag: t.definition(t.variableName), color: "var(--code-definition)" },
  { tag: [t.annotation, t.meta], color: "var(--code-meta)" },
  { tag: [t.operator, t.punctuation, t.bracket], color: "var(--code-punctuation)" },
  { tag: t.invalid, color: "var(--code-invalid)" },
]);

const theme = EditorView.theme({
  "&": { fontSize: "13.5px", backgroundColor: "var(--surface)", color: "var(--text)" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": {
    fontFamily: "var(--font-mono)",
    lineHeight: "1.6",
  },
  ".cm-content": { padding: "10px 0", caretColor: "var(--text)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-line": { padding: "0 14px 0 6px" },
  ".cm-gutters": { backgroundColor: "var(--surface)", color: "var(--code-gutter)", border: "none", paddingLeft: "6px" },
  ".cm-lineNumbers .cm-gutterElement": { minWidth: "22px", padding: "0 4px 0 0", fontSize: "12px" },
  ".cm-activeLine": { backgroundColor: "transparent" },
  "&.cm-focused .cm-activeLine": { backgroundColor: "var(--code-active-line)" },
  ".cm-errorLine, &.cm-focused .cm-errorLine": { backgroundColor: "var(--code-error-line)", boxShadow: "inset 3px 0 0 var(--red)" },
  ".cm-selectionBackground, &.cm-focused .cm-selectionBackground": { backgroundColor: "var(--code-selection) !important" },
  ".cm-matchingBracket": { backgroundColor: "var(--accent-soft)", outline: "1px solid var(--accent-border)" },
  ".cm-tooltip": {
    border: "1px solid var(--border)",
    borderRadius: "6px",
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    boxShadow: "var(--shadow-md)",
    overflow: "hidden",
  },
  ".cm-tooltip.cm-tooltip-autocomplete > ul": { fontFamily: "var(--font-mono)", fontSize: "13px", maxHeight: "16em" },
  ".cm-tooltip.cm-tooltip-autocomplete > ul > li": { padding: "2px 10px 2px 4px" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "var(--accent-fill)", color: "#ffffff" },
  ".cm-completionDetail": { color: "var(--muted)", fontStyle: "normal", marginLeft: "1em" },
});

/**
 * CodeMirror injects its base styles in a <style> element. Under a CSP without 'unsafe-inline'
 * for styles, the page can hand over the nonce of its style-src in <meta name="csp-nonce">.
 */
const cspNonce = document.querySelector('meta[name="csp-nonce"]')?.content;

/** Kernel completion kinds mapped onto CodeMirror's icon names. */
const COMPLETION_TYPES = { field: "property", package: "namespace", constructor: "function", record: "class", annotation: "type" };

/** A completion source that asks the kernel; silent on any failure (completion is a nicety). */
function kernelCompletions(complete) {
  return async (context) => {
    const word = context.matchBefore(/[\w$]*/);
    const afterDot = word.from > 0 && context.state.sliceDoc(word.from - 1, word.from) === ".";
    if (!context.explicit && !afterDot) return null;
    const controller = new AbortController();
    context.addEventListener("abort", () => controller.abort(), { onDocChange: true });
    let result;
    try {
      result = await complete(context.state.doc.toString(), context.pos, controller.signal);
    } catch {
      return null;
    }
    if (!result || !Array.isArray(result.options) || result.options.length === 0) return null;
    const from = Number.isInteger(result.from) && result.from >= 0 && result.from <= context.pos ? result.from : word.from;
    return {
      from,
      options: result.options
        .filter((o) => o && typeof o.label === "string")
        .map((o) => ({ label: o.label, type: COMPLETION_TYPES[o.type] ?? o.type, detail: o.detail })),
      validFor: /^[\w$]*$/,
    };
  };
}

/**
 * Creates an editor in `parent`.
 * Callbacks: onEdit(code) after the learner changes the text; onBlur(); onRun("next" | "stay");
 * onEscape(); complete(code, cursor, signal) -> {from, options}.
 */
export function createEditor({ parent, doc, label, onEdit, onBlur, onRun, onEscape, complete }) {
  const notebookKeys = Prec.highest(
    keymap.of([
      { key: "Shift-Enter", run: (view) => (closeCompletion(view), onRun("next"), true) },
      { key: "Mod-Enter", run: (view) => (closeCompletion(view), onRun("stay"), true) },
      {
        key: "Escape",
        run: (view) => {
          // A completion list on screen: Esc closes it first. One still being asked for (after each typed word, for a
          // moment) is dropped, and Esc leaves the editor at once, so the next key is a command, not more text.
          if (completionStatus(view.state) === "active") return false;
          closeCompletion(view);
          onEscape();
          return true;
        },
      },
    ]),
  );

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        notebookKeys,
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        autocompletion({ override: [kernelCompletions(complete)], icons: true, activateOnTypingDelay: 80 }),
        java(),
        syntaxHighlighting(highlightStyle),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        errorLineField,
        cspNonce ? EditorView.cspNonce.of(cspNonce) : [],
        tabKeys.of(tabIndents() ? keymap.of([indentWithTab]) : []),
        keymap.of([...closeBracketsKeymap, ...historyKeymap, ...defaultKeymap]),
        // tabindex 0 says what contenteditable already means: a long line's sideways scroll is reachable by keyboard.
        EditorView.contentAttributes.of({ "aria-label": label, spellcheck: "false", autocapitalize: "off", autocorrect: "off", tabindex: "0" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !update.transactions.every((tr) => tr.annotation(external))) {
            onEdit(update.state.doc.toString());
          }
        }),
        EditorView.domEventHandlers({ blur: () => void onBlur() }),
        theme,
      ],
    }),
  });

  editors.add(view);
  return {
    view,
    code: () => view.state.doc.toString(),
    /** Replaces the text without counting it as an edit. */
    setCode(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, annotations: external.of(true) });
    },
    /** Replaces the text as the learner's own edit: it is saved, and undo brings the old text back. */
    replaceByLearner(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, userEvent: "input.replace" });
    },
    markErrorLine(line) {
      view.dispatch({ effects: setErrorLine.of(line || null) });
    },
    focus() {
      view.focus();
    },
    hasFocus: () => view.hasFocus,
  };
}

/** A read-only, highlighted view of some code (an exercise's solution): it can be selected and copied, not edited. */
export function createViewer({ parent, doc, label }) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        java(),
        syntaxHighlighting(highlightStyle),
        EditorState.readOnly.of(true),
        EditorState.tabSize.of(4),
        cspNonce ? EditorView.cspNonce.of(cspNonce) : [],
        EditorView.contentAttributes.of({ "aria-label": label, "aria-readonly": "true", tabindex: "0" }),
        theme,
      ],
    }),
  });
}
