/** The server-rendered page shells (Thymeleaf) and their view models. */
package dev.glassbox.web.pages;
