package city.pulse.kstreams;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * The deserialization exception handler: a record that is not a valid message (see {@link
 * BadRecord}) is skipped, counted by code and reported on stdout ({@link Status}); processing goes
 * on. Our runtime dead-letters such records; neither lets one stop the job.
 */
public final class SkipBadRecords implements DeserializationExceptionHandler {
  @Override
  public DeserializationHandlerResponse handle(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String code = "DESERIALIZATION_FAILED";
    String message = String.valueOf(exception.getMessage());
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof BadRecord bad) {
        code = bad.code;
        message = bad.getMessage();
        break;
      }
    }
    Status.skipped(code, record.topic(), record.partition(), record.offset(), message);
    return DeserializationHandlerResponse.CONTINUE;
  }

  @Override
  public void configure(Map<String, ?> configs) {}
}
