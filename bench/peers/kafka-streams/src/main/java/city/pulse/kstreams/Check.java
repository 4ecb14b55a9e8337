package city.pulse.kstreams;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validation of parsed JSON with the rules of the zod schemas in model/: a string is a JSON string
 * (length in UTF-16 code units, as JavaScript counts), a number is finite, {@code .int()} means a
 * safe integer, a missing key differs from {@code null}, a strict object rejects unknown keys.
 */
final class Check {
  private Check() {}

  /**
   * The one JSON factory of the app. Numbers and strings as long as JSON.parse takes them; doubles
   * read and written with the exact shortest-representation algorithms; every non-ASCII character
   * written as an escape, so that strings JSON.parse accepts with lone surrogates (which UTF-8 cannot
   * carry) are written back unchanged, as JSON.stringify writes them. ASCII text is unaffected.
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNumberLength(Integer.MAX_VALUE)
                  .maxStringLength(Integer.MAX_VALUE)
                  .build())
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .build();

  /** What writes one JSON value. */
  interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  /** Per thread, the buffer of {@link #toJson}: grown once to the largest value, then reused. */
  private static final ThreadLocal<ByteArrayOutputStream> BUFFER =
      ThreadLocal.withInitial(() -> new ByteArrayOutputStream(4096));

  /** The bytes of the JSON value {@code body} writes. */
  static byte[] toJson(JsonBody body) {
    ByteArrayOutputStream out = BUFFER.get();
    out.reset();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /**
   * JSON.parse of the record's value as the runtime decodes it ({@code buffer.toString('utf8')}):
   * a tombstone or unparsable JSON is a {@link BadRecord}. Malformed UTF-8, which Node replaces by
   * U+FFFD, is decoded the same way; a byte-order mark, which JSON.parse rejects, is rejected.
   */
  static JsonNode parse(byte[] value) throws BadRecord {
    if (value == null) throw new BadRecord("VALUE_MISSING", "record has no value");
    if (value.length >= 3 && (value[0] & 0xff) == 0xef && (value[1] & 0xff) == 0xbb
        && (value[2] & 0xff) == 0xbf) {
      throw new BadRecord("JSON_INVALID", "value is not JSON: unexpected byte-order mark");
    }
    try (JsonParser p = MAPPER.createParser(value)) {
      return readWhole(p);
    } catch (IOException e) {
      // Jackson refuses malformed UTF-8 that Node would have decoded: try the decoded text.
      try (JsonParser p = MAPPER.createParser(new String(value, StandardCharsets.UTF_8))) {
        return readWhole(p);
      } catch (IOException ignored) {
        throw new BadRecord("JSON_INVALID", "value is not JSON: " + firstLine(e.getMessage()));
      }
    }
  }

  private static JsonNode readWhole(JsonParser p) throws IOException, BadRecord {
    JsonNode n = MAPPER.readTree(p);
    if (n == null || n.isMissingNode()) throw new BadRecord("JSON_INVALID", "value is empty");
    if (p.nextToken() != null) throw new BadRecord("JSON_INVALID", "trailing data after JSON");
    return n;
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static JsonNode object(JsonNode n, String path) throws BadRecord {
    if (n == null || !n.isObject()) throw BadRecord.schema(path, "expected object");
    return n;
  }

  /** A strict object: every key must be one of {@code allowed}. */
  static void strict(JsonNode n, Set<String> allowed, String path) throws BadRecord {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) throw BadRecord.schema(path, "unrecognized key \"" + k + "\"");
    }
  }

  static String str(JsonNode o, String key, int min, int max, String path) throws BadRecord {
    JsonNode n = o.get(key);
    if (n == null || !n.isTextual()) throw BadRecord.schema(join(path, key), "expected string");
    String s = n.textValue();
    if (s.length() < min) throw BadRecord.schema(join(path, key), "too short");
    if (s.length() > max) throw BadRecord.schema(join(path, key), "too long");
    return s;
  }

  /** An optional string: absent → null; present (even null) must be a string. */
  static String optStr(JsonNode o, String key, int max, String path) throws BadRecord {
    return o.has(key) ? str(o, key, 0, max, path) : null;
  }

  /** A required but nullable string. */
  static String nullableStr(JsonNode o, String key, int min, int max, String path) throws BadRecord {
    JsonNode n = o.get(key);
    if (n != null && n.isNull()) return null;
    return str(o, key, min, max, path);
  }

  static double num(JsonNode o, String key, double min, double max, String path) throws BadRecord {
    JsonNode n = o.get(key);
    if (n == null || !n.isNumber()) throw BadRecord.schema(join(path, key), "expected number");
    double d = n.doubleValue();
    if (!Double.isFinite(d)) throw BadRecord.schema(join(path, key), "expected number");
    if (d < min) throw BadRecord.schema(join(path, key), "too small");
    if (d > max) throw BadRecord.schema(join(path, key), "too big");
    return d;
  }

  /** A required but nullable number; null is returned as NaN. */
  static double nullableNum(JsonNode o, String key, double min, double max, String path)
      throws BadRecord {
    JsonNode n = o.get(key);
    if (n != null && n.isNull()) return Double.NaN;
    return num(o, key, min, max, path);
  }

  /** z.number().int().nonnegative(). */
  static long nonNegInt(JsonNode o, String key, String path) throws BadRecord {
    double d = num(o, key, 0, Double.MAX_VALUE, path);
    if (!Js.isSafeInteger(d)) throw BadRecord.schema(join(path, key), "expected int");
    return (long) d;
  }

  static boolean bool(JsonNode o, String key, String path) throws BadRecord {
    JsonNode n = o.get(key);
    if (n == null || !n.isBoolean()) throw BadRecord.schema(join(path, key), "expected boolean");
    return n.booleanValue();
  }

  static String oneOf(JsonNode o, String key, List<String> values, String path) throws BadRecord {
    JsonNode n = o.get(key);
    if (n == null || !n.isTextual() || !values.contains(n.textValue())) {
      throw BadRecord.schema(join(path, key), "expected one of " + values);
    }
    return n.textValue();
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
