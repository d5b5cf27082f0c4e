/** A model's card and its openness checklist: values the catalog shows and the recipes write, importing neither. */
package dev.glassbox.tinymodels.cards;
