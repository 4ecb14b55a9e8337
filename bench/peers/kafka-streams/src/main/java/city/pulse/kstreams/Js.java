package city.pulse.kstreams;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Locale;

/**
 * The few JavaScript semantics the TypeScript jobs rely on, reproduced exactly: what
 * {@code String.prototype.trim} removes, case mapping, the ASCII {@code \b} and {@code .} of a
 * non-unicode RegExp, the case folding of its {@code i} flag, and numbers written as JSON.stringify
 * would (integral values without a fraction).
 */
final class Js {
  private Js() {}

  /**
   * A JS (non-unicode) RegExp {@code \b}: between an ASCII word character and anything else. Java's
   * own {@code \b} counts every Unicode letter as a word character (on Java 17), so "ópera" would
   * start at a boundary in Java but not in JavaScript.
   */
  static final String B =
      "(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))";

  /** A JS RegExp {@code .}: any code unit but the four line terminators. */
  static final String DOT = "[^\\n\\r\\u2028\\u2029]";

  /**
   * The string as a non-unicode JS RegExp sees it, for the patterns of {@link Normalize}: one
   * character per UTF-16 code unit. Java matches code points, so a surrogate pair would be one
   * character to {@link #DOT}; each surrogate is replaced by U+FFFF, which those patterns treat
   * exactly like a lone code unit (matched by {@link #DOT}, not a word character, no literal).
   */
  static String codeUnits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        char[] cs = s.toCharArray();
        for (int j = i; j < cs.length; j++) if (Character.isSurrogate(cs[j])) cs[j] = '\uFFFF';
        return new String(cs);
      }
    }
    return s;
  }

  /** JS whitespace and line terminators, as {@code String.prototype.trim} removes them. */
  static boolean isJsSpace(char c) {
    switch (c) {
      case '\t', '\n', '\u000B', '\f', '\r', ' ', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F',
          '\u205F', '\u3000', '\uFEFF' -> {
        return true;
      }
      default -> {
        return c >= '\u2000' && c <= '\u200A';
      }
    }
  }

  static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isJsSpace(s.charAt(start))) start++;
    while (end > start && isJsSpace(s.charAt(end - 1))) end--;
    return start == 0 && end == s.length() ? s : s.substring(start, end);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  /** The Canonicalize operation of a non-unicode, ignore-case RegExp (ECMA-262 22.2.2.7.3). */
  static char canonicalize(char ch) {
    String u = String.valueOf(ch).toUpperCase(Locale.ROOT);
    if (u.length() != 1) return ch;
    char cu = u.charAt(0);
    if (ch >= 128 && cu < 128) return ch;
    return cu;
  }

  /** What {@code new RegExp('^' + escaped(a) + '$', 'i').test(b)} answers: a literal, case-folded match. */
  static boolean equalsIgnoreCaseJs(String a, String b) {
    if (a.length() != b.length()) return false;
    for (int i = 0; i < a.length(); i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y && canonicalize(x) != canonicalize(y)) return false;
    }
    return true;
  }

  /** Writes a double as JSON.stringify would: integral values as integers, -0 as 0. */
  static void writeNumber(JsonGenerator g, double d) throws IOException {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) g.writeNumber((long) d);
    else g.writeNumber(d);
  }

  /** A JS safe integer (what zod's {@code .int()} accepts). */
  static boolean isSafeInteger(double d) {
    return d == Math.rint(d) && Math.abs(d) <= 9007199254740991.0;
  }
}
