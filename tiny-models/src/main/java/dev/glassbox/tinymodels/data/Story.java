package dev.glassbox.tinymodels.data;

/**
 * One generated story and the choices behind it.
 *
 * @param text   the story, one paragraph
 * @param hero   the main character's name; every he/she, him/her, his/her in the story is theirs
 * @param girl   whether the hero is a girl (she/her) or a boy (he/him)
 * @param helper the name of the character who helps; never referred to by a pronoun
 * @param goal   the key of the hero's goal ({@code kite}, {@code shell}, ...)
 * @param place  where the story happens
 * @param style  how it is told
 */
public record Story(String text, String hero, boolean girl, String helper, String goal, String place, StoryStyle style) {}
