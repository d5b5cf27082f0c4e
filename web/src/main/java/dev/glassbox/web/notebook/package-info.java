/** Which kernel belongs to which learner, the caps on kernels and running cells (a fair queue), and the kernels' memory. */
package dev.glassbox.web.notebook;
