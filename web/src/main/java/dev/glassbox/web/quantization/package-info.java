/** The quantization lab page and API: a learner's lab run on the server, one at a time, and what the page draws of it. */
package dev.glassbox.web.quantization;
