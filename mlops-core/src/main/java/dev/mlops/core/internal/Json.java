package dev.mlops.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mlops.CorruptDataException;
import java.io.IOException;

/**
 * The one JSON mapper of mlops-core's stored formats. Unknown fields are ignored so that newer
 * writers stay readable by older readers within one format version.
 *
 * <p>Thread-safe.
 */
public final class Json {
  /** Shared, configured mapper. */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new Jdk8Module())
      .addModule(new JavaTimeModule())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private Json() {}

  /**
   * @param value a DTO
   * @return its JSON bytes
   */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
    }
  }

  /**
   * @param key the storage key the bytes came from, named in errors
   * @param bytes JSON
   * @param type DTO type
   * @return the parsed value
   * @throws CorruptDataException naming the key if the bytes are not valid JSON of that type
   */
  public static <T> T read(String key, byte[] bytes, Class<T> type) {
    try {
      T v = MAPPER.readValue(bytes, type);
      if (v == null) {
        throw new CorruptDataException("stored object '" + key + "' is empty JSON (null)");
      }
      return v;
    } catch (IOException | RuntimeException e) {
      if (e instanceof CorruptDataException c) {
        throw c;
      }
      throw new CorruptDataException("stored object '" + key + "' is not a valid " + type.getSimpleName()
          + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
