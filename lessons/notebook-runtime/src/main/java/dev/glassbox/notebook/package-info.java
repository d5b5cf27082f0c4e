/** The API a notebook cell calls to show more than text: tables, heatmaps and bar charts. */
package dev.glassbox.notebook;
