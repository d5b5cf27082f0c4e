package dev.glassbox.tinymodels.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A grammar of little stories. Every story follows one plot: a hero (a named child or animal) goes somewhere
 * with a goal, meets a problem, feels bad, is helped by a second character, reaches the goal and ends happy.
 * Each step is one of several sentence templates, filled with words drawn from small lists, so the stories
 * share a vocabulary of a few hundred words but differ in almost every sentence.
 *
 * <p>Two rules keep the stories checkable from their text alone ({@link StoryCheck}): every third-person
 * pronoun (he, him, his, himself / she, her, herself) refers to the hero, the helper is only ever called by
 * name; and every word of a story is a word of the grammar's tables ({@link #vocabulary(StoryStyle)}), because
 * the code that assembles a story adds no words of its own, only "an" for "a" before a vowel.
 *
 * <p>Templates use slots in braces: {@code {name}}, {@code {he}}, {@code {him}}, {@code {his}} for the hero,
 * {@code {helper}}, {@code {hkind}}, {@code {hadj}} for the helper, and {@code {place}}, {@code {color}},
 * {@code {family}}, {@code {want}}, ... for the story's other choices.
 */
public final class StoryGrammar {

    /** One thing that goes wrong, the hero's words about it, and how the helper fixes it. */
    record Problem(String problem, String complaint, String solution) {}

    /** What the hero wants ({@code want} completes "wanted to ..."), where it can happen and how it ends. */
    record Goal(String key, String want, List<String> places, String outcome, List<Problem> problems) {}

    static final List<String> GIRLS = List.of("Lily", "Mia", "Emma", "Anna", "Lucy", "Sara", "Zoe", "Ella",
            "Ruby", "Grace", "Amy", "Kate", "Rose", "Molly", "Daisy", "Nora");
    static final List<String> BOYS = List.of("Tom", "Ben", "Max", "Sam", "Jack", "Leo", "Tim", "Finn",
            "Noah", "Jake", "Luke", "Oscar", "Pete", "Ned", "Ollie", "Bob");
    static final List<String> HELPER_NAMES = List.of("Pip", "Coco", "Dot", "Bingo", "Rusty", "Hazel", "Sunny",
            "Poppy", "Buddy", "Pebble", "Button", "Maple", "Clover", "Biscuit");
    static final List<String> HERO_ADJECTIVES = List.of("little", "small", "happy", "kind", "brave", "curious",
            "shy", "clever", "funny", "gentle", "friendly", "young", "sweet", "cheerful");
    static final List<String> HELPER_ADJECTIVES = List.of("kind", "old", "wise", "big", "friendly", "gentle",
            "tall", "helpful", "strong", "quick");
    static final List<String> COLORS = List.of("red", "blue", "green", "yellow", "pink", "purple", "orange", "white");
    static final List<String> FAMILY = List.of("mom", "dad", "grandma", "grandpa", "sister", "brother");
    static final List<String> HOME_ADJECTIVES = List.of("little", "small", "big", "cozy", "quiet", "old");
    static final List<String> TIMES = List.of("day", "sunny day", "morning", "bright morning", "afternoon", "warm afternoon");
    static final List<String> TRAITS = List.of("kind", "happy", "busy", "curious", "helpful");
    static final List<String> SAD = List.of("sad", "upset", "worried", "unhappy");
    static final List<String> GLAD = List.of("happy", "glad", "proud", "excited");

    /** The hero's pronouns: subject, object, possessive. */
    static final List<String> HE = List.of("he", "him", "his"), SHE = List.of("she", "her", "her");

    /** A hero who is a child rather than an animal (one in three). */
    static final List<String> CHILDREN = List.of("girl", "boy");

