package city.pulse.kstreams;

/**
 * A record that is not a valid message: {@code JSON_INVALID}, {@code SCHEMA_INVALID} or
 * {@code VALUE_MISSING}, as the runtime names them. Thrown by the parsers, caught where the record is
 * read; carries no stack trace (bad records are expected input, not bugs).
 */
final class BadRecord extends Exception {
  private static final long serialVersionUID = 1L;

  final String code;

  BadRecord(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static BadRecord schema(String path, String message) {
    return new BadRecord("SCHEMA_INVALID", path + ": " + message);
  }
}
