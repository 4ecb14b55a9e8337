package city.pulse.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The normalisers of jobs/enrich-user-events/normalize.ts, ported rule for rule: device type,
 * country → region (over the data of the npm package countries-list, shipped as the resource
 * countries.json) and free-text category → taxonomy. Each answers what the TypeScript answers for
 * the same input, JavaScript regular-expression quirks included (see {@link Js}).
 */
final class Normalize {
  private Normalize() {}

  /** A category of the taxonomy, with a subcategory or null. */
  record Mapped(String category, String subcategory) {}

  private record Rule<T>(Pattern re, T value) {}

  private static final String B = Js.B;
  private static final String D = Js.DOT;

  private static final List<Rule<String>> DEVICE_WORDS =
      List.of(
          rule("tablet|ipad|tab" + B + "|kindle", "TABLET"),
          rule(
              B + "tv" + B + "|smart" + D + "?tv|television|tvos|roku|fire" + D
                  + "?tv|chromecast|console",
              "TV"),
          rule("mobile|phone|iphone|android|ios|smartphone|handy|móvil|movil", "MOBILE"),
          rule("desktop|web|pc|laptop|mac|windows|linux|computer|browser", "DESKTOP"));

  /** MOBILE, DESKTOP, TABLET, TV or OTHER from whatever the client called its device. */
  static String normalizeDevice(String device) {
    if (device == null || device.isEmpty()) return "OTHER";
    String d = Js.codeUnits(Js.lower(Js.trim(device)));
    for (Rule<String> r : DEVICE_WORDS) if (r.re.matcher(d).find()) return r.value;
    return "OTHER";
  }

  // ---- countries ---------------------------------------------------------------------------

  private record Country(String iso2, String continent, String name, String nativeName,
      List<String> aliases) {}

  private static final Set<String> MIDDLE_EAST =
      Set.of(
          "AE", "BH", "CY", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR",
          "YE", "GE", "AM", "AZ");

  /** In the package's key order, which is the order its getCountryCode searches. */
  private static final List<Country> COUNTRIES = new ArrayList<>();
  private static final Map<String, Country> BY_ISO2 = new HashMap<>();
  private static final Map<String, String> ISO3 = new HashMap<>();