    static final List<String> OPENINGS = List.of(
            "Once upon a time, there was a {adj} {kind} named {name}.",
            "There once was a {adj} {kind} called {name}.",
            "Once upon a time, in a {homeadj} {home}, there lived a {adj} {kind} named {name}.",
            "{name} was a {adj} {kind} who lived in a {homeadj} {home}.");
    static final List<String> TRAIT_SENTENCES = List.of(
            "{he} loved to {hobby}.",
            "{he} liked to {hobby2} every day.",
            "{his} favorite color was {color}.",
            "{he} had many friends, and {he} was always {trait}.",
            "Every morning, {he} would {hobby3}.");
    static final List<String> SETTINGS = List.of(
            "One {time}, {name} went to the {place}.",
            "One {time}, {name} walked to the {place}.",
            "One {time}, {name} and {his} {family} went to the {place}.");
    static final List<String> GOAL_SENTENCES = List.of(
            "{name} wanted to {want}.",
            "{he} really wanted to {want}.",
            "{name} had a plan: {he} would {want}.",
            "Today, {name} was going to {want}.");
    static final List<String> PROBLEM_SENTENCES = List.of("But {problem}.", "But soon, {problem}.", "But then {problem}.");
    static final List<String> FEELINGS = List.of(
            "{name} felt {sad}.",
            "{he} sat down and began to cry.",
            "\"Oh no!\" said {name}.",
            "{name} did not know what to do.",
            "{he} was very {sad}.");
    static final List<String> ARRIVALS = List.of(
            "Just then, a {hadj} {hkind} named {helper} came by.",
            "Then {name} saw a {hadj} {hkind} named {helper}.",
            "Soon, {his} friend {helper} the {hkind} came to see what was wrong.");
    static final List<String> QUESTIONS = List.of(
            "\"Why are you {sad}, {name}?\" asked {helper}.",
            "\"What is wrong?\" asked {helper}.",
            "\"Can I help you?\" asked {helper}.");
    static final List<String> ANSWERS = List.of(
            "\"{complaint},\" said {name}.",
            "{name} said, \"{complaint}.\"");
    static final List<String> OFFERS = List.of(
            "\"Do not worry, I can help you,\" said {helper}.",
            "\"I know what to do,\" said {helper}.",
            "\"Let me help,\" said {helper}.");
    static final List<String> REACHED = List.of("At last, {name} could {want}.", "Now {name} could {want}.");
    static final List<String> THANKS = List.of(
            "{name} was so {glad}!",
            "\"Thank you, {helper}!\" said {name}.",
            "{name} gave {helper} a big hug.",
            "{name} smiled and said thank you to {helper}.");
    static final List<String> ENDINGS = List.of(
            "From that day on, {name} and {helper} were best friends.",
            "{name} and {helper} played together until the sun went down.",
            "{name} learned that it is good to ask for help.",
            "That night, {he} went to bed with a big smile on {his} face.",
            "It was the best day ever.");

    /** The words and templates of one style. */
    record Tables(List<String> homes, List<String> hobbies, List<String> heroKinds, List<String> helperKinds,
                  List<String> helperNames, List<String> scenes, List<Goal> goals, List<String> endings) {
        /** Every template and word of the style's own lists. */
        Stream<String> strings() {
            Stream<String> lists = Stream.of(homes, hobbies, heroKinds, helperKinds, helperNames, scenes, endings).flatMap(List::stream);
            Stream<String> goalStrings = goals.stream().flatMap(g -> Stream.of(
                    Stream.of(g.want(), g.outcome()), g.places().stream(),
                    g.problems().stream().flatMap(p -> Stream.of(p.problem(), p.complaint(), p.solution()))).flatMap(x -> x));
            return Stream.concat(lists, goalStrings);
        }
    }

    private static final List<String> HERO_KINDS_COMMON = List.of("cat", "dog", "bunny", "bear", "fox", "mouse",
            "duck", "frog", "pig", "puppy", "kitten", "lamb");

    private static Goal goal(String key, String want, List<String> places, String outcome, Problem... problems) {
        return new Goal(key, want, places, outcome, List.of(problems));
    }

    private static final Goal KITE = goal("kite", "fly {his} {color} kite", List.of("park", "hill", "field", "meadow"),
            "Soon the kite was flying high up in the sky.",
            new Problem("there was no wind, and the kite would not go up", "My kite will not fly",
                    "{helper} showed {name} how to run fast with the kite, and it went up into the sky."),
            new Problem("the kite got stuck in a tall tree", "My kite is stuck in the tree",
                    "{helper} climbed up the tree and got the kite down."));
    private static final Goal BALL = goal("ball", "play with {his} {color} ball", List.of("park", "garden", "playground", "field"),
            "{name} and {helper} kicked the ball back and forth.",
            new Problem("the ball rolled away, and {name} could not find it", "I lost my ball",
                    "{helper} looked under the bushes and found the ball."),
            new Problem("the ball rolled into the pond", "My ball is in the pond",
                    "{helper} got a long stick and pulled the ball out of the pond."));

