package city.pulse.kstreams;

import java.util.List;
import java.util.Map;

/** The closed vocabularies of model/taxonomy.ts, model/user-event.ts and model/enriched-event.ts. */
final class Taxonomy {
  private Taxonomy() {}

  static final List<String> CATEGORIES =
      List.of(
          "music", "theatre", "dance", "exhibition", "cinema", "comedy", "festival", "talk",
          "family", "other");

  static final Map<String, List<String>> SUBCATEGORIES =
      Map.of(
          "music",
          List.of(
              "classical", "jazz", "rock", "pop", "electronic", "hip-hop", "folk", "world", "opera",
              "choir", "metal", "blues"),
          "theatre", List.of("drama", "comedy", "musical", "opera", "puppetry", "improv", "cabaret"),
          "dance", List.of("ballet", "contemporary", "tango", "hip-hop", "folk", "flamenco"),
          "exhibition",
          List.of("art", "photography", "design", "history", "science", "architecture"),
          "cinema",
          List.of("premiere", "classic", "documentary", "festival", "open-air", "animation"),
          "comedy", List.of("stand-up", "sketch", "improv"),
          "festival", List.of("music", "film", "arts", "food", "literature"),
          "talk", List.of("lecture", "reading", "panel", "workshop", "tour"),
          "family", List.of("children", "puppetry", "workshop", "circus"),
          "other", List.of());

  /** Event types in the order of EVENT_TYPES (the order of {@code eventCounts}). */
  static final List<String> EVENT_TYPES =
      List.of("VIEW", "CLICK", "LIKE", "SAVE", "SHARE", "PURCHASE", "DISMISS");

  /** Weights of DEFAULT_PARAMS, indexed like {@link #EVENT_TYPES}. */
  static final int[] WEIGHTS = {1, 2, 3, 3, 4, 5, -2};

  static final List<String> DEVICE_TYPES = List.of("MOBILE", "DESKTOP", "TABLET", "TV", "OTHER");
  static final List<String> GEO_REGIONS = List.of("EMEA", "AMER", "APAC");

  static int category(String c) {
    return CATEGORIES.indexOf(c);
  }

  static int eventType(String t) {
    return EVENT_TYPES.indexOf(t);
  }
}