  static {
    try (InputStream in = Normalize.class.getResourceAsStream("/countries.json")) {
      if (in == null) throw new IllegalStateException("resource countries.json is missing");
      JsonNode rows = new ObjectMapper().readTree(in);
      for (JsonNode row : rows) {
        List<String> aliases = new ArrayList<>();
        for (JsonNode a : row.get(5)) aliases.add(a.asText());
        Country c =
            new Country(
                row.get(0).asText(), row.get(2).asText(), row.get(3).asText(),
                row.get(4).asText(), List.copyOf(aliases));
        COUNTRIES.add(c);
        BY_ISO2.put(c.iso2, c);
        // new Map(list.map(c => [c.iso3, c.iso2])): a later duplicate wins.
        if (!row.get(1).isNull()) ISO3.put(row.get(1).asText(), c.iso2);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** countries-list's getCountryCode: name, native name or alias, case-insensitive, first match. */
  private static String countryCodeByName(String name) {
    String g = Js.trim(name);
    for (Country c : COUNTRIES) {
      if (Js.equalsIgnoreCaseJs(g, c.name) || Js.equalsIgnoreCaseJs(g, c.nativeName)) return c.iso2;
      for (String a : c.aliases) if (Js.equalsIgnoreCaseJs(g, a)) return c.iso2;
    }
    return null;
  }

  /** An ISO 3166 code (alpha-2 or alpha-3, any case) or English/native name → alpha-2, or null. */
  static String countryCode(String geo) {
    if (geo == null || geo.isEmpty()) return null;
    String g = Js.trim(geo);
    String upper = Js.upper(g);
    if (upper.length() == 2 && BY_ISO2.containsKey(upper)) return upper;
    if (upper.equals("UK")) return "GB";
    if (upper.length() == 3 && ISO3.containsKey(upper)) return ISO3.get(upper);
    return countryCodeByName(g);
  }

  /** EMEA, AMER or APAC for a country (code or name); null when it is not a known country. */
  static String geoRegion(String geo) {
    String code = countryCode(geo);
    if (code == null) return null;
    switch (BY_ISO2.get(code).continent) {
      case "NA", "SA" -> {
        return "AMER";
      }
      case "AS" -> {
        return MIDDLE_EAST.contains(code) ? "EMEA" : "APAC";
      }
      case "OC" -> {
        return "APAC";
      }
      case "EU", "AF" -> {
        return "EMEA";
      }
      default -> {
        return null; // Antarctica
      }
    }
  }

  // ---- categories --------------------------------------------------------------------------

  private static final List<Rule<Mapped>> CATEGORY_WORDS =
      List.of(
          cat(B + "jazz" + B, "music", "jazz"),
          cat(B + "opera" + B + "|" + B + "oper" + B + "|" + B + "ópera" + B, "music", "opera"),
          cat(
              "classical|klassik|classique|clásica|clasica|orchestra|orchester|symphon",
              "music",
              "classical"),
          cat(B + "rock" + B + "|punk", "music", "rock"),
          cat(B + "pop" + B, "music", "pop"),
          cat("electronic|techno|house|" + B + "edm" + B + "|" + B + "dj" + B, "music", "electronic"),
          cat("hip" + D + "?hop|" + B + "rap" + B, "music", "hip-hop"),
          cat("music|musik|musique|música|musica|concert|konzert|concierto|gig" + B, "music", null),
          cat("ballet|ballett", "dance", "ballet"),
          cat("dance|tanz|danse|danza|tango|flamenco", "dance", null),
          cat("musical", "theatre", "musical"),
          cat("theat|théâtre|teatro|schauspiel|drama|stage|bühne|buhne", "theatre", null),
          cat("stand" + D + "?up|comedy|kabarett|comédie|comedie|humou?r", "comedy", null),
          cat("cinema|kino|film|movie|cine" + B + "|ciné|screening", "cinema", null),
          cat(
              "exhibit|ausstellung|exposition|exposición|exposicion|mostra|museum|gallery|galerie|art"
                  + B
                  + "|kunst",
              "exhibition",
              null),
          cat("festival", "festival", null),
          cat(
              "talk|lecture|vortrag|conférence|conference|conferencia|reading|lesung|panel|workshop",
              "talk",
              null),
          cat("family|famil|kids|kinder|children|enfants|niños|ninos", "family", null));

  /** The taxonomy category (and subcategory) of a free-text category, or null when unmapped. */
  static Mapped mapCategory(String text) {
    if (text == null || text.isEmpty()) return null;
    String t = Js.lower(Js.trim(text));
    // const [head = '', sub] = t.split('/')
    int slash = t.indexOf('/');
    String head = slash < 0 ? t : t.substring(0, slash);
    String sub = null;
    if (slash >= 0) {
      int next = t.indexOf('/', slash + 1);
      sub = next < 0 ? t.substring(slash + 1) : t.substring(slash + 1, next);
    }
    if (Taxonomy.CATEGORIES.contains(head)) {
      boolean known = sub != null && !sub.isEmpty() && Taxonomy.SUBCATEGORIES.get(head).contains(sub);
      return new Mapped(head, known ? sub : null);
    }
    String units = Js.codeUnits(t);
    for (Rule<Mapped> r : CATEGORY_WORDS) if (r.re.matcher(units).find()) return r.value;
    return null;
  }

  private static Rule<String> rule(String re, String value) {
    return new Rule<>(Pattern.compile(re), value);
  }

  private static Rule<Mapped> cat(String re, String category, String sub) {
    return new Rule<>(Pattern.compile(re), new Mapped(category, sub));
  }

  /** For a unit test: every country code the data knows. */
  static Set<String> knownCodes() {
    return new HashSet<>(BY_ISO2.keySet());
  }
}