    static final Tables PLAIN = new Tables(
            List.of("house", "village", "town", "cottage", "farm"),
            List.of("play outside", "sing songs", "draw pictures", "read books", "run fast", "jump in puddles", "dance",
                    "climb trees", "help {his} {family}", "look at the stars", "pick flowers", "play with {his} friends"),
            HERO_KINDS_COMMON,
            List.of("owl", "rabbit", "bear", "dog", "cat", "fox", "squirrel", "horse", "deer", "goat", "hedgehog", "mouse"),
            HELPER_NAMES,
            List.of("The sun was shining, and the sky was blue.",
                    "The birds were singing in the trees.",
                    "The {place} was quiet and green.",
                    "There were flowers everywhere."),
            List.of(KITE, BALL,
                    goal("tower", "build a tall tower with {his} blocks", List.of("playroom", "yard"),
                            "Soon the tower was taller than {name}.",
                            new Problem("the tower kept falling down", "My tower keeps falling down",
                                    "{helper} showed {name} how to put the big blocks at the bottom."),
                            new Problem("there were not enough blocks", "I do not have enough blocks",
                                    "{helper} brought a box of blocks to share.")),
                    goal("cake", "bake a cake for {his} {family}", List.of("kitchen"),
                            "The cake smelled sweet and warm.",
                            new Problem("there were no eggs in the kitchen", "We have no eggs",
                                    "{helper} ran to the farm and came back with three eggs."),
                            new Problem("the flour was on a high shelf", "I cannot reach the flour",
                                    "{helper} brought a chair and helped {name} get the flour.")),
                    goal("tree", "climb to the top of the big tree", List.of("park", "forest", "garden", "woods"),
                            "From the top, {name} could see the whole {place}.",
                            new Problem("the first branch was too high", "I cannot reach the first branch",
                                    "{helper} brought a ladder, and {name} climbed up."),
                            new Problem("{name} was scared of falling", "I am scared of falling",
                                    "{helper} climbed next to {name}, one branch at a time.")),
                    goal("flowers", "pick flowers for {his} {family}", List.of("meadow", "garden", "field", "forest"),
                            "{name} made a pretty bunch of flowers.",
                            new Problem("all the flowers near the path were gone", "I cannot find any flowers",
                                    "{helper} knew a secret place full of flowers and took {name} there."),
                            new Problem("a big bee was sitting on the flowers", "There is a bee on the flowers",
                                    "{helper} waited with {name} until the bee flew away.")),
                    goal("home", "find the way back home", List.of("forest", "woods"),
                            "Soon {name} was home again, safe and warm.",
                            new Problem("it got dark, and all the trees looked the same", "I am lost",
                                    "{helper} knew the way and walked with {name} all the way home."),
                            new Problem("a big log was lying across the path", "A big log is on the path",
                                    "{helper} helped {name} push the log off the path.")),
                    goal("river", "cross the river to play on the other side", List.of("river"),
                            "Soon {name} was on the other side of the river.",
                            new Problem("the water was too deep", "The water is too deep",
                                    "{helper} showed {name} a row of big stones to step on."),
                            new Problem("the old bridge was broken", "The bridge is broken",
                                    "{helper} put a long board across the river.")),
                    goal("swing", "play on the swing", List.of("playground", "park"),
                            "{name} swung high, up and down, up and down.",
                            new Problem("the swing was too high", "I cannot reach the swing",
                                    "{helper} lifted {name} up onto the swing."),
                            new Problem("a big dog was sleeping under the swing", "A big dog is sleeping under the swing",
                                    "{helper} gave the dog a bone, and the dog went away.")),
                    goal("seed", "plant a little seed", List.of("garden", "farm"),
                            "A few days later, a little green plant came up.",
                            new Problem("the ground was too hard", "The ground is too hard",
                                    "{helper} brought a little shovel and dug a hole."),
                            new Problem("there was no water for the seed", "I have no water for my seed",
                                    "{helper} filled a can with water from the well.")),
                    goal("paint", "paint a picture of the {place}", List.of("park", "garden", "lake", "hill", "meadow"),
                            "The picture was bright and beautiful.",
                            new Problem("the wind blew the paper away", "My paper blew away",
                                    "{helper} ran fast and caught the paper."),
                            new Problem("{his} brush was broken", "My brush is broken",
                                    "{helper} shared a brush with {name}.")),
                    goal("stars", "see the stars at night", List.of("field", "meadow", "garden"),
                            "The sky was full of bright stars.",
                            new Problem("big clouds covered the sky", "I cannot see the stars",
                                    "{helper} sat with {name} and waited until the clouds went away."),
                            new Problem("the trees were too tall to see the sky", "The trees are too tall",
                                    "{helper} took {name} to the top of a hill, where the sky was open."))),
            ENDINGS);

