package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.stream.XMLStreamException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Which failures are retried, and what the caller sees when retries end. */
class S3RequestRetrierTest {

  private static S3Exception s3(int status, String code) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " message").build())
        .message(code).build();
  }

  @Test
  void throttlingServerErrorsConflictsAndLostConnectionsAreTransient() {
    assertThat(S3RequestRetrier.isTransient(s3(503, "SlowDown"))).isTrue();
    assertThat(S3RequestRetrier.isTransient(s3(500, "InternalError"))).isTrue();
    assertThat(S3RequestRetrier.isTransient(s3(409, "ConditionalRequestConflict"))).isTrue();
    assertThat(S3RequestRetrier.isTransient(s3(429, "TooManyRequests"))).isTrue();
    assertThat(S3RequestRetrier.isTransient(s3(400, "RequestTimeout"))).isTrue();
    assertThat(S3RequestRetrier.isTransient(SdkClientException.create("Unable to execute HTTP request",
        new SocketException("Connection reset")))).isTrue();
    assertThat(S3RequestRetrier.isTransient(SdkClientException.create("Unable to unmarshall response",
        new XMLStreamException("ParseError: Connection reset")))).isTrue();
    assertThat(S3RequestRetrier.isTransient(new UncheckedIOException(new IOException("short body")))).isTrue();
  }

  @Test
  void refusalsAndConfigurationErrorsAreNot() {
    assertThat(S3RequestRetrier.isTransient(s3(403, "AccessDenied"))).isFalse();
    assertThat(S3RequestRetrier.isTransient(s3(404, "NoSuchBucket"))).isFalse();
    assertThat(S3RequestRetrier.isTransient(s3(412, "PreconditionFailed"))).isFalse();
    assertThat(S3RequestRetrier.isTransient(s3(400, "InvalidArgument"))).isFalse();
    assertThat(S3RequestRetrier.isTransient(SdkClientException.create(
        "Unable to load credentials from any of the providers in the chain"))).isFalse();
    assertThat(S3RequestRetrier.isTransient(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void retriesUntilSuccessThenReturnsTheResult() {
    S3RequestRetrier retrier = new S3RequestRetrier(5, Duration.ofMillis(1), Duration.ofMillis(2), 1, "s3://b");
    AtomicInteger calls = new AtomicInteger();
    String result = retrier.call("create", "k", attempt -> {
      if (calls.incrementAndGet() < 3) {
        throw s3(503, "SlowDown");
      }
      return "done on attempt " + attempt;
    });
    assertThat(result).isEqualTo("done on attempt 3");
  }

  @Test
  void exhaustedRetriesAreRetryableAndPermanentErrorsAreNotRetried() {
    S3RequestRetrier retrier = new S3RequestRetrier(3, Duration.ofMillis(1), Duration.ofMillis(2), 1, "s3://b/p");
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> retrier.call("get", "a/key", attempt -> {
      calls.incrementAndGet();
      throw s3(500, "InternalError");
    })).isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("a/key").hasMessageContaining("s3://b/p").hasMessageContaining("3 attempts")
        .hasMessageContaining("HTTP 500 InternalError");
    assertThat(calls).hasValue(3);

    calls.set(0);
    assertThatThrownBy(() -> retrier.call("get", "a/key", attempt -> {
      calls.incrementAndGet();
      throw s3(403, "AccessDenied");
    })).isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("a/key").hasMessageContaining("403");
    assertThat(calls).hasValue(1);

    assertThatThrownBy(() -> retrier.call("create", "a/key", attempt -> {
      throw new AlreadyExistsException("exists");
    })).isInstanceOf(AlreadyExistsException.class);
  }
}
