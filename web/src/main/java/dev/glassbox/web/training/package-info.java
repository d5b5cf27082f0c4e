/** The Train page and its API: learners train the recipes' models on this server in the background and save them to the catalog. */
package dev.glassbox.web.training;
