package dev.mlops.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import java.io.IOException;
import java.util.Base64;

/**
 * Strict reading of the module's JSON documents, which are untrusted bytes: every missing field,
 * wrong type or out-of-range value is a {@link CorruptDataException} naming the document's origin
 * (a store key, a digest or a file name) and the field's path. Stateless.
 */
final class JsonFields {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // bytes after the document are damage too

  private final String origin;

  JsonFields(String origin) {
    this.origin = origin;
  }

  static byte[] write(ObjectNode root) {
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** Parses and checks the format name and version. */
  JsonNode parse(byte[] bytes, String format, int maxVersion) {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw corrupt("", "is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw corrupt("", "is not a JSON object");
    }
    String actual = text(root, "format", "format");
    if (!actual.equals(format)) {
      throw corrupt("format", "is '" + actual + "', expected '" + format + "'");
    }
    long version = integer(root, "formatVersion", "formatVersion", 1, Integer.MAX_VALUE);
    if (version > maxVersion) {
      throw corrupt("formatVersion", "is " + version + ", newer than the newest this library reads (" + maxVersion
          + "); upgrade mlops-data");
    }
    return root;
  }

  CorruptDataException corrupt(String path, String problem) {
    return corrupt(path, problem, null);
  }

  CorruptDataException corrupt(String path, String problem, Throwable cause) {
    String where = path.isEmpty() ? "" : " field '" + path + "'";
    return new CorruptDataException(origin + ":" + where + " " + problem, cause);
  }

  JsonNode node(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw corrupt(path, "is missing");
    }
    return n;
  }

  JsonNode object(JsonNode parent, String field, String path) {
    JsonNode n = node(parent, field, path);
    if (!n.isObject()) {
      throw corrupt(path, "must be an object, got " + n.getNodeType());
    }
    return n;
  }

  JsonNode array(JsonNode parent, String field, String path) {
    JsonNode n = node(parent, field, path);
    if (!n.isArray()) {
      throw corrupt(path, "must be an array, got " + n.getNodeType());
    }
    return n;
  }

  String text(JsonNode parent, String field, String path) {
    JsonNode n = node(parent, field, path);
    if (!n.isTextual()) {
      throw corrupt(path, "must be text, got " + n.getNodeType());
    }
    return n.asText();
  }

  long integer(JsonNode parent, String field, String path, long min, long max) {
    JsonNode n = node(parent, field, path);
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw corrupt(path, "must be a whole number, got " + n);
    }
    long v = n.asLong();
    if (v < min || v > max) {
      throw corrupt(path, "is " + v + ", expected " + min + ".." + max);
    }
    return v;
  }

  /** A number, null for NaN (undefined), or the text "Infinity" / "-Infinity" (as Jackson writes them). */
  double number(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    if (n == null) {
      throw corrupt(path, "is missing");
    }
    if (n.isNull()) {
      return Double.NaN;
    }
    if (n.isTextual() && (n.asText().equals("Infinity") || n.asText().equals("-Infinity"))) {
      return n.asText().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (!n.isNumber()) {
      throw corrupt(path, "must be a number, \"Infinity\", \"-Infinity\" or null, got " + n);
    }
    return n.asDouble();
  }

  boolean bool(JsonNode parent, String field, String path) {
    JsonNode n = node(parent, field, path);
    if (!n.isBoolean()) {
      throw corrupt(path, "must be true or false, got " + n);
    }
    return n.asBoolean();
  }

  byte[] base64(JsonNode parent, String field, String path) {
    String s = text(parent, field, path);
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw corrupt(path, "is not base64: " + e.getMessage(), e);
    }
  }

  <E extends Enum<E>> E enumValue(JsonNode parent, String field, String path, Class<E> type) {
    String s = text(parent, field, path);
    try {
      return Enum.valueOf(type, s);
    } catch (IllegalArgumentException e) {
      throw corrupt(path, "is '" + s + "', expected one of " + java.util.Arrays.toString(type.getEnumConstants()));
    }
  }

  /** Writes a number; an infinity as the text "Infinity" / "-Infinity", NaN (undefined) as null. */
  static void putNumber(ObjectNode node, String field, double v) {
    if (Double.isNaN(v)) {
      node.putNull(field);
    } else if (Double.isInfinite(v)) {
      node.put(field, v > 0 ? "Infinity" : "-Infinity");
    } else {
      node.put(field, v);
    }
  }
}
