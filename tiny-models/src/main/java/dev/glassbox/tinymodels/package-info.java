/** The models Glassbox ships and the catalog of them (shipped, trained on this server, the learner's own), each with its card. */
package dev.glassbox.tinymodels;
