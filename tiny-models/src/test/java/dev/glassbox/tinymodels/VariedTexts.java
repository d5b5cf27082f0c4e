package dev.glassbox.tinymodels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Texts that try a tokenizer at its edges, the same on every run (seeded): ASCII prose, punctuation runs, digits
 * and long numbers, runs of spaces, tabs and line ends, accented letters precomposed and with combining marks,
 * CJK, Cyrillic, Greek, Arabic and Hangul, emoji (surrogate pairs, skin tones, flags, ZWJ sequences), code, the
 * tokenizer's own special-token text in and between words, the empty text, and random mixtures of all of these.
 * No lone surrogates: they are not text (Hugging Face's tokenizers cannot even be given one through Java).
 */
public final class VariedTexts {
    static final long SEED = 15;

    private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "Once", "upon", "time", "little", "girl", "named",
            "Lily", "wanted", "to", "play", "with", "her", "friends", "It's", "don't", "we'll", "they've", "I'm", "she'd", "you're",
            "HELLO", "World", "tokenizer", "unbelievably", "antidisestablishmentarianism", "GPU", "x", "Q", "naïve", "café"};
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…—–«»¿¡§¶•·";
    private static final String[] SPACES = {" ", "  ", "\t", "\n", "\r\n", "\n\n", " \t ", "\u00A0", "\u3000", "\u2003", "\r", "\u000B", "\f"};
    private static final String[] ACCENTED = {"é", "e\u0301", "ñ", "n\u0303", "Å", "A\u030A", "ø", "ß", "Ç", "ő", "Việt Nam", "Ä\u0308",
            "a\u0300\u0301\u0302", "ﬁ", "Ǆ", "İstanbul", "ÉCOLE", "résumé", "Zoë", "ﬀ"};
    private static final String[] SCRIPTS = {"日本語のテキスト", "中文分词测试", "漢字", "ｶﾀｶﾅ", "Привет, мир", "Ёлка", "Καλημέρα κόσμε",
            "ΑΒΓ αβγ", "مرحبا بالعالم", "السلام عليكم", "안녕하세요 세계", "한국어", "\u1100\u1161\u11A8", "שלום", "नमस्ते", "ไทย", "Ελληνικά"};
    private static final String[] EMOJI = {"😀", "👍🏽", "👨\u200D👩\u200D👧\u200D👦", "🏳️\u200D🌈", "🇯🇵", "🇺🇸🇫🇷", "❤️", "🧑\u200D💻",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟘𝟙𝟚", "🀄", "☃", "\uD83D\uDE00\uD83D\uDE01", "🫠", "👩🏿\u200D🦱"};
    private static final String[] CODE = {"for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}", "def f(x):\n    return x**2  # square",
            "if (a && b || !c) return;", "<div class=\"x\">&amp;</div>", "SELECT * FROM t WHERE id=42;", "x->y = *p++;",
            "{\"key\": [1, 2.5e-3, null, true]}", "fn main() { println!(\"{}\", 1_000); }", "$ ls -la | grep '.java'", "a[::2] != b[-1:]"};

    private VariedTexts() {}

    /**
     * {@code count} texts (at least the fixed edge cases): the edge cases first, then generated ones, one kind after
     * another. {@code specials} is the text of the tokenizer's added tokens, put into some of the texts.
     */
    public static List<String> of(int count, List<String> specials) {
        Random random = new Random(SEED);
        List<String> texts = new ArrayList<>(List.of("", " ", "a", "\n", "  \t\n", "0", "'s", " 's", "    leading", "trailing    ",
                "1234567890123456789012345678901234567890", "3.14159 -42 1,000,000 1e10 0x1F", "!!!???...", "中", "😀", "e\u0301",
                "👨\u200D👩\u200D👧\u200D👦"));
        for (String s : specials) {
            texts.add(s);
            texts.add(s + s);
            texts.add(" " + s + " ");
            texts.add("word" + s + "word");
            texts.add("Hello world." + s + "Once upon a time");
            texts.add(s.substring(0, s.length() - 1));                         // almost the special token, not quite
        }
        for (int i = 0; texts.size() < count; i++) {
            texts.add(switch (i % 12) {
                case 0 -> prose(random);
                case 1 -> punctuation(random);
                case 2 -> numbers(random);
                case 3 -> whitespace(random);
                case 4 -> pick(random, ACCENTED) + " " + prose(random) + " " + pick(random, ACCENTED);
                case 5, 6 -> pick(random, SCRIPTS) + pick(random, SPACES) + pick(random, SCRIPTS);
                case 7 -> pick(random, EMOJI) + pick(random, EMOJI) + " " + pick(random, WORDS) + pick(random, EMOJI);
                case 8 -> pick(random, CODE);
                case 9 -> specials.isEmpty() ? prose(random) : prose(random) + pick(random, specials.toArray(String[]::new)) + prose(random);
                default -> mixture(random);
            });
        }
        return texts;
    }

    private static String prose(Random random) {
        StringBuilder s = new StringBuilder();
        int words = 1 + random.nextInt(12);
        for (int w = 0; w < words; w++) {
            if (w > 0) s.append(random.nextInt(10) == 0 ? ", " : " ");
            s.append(pick(random, WORDS));
        }
        return s.append(random.nextBoolean() ? "." : random.nextBoolean() ? "!" : "").toString();
    }

    private static String punctuation(Random random) {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(16);
        for (int i = 0; i < n; i++) {
            s.append(PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())));
            if (random.nextInt(5) == 0) s.append(random.nextBoolean() ? " " : pick(random, WORDS));
        }
        return s.toString();
    }

    private static String numbers(Random random) {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) s.append(random.nextBoolean() ? " " : pick(random, new String[] {",", "-", "/", ":", "."}));
            int digits = 1 + random.nextInt(random.nextInt(5) == 0 ? 40 : 6);
            for (int d = 0; d < digits; d++) s.append((char) ('0' + random.nextInt(10)));
        }
        if (random.nextInt(4) == 0) s.append("٣٤٥");                            // Arabic-Indic digits are \p{N} too
        return s.toString();
    }

    private static String whitespace(Random random) {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(pick(random, SPACES).repeat(1 + random.nextInt(4)));
            if (random.nextBoolean()) s.append(pick(random, WORDS));
        }
        return s.toString();
    }

    /** Pieces of every kind glued together, sometimes without a space between them. */
    private static String mixture(Random random) {
        String[][] pools = {WORDS, SPACES, ACCENTED, SCRIPTS, EMOJI, {punctuation(random)}, {numbers(random)}};
        StringBuilder s = new StringBuilder();
        int n = 2 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            s.append(pick(random, pools[random.nextInt(pools.length)]));
            if (random.nextInt(3) == 0) s.append(' ');
        }
        return s.toString();
    }

    private static String pick(Random random, String[] pool) {
        return pool[random.nextInt(pool.length)];
    }
}
