/** Which kernel belongs to which learner, with per-learner caps and idle culling. */
package dev.glassbox.web.kernels;
