package dev.mlops;

import java.util.Map;
import java.util.Objects;

/**
 * What to record about content being stored besides its bytes.
 *
 * <p>Immutable and thread-safe.
 *
 * @param mediaType e.g. {@code application/json}
 * @param metadata user metadata (keys follow {@link Names}), copied
 */
public record ArtifactSpec(String mediaType, Map<String, String> metadata) {
  /** Validates and copies. */
  public ArtifactSpec {
    Objects.requireNonNull(mediaType, "mediaType");
    if (mediaType.isBlank()) {
      throw new IllegalArgumentException("mediaType must not be blank");
    }
    metadata = Map.copyOf(metadata);
    metadata.keySet().forEach(k -> Names.requireValid("metadata key", k));
  }

  /** @return octet-stream, no metadata */
  public static ArtifactSpec defaults() {
    return new ArtifactSpec(ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of());
  }

  /**
   * A spec for a file, with the media type guessed from its name's extension (case-insensitive):
   * {@code .json .csv .tsv .txt .md .html .xml .yaml .yml .png .jpg .jpeg .gif .svg .pdf .zip .gz
   * .tar .parquet .avro .onnx .pb .pt .pth .pkl .safetensors .npy .npz}, else
   * {@value ArtifactRef#DEFAULT_MEDIA_TYPE}. The guess never reads the file or asks the platform,
   * so it is the same everywhere.
   *
   * @param fileName a file name or path, e.g. {@code model.onnx}
   * @return a spec with the guessed media type and no metadata
   */
  public static ArtifactSpec forFileName(String fileName) {
    Objects.requireNonNull(fileName, "fileName");
    String name = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    return of(MEDIA_TYPES.getOrDefault(ext, ArtifactRef.DEFAULT_MEDIA_TYPE));
  }

  private static final Map<String, String> MEDIA_TYPES = Map.ofEntries(
      Map.entry("json", "application/json"),
      Map.entry("csv", "text/csv"),
      Map.entry("tsv", "text/tab-separated-values"),
      Map.entry("txt", "text/plain"),
      Map.entry("md", "text/markdown"),
      Map.entry("html", "text/html"),
      Map.entry("xml", "application/xml"),
      Map.entry("yaml", "application/yaml"),
      Map.entry("yml", "application/yaml"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("pdf", "application/pdf"),
      Map.entry("zip", "application/zip"),
      Map.entry("gz", "application/gzip"),
      Map.entry("tar", "application/x-tar"),
      Map.entry("parquet", "application/vnd.apache.parquet"),
      Map.entry("avro", "application/avro"),
      Map.entry("onnx", "application/onnx"),
      Map.entry("pb", "application/x-protobuf"),
      Map.entry("pt", "application/x-pytorch"),
      Map.entry("pth", "application/x-pytorch"),
      Map.entry("pkl", "application/x-pickle"),
      Map.entry("safetensors", "application/x-safetensors"),
      Map.entry("npy", "application/x-npy"),
      Map.entry("npz", "application/x-npz"));

  /**
   * @param mediaType media type
   * @return a spec with that media type and no metadata
   */
  public static ArtifactSpec of(String mediaType) {
    return new ArtifactSpec(mediaType, Map.of());
  }
}
