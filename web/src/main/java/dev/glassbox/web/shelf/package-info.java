/** The model catalog and tensor browser: its JSON API, its pages, and the open model files behind them. */
package dev.glassbox.web.shelf;