    static final Tables SEA = new Tables(
            List.of("house by the sea", "village by the sea", "lighthouse", "hut on the beach"),
            List.of("swim in the sea", "look for shells on the beach", "watch the boats", "listen to the waves",
                    "play in the sand", "fish from the dock"),
            Stream.concat(HERO_KINDS_COMMON.stream(), Stream.of("penguin", "otter")).toList(),
            List.of("seal", "crab", "turtle", "dolphin", "gull", "whale", "octopus", "pelican"),
            Stream.concat(HELPER_NAMES.stream(), Stream.of("Bubbles", "Splash")).toList(),
            List.of("The waves splashed on the sand.",
                    "A salty wind blew from the sea.",
                    "Gulls flew over the water.",
                    "A big ship with white sails was far out at sea.",
                    "The sea was calm and blue."),
            List.of(
                    goal("kite", "fly {his} {color} kite", List.of("beach", "shore"),
                            "Soon the kite was flying high over the waves.",
                            KITE.problems().get(0),
                            new Problem("the wind blew the kite into the sea", "My kite fell into the sea",
                                    "{helper} swam out and brought the kite back to the shore.")),
                    goal("ball", "play with {his} {color} ball", List.of("beach", "shore"),
                            "{name} and {helper} threw the ball back and forth on the sand.",
                            new Problem("the ball rolled away, and {name} could not find it", "I lost my ball",
                                    "{helper} looked behind the rocks and found the ball."),
                            new Problem("the waves took the ball out to sea", "My ball is in the sea",
                                    "{helper} swam out and pushed the ball back to the shore.")),
                    goal("shell", "find a shiny shell", List.of("beach", "shore", "bay"),
                            "{name} held up a shiny pink shell.",
                            new Problem("the waves had washed all the shells away", "The waves took all the shells",
                                    "{helper} dived under the water and came back with a shiny shell."),
                            new Problem("a crab was sitting on the best shell", "A crab is sitting on the shell",
                                    "{helper} asked the crab to move, and the crab walked away.")),
                    goal("fish", "catch a big fish", List.of("dock", "harbour", "bay"),
                            "Soon there was a big silver fish in the net.",
                            new Problem("{his} fishing net had a big hole", "My net has a hole",
                                    "{helper} fixed the net with a strong rope."),
                            new Problem("the fish swam too fast", "The fish are too fast",
                                    "{helper} showed {name} a quiet spot where the fish swam slowly.")),
                    goal("boat", "sail {his} little boat to the island", List.of("harbour", "dock", "beach"),
                            "The little boat sailed over the waves to the island.",
                            new Problem("the sail of the boat was torn", "My sail is torn",
                                    "{helper} sewed the sail with a needle and thread."),
                            new Problem("the wind kept pushing the boat back to the shore", "The wind keeps pushing my boat back",
                                    "{helper} tied a rope to the boat and pulled it out to sea.")),
                    goal("sandcastle", "build a big sandcastle", List.of("beach", "shore", "island"),
                            "Soon there was a big sandcastle with four towers.",
                            new Problem("the waves kept knocking it down", "The waves keep breaking my castle",
                                    "{helper} helped {name} build a wall of sand to stop the waves."),
                            new Problem("the sand was too dry", "The sand is too dry",
                                    "{helper} brought a bucket of sea water to make the sand wet.")),
                    goal("rock", "swim to the big rock", List.of("beach", "bay", "shore"),
                            "Soon {name} was sitting on the big rock, looking at the sea.",
                            new Problem("the waves were too big", "The waves are too big",
                                    "{helper} swam next to {name} until the waves were calm."),
                            new Problem("the water was very cold", "The water is so cold",
                                    "{helper} swam with {name}, fast and strong, to keep warm."))),
            Stream.concat(ENDINGS.stream(), Stream.of(
                    "Then {name} and {helper} sailed home together over the blue sea.",
                    "That night, {name} fell asleep to the sound of the waves.")).toList());

