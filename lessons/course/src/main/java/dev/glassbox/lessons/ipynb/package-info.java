/** Lessons as Jupyter notebook files (.ipynb, nbformat 4): export with the learner's code and outputs, import as a draft. */
package dev.glassbox.lessons.ipynb;
