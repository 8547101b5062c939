package io.rivven.bench.workload;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Generates the JSON text of {@link Workload}'s record values: a web-shop event with field values
 * drawn from vocabularies and random numbers, padded with a free-text {@code note} to an exact
 * length. ASCII only, so characters and bytes count the same. Not thread-safe (the caller's
 * random generator is not); stateless otherwise.
 */
final class JsonEvents {

    private static final String[] TYPES = {"page_view", "page_view", "page_view", "search", "add_to_cart",
        "remove_from_cart", "checkout", "purchase", "login", "logout"};
    private static final String[] SECTIONS = {"products", "deals", "account", "blog", "help", "search"};
    private static final String[] CATEGORIES = {"garden", "kitchen", "books", "toys", "outdoor", "audio",
        "office", "bikes", "tools", "fashion"};
    private static final String[] NOUNS = {"rain-barrel", "chef-knife", "sleeping-bag", "headphones",
        "desk-lamp", "bike-pump", "drill", "jacket", "teapot", "notebook", "backpack", "speaker"};
    private static final String[] REFERRERS = {"https://www.google.com/", "https://www.bing.com/",
        "https://duckduckgo.com/", "https://news.ycombinator.com/", "direct", "email-campaign-2026-11",
        "https://www.instagram.com/"};
    private static final String[] OS = {"Windows 11", "macOS 15.4", "iOS 19.1", "Android 16", "Ubuntu 24.04"};
    private static final String[] BROWSERS = {"Chrome", "Firefox", "Safari", "Edge", "Samsung Internet"};
    private static final String[][] CITIES = {{"DE", "Berlin", "52.52", "13.40"}, {"FR", "Paris", "48.85", "2.35"},
        {"US", "Seattle", "47.61", "-122.33"}, {"GB", "London", "51.51", "-0.13"}, {"JP", "Osaka", "34.69", "135.50"},
        {"BR", "Recife", "-8.05", "-34.90"}, {"IN", "Pune", "18.52", "73.86"}, {"CA", "Toronto", "43.65", "-79.38"}};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "JPY", "BRL", "INR", "CAD"};
    private static final String[] TAGS = {"new-customer", "returning", "mobile", "promo", "loyalty-gold",
        "ab-test-b", "ab-test-a", "gift", "express", "newsletter"};
    private static final String[] WORDS = ("the customer asked about delivery times for the order and wanted to "
            + "know whether express shipping was available to their region before the holiday weekend while "
            + "comparing two similar models with different colors sizes and prices then added a warranty and "
            + "a gift wrap option but removed the accessory bundle because the discount code did not apply to "
            + "items already on sale so support suggested waiting for the seasonal promotion next week").split(" ");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonEvents() {
    }

    /** The JSON event for record {@code index} of {@code user}, exactly {@code length} bytes long. */
    static byte[] event(SplittableRandom r, int index, int user, int length) {
        StringBuilder sb = new StringBuilder(length + 64);
        sb.append("{\"event_id\":\"").append(hex(r, 16)).append('"');
        sb.append(",\"ts\":").append(Workload.BASE_TIMESTAMP + index * 7L + r.nextInt(7));
        sb.append(",\"type\":\"").append(pick(r, TYPES)).append('"');
        sb.append(",\"user\":\"user-").append(user).append('"');
        sb.append(",\"session\":\"").append(hex(r, 8)).append('-').append(hex(r, 4)).append('"');
        String category = pick(r, CATEGORIES);
        sb.append(",\"page\":\"/").append(pick(r, SECTIONS)).append('/').append(category).append('/')
                .append(pick(r, NOUNS)).append('-').append(r.nextInt(1000)).append('"');
        sb.append(",\"referrer\":\"").append(pick(r, REFERRERS)).append('"');
        sb.append(",\"device\":{\"os\":\"").append(pick(r, OS)).append("\",\"browser\":\"").append(pick(r, BROWSERS))
                .append("\",\"version\":\"").append(100 + r.nextInt(40)).append('.').append(r.nextInt(10))
                .append("\",\"screen\":\"").append(r.nextBoolean() ? "1920x1080" : "390x844").append("\"}");
        String[] city = CITIES[r.nextInt(CITIES.length)];
        sb.append(",\"geo\":{\"country\":\"").append(city[0]).append("\",\"city\":\"").append(city[1])
                .append("\",\"lat\":").append(city[2]).append(r.nextInt(10)).append(r.nextInt(10))
                .append(",\"lon\":").append(city[3]).append(r.nextInt(10)).append(r.nextInt(10)).append('}');
        int items = 1 + r.nextInt(3);
        long cents = 0;
        sb.append(",\"cart\":[");
        for (int i = 0; i < items; i++) {
            int qty = 1 + r.nextInt(4);
            int price = 199 + r.nextInt(50_000);
            cents += (long) qty * price;
            sb.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(category.toUpperCase(java.util.Locale.ROOT), 0, 3)
                    .append('-').append(10_000 + r.nextInt(90_000)).append("\",\"qty\":").append(qty)
                    .append(",\"price\":").append(price / 100).append('.').append(two(price % 100)).append('}');
        }
        sb.append(']');
        sb.append(",\"amount\":").append(cents / 100).append('.').append(two((int) (cents % 100)));
        sb.append(",\"currency\":\"").append(pick(r, CURRENCIES)).append('"');
        sb.append(",\"tags\":[\"").append(pick(r, TAGS)).append("\",\"").append(pick(r, TAGS)).append("\"]");
        sb.append(",\"consent\":").append(r.nextBoolean());
        String noteOpen = ",\"note\":\"";
        String close = "\"}";
        int room = length - sb.length() - noteOpen.length() - close.length();
        if (room < 0) {
            throw new IllegalArgumentException("a JSON event needs at least " + (length - room)
                    + " bytes but the record leaves only " + length + " for the value; use records of at least "
                    + Workload.MIN_RECORD_BYTES + " bytes");
        }
        sb.append(noteOpen);
        int noteStart = sb.length();
        while (sb.length() - noteStart < room) {
            if (sb.length() > noteStart) {
                sb.append(' ');
            }
            sb.append(pick(r, WORDS));
        }
        sb.setLength(noteStart + room);
        sb.append(close);
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != length) {
            throw new IllegalStateException("generated " + bytes.length + " bytes, wanted " + length);
        }
        return bytes;
    }

    static String hex(SplittableRandom r, int digits) {
        char[] c = new char[digits];
        for (int i = 0; i < digits; i++) {
            c[i] = HEX[r.nextInt(16)];
        }
        return new String(c);
    }

    private static String pick(SplittableRandom r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