    /** Places where the sun, the birds and the waves of a scene sentence would be out of place. */
    private static final Set<String> INDOORS = Set.of("kitchen", "playroom");
    private static final Pattern SLOT = Pattern.compile("\\{([a-z0-9]+)}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z]+");

    private StoryGrammar() {}

    static Tables tables(StoryStyle style) {
        return switch (style) {
            case PLAIN -> PLAIN;
            case SEA -> SEA;
        };
    }

    /** Whether {@code name} is one of the heroes' names and, if so, a girl's; null for any other word. */
    public static Boolean heroIsGirl(String name) {
        if (GIRLS.contains(name)) return true;
        if (BOYS.contains(name)) return false;
        return null;
    }

    /** The keys of the goals of a style ({@code kite}, {@code ball}, ...), in table order. */
    public static List<String> goals(StoryStyle style) {
        return tables(style).goals().stream().map(Goal::key).toList();
    }

    /** The heroes' names: girls, then boys. */
    public static List<String> heroNames() {
        return Stream.concat(GIRLS.stream(), BOYS.stream()).toList();
    }

    /**
     * Every word a story of {@code style} can contain, in lower case, sorted: the words of all the grammar's
     * templates and lists (slots excluded) plus "an", which replaces "a" before a vowel.
     */
    public static Set<String> vocabulary(StoryStyle style) {
        Tables t = tables(style);
        Stream<String> core = Stream.of(HE, SHE, CHILDREN, GIRLS, BOYS, HERO_ADJECTIVES, HELPER_ADJECTIVES, COLORS, FAMILY, HOME_ADJECTIVES,
                TIMES, TRAITS, SAD, GLAD, OPENINGS, TRAIT_SENTENCES, SETTINGS, GOAL_SENTENCES, PROBLEM_SENTENCES, FEELINGS,
                ARRIVALS, QUESTIONS, ANSWERS, OFFERS, REACHED, THANKS).flatMap(List::stream);
        Set<String> words = new TreeSet<>();
        words.add("an");
        Stream.concat(core, t.strings()).forEach(s -> {
            Matcher m = WORD.matcher(SLOT.matcher(s).replaceAll(" "));
            while (m.find()) words.add(m.group().toLowerCase(Locale.ROOT));
        });
        return words;
    }

