/** The Glassbox web app: start-up, routes and wiring. */
package dev.glassbox.web;
