/** Classroom mode: the teacher's passphrase, classes and their codes, students' names, and the live dashboard. */
package dev.glassbox.web.classroom;