    /** A story of {@code style} drawn from {@code random}; the same generator state gives the same story. */
    public static Story story(StoryStyle style, Random random) {
        Tables t = tables(style);
        boolean girl = random.nextBoolean();
        String name = pick(random, girl ? GIRLS : BOYS);
        Goal goal = pick(random, t.goals());
        Problem problem = pick(random, goal.problems());
        String helper = pick(random, t.helperNames());

        Map<String, String> slots = new HashMap<>();
        slots.put("name", name);
        List<String> pronouns = girl ? SHE : HE;
        slots.put("he", pronouns.get(0));
        slots.put("him", pronouns.get(1));
        slots.put("his", pronouns.get(2));
        slots.put("adj", pick(random, HERO_ADJECTIVES));
        slots.put("kind", random.nextInt(3) == 0 ? CHILDREN.get(girl ? 0 : 1) : pick(random, t.heroKinds()));
        slots.put("homeadj", pick(random, HOME_ADJECTIVES));
        slots.put("home", pick(random, t.homes()));
        slots.put("color", pick(random, COLORS));
        slots.put("family", pick(random, FAMILY));
        slots.put("trait", pick(random, TRAITS));
        slots.put("time", pick(random, TIMES));
        slots.put("place", pick(random, goal.places()));
        slots.put("helper", helper);
        slots.put("hkind", pick(random, t.helperKinds()));
        slots.put("hadj", pick(random, HELPER_ADJECTIVES));
        slots.put("sad", pick(random, SAD));
        slots.put("glad", pick(random, GLAD));
        // nested slots: a goal, problem or hobby names the hero, the colour, the family member
        List<String> hobbies = new ArrayList<>(t.hobbies());
        java.util.Collections.shuffle(hobbies, random);                   // its algorithm is specified: same Random, same order
        slots.put("hobby", fill(hobbies.get(0), slots));
        slots.put("hobby2", fill(hobbies.get(1), slots));
        slots.put("hobby3", fill(hobbies.get(2), slots));
        slots.put("want", fill(goal.want(), slots));
        slots.put("problem", fill(problem.problem(), slots));
        slots.put("complaint", fill(problem.complaint(), slots));

        List<String> sentences = new ArrayList<>();
        sentences.add(pick(random, OPENINGS));
        sentences.addAll(distinct(random, TRAIT_SENTENCES, 1 + random.nextInt(2)));
        sentences.add(pick(random, SETTINGS));
        if (!INDOORS.contains(slots.get("place"))) {
            sentences.addAll(distinct(random, t.scenes(), style == StoryStyle.SEA ? 1 + random.nextInt(2) : random.nextInt(2)));
        }
        sentences.add(pick(random, GOAL_SENTENCES));
        sentences.add(pick(random, PROBLEM_SENTENCES));
        sentences.addAll(distinct(random, FEELINGS, 1 + random.nextInt(2)));
        sentences.add(pick(random, ARRIVALS));
        sentences.add(pick(random, QUESTIONS));
        sentences.add(pick(random, ANSWERS));
        sentences.add(pick(random, OFFERS));
        sentences.add(problem.solution());
        sentences.add(random.nextBoolean() ? goal.outcome() : pick(random, REACHED));
        sentences.addAll(distinct(random, THANKS, 1 + random.nextInt(2)));
        sentences.addAll(distinct(random, t.endings(), 1 + random.nextInt(2)));

        StringBuilder text = new StringBuilder();
        for (String sentence : sentences) {
            if (!text.isEmpty()) text.append(' ');
            text.append(capitalize(articles(fill(sentence, slots))));
        }
        return new Story(text.toString(), name, girl, helper, goal.key(), slots.get("place"), style);
    }

    /** {@code template} with every {@code {slot}} replaced by its value. */
    static String fill(String template, Map<String, String> slots) {
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = slots.get(m.group(1));
            if (value == null) throw new IllegalStateException("template slot {" + m.group(1) + "} has no value in: " + template);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** "a" before a word that starts with a vowel becomes "an" ("a old owl" -> "an old owl"). */
    static String articles(String sentence) {
        return sentence.replaceAll("\\b([Aa]) (?=[aeiouAEIOU])", "$1n ");
    }

    /** The first letter upper case; a sentence may start with a slot ({@code {he} loved ...}). */
    static String capitalize(String sentence) {
        for (int i = 0; i < sentence.length(); i++) {
            if (Character.isLetter(sentence.charAt(i))) {
                return sentence.substring(0, i) + Character.toUpperCase(sentence.charAt(i)) + sentence.substring(i + 1);
            }
        }
        return sentence;
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    /** {@code k} different entries of {@code list}, in the list's order, so a story reads in a natural sequence. */
    private static List<String> distinct(Random random, List<String> list, int k) {
        boolean[] chosen = new boolean[list.size()];
        for (int taken = 0; taken < Math.min(k, list.size()); ) {
            int i = random.nextInt(list.size());
            if (!chosen[i]) {
                chosen[i] = true;
                taken++;
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) if (chosen[i]) out.add(list.get(i));
        return out;
    }
}
