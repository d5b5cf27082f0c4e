/** The models Glassbox ships, their model cards and openness checklists. */
package dev.glassbox.models;
