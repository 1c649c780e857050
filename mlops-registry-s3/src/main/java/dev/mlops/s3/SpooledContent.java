package dev.mlops.s3;

import dev.mlops.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Content about to be uploaded, with its SHA-256 and size computed while it is written. Up to
 * {@code memoryLimit} bytes stay in memory (they go up in one {@code PutObject}); beyond that
 * everything moves to a temporary file, because the digest must be known before the upload starts
 * (it is stored in the object's metadata, which S3 fixes at {@code CreateMultipartUpload}) and
 * because a part that fails must be sent again. Memory use is bounded by {@code memoryLimit}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class SpooledContent implements AutoCloseable {
  private final Path directory;
  private final int memoryLimit;
  private final MessageDigest sha256;
  private byte[] buffer = new byte[8192];
  private int buffered;
  private Path file;
  private OutputStream fileOut;
  private long size;
  private String digest;
  private final OutputStream stream = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      append(b, off, len);
    }
  };

  SpooledContent(Path directory, int memoryLimit) {
    this.directory = directory;
    this.memoryLimit = memoryLimit;
    this.sha256 = newSha256();
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** @return where to write; closing it does nothing */
  OutputStream stream() {
    return stream;
  }

  /** Copies {@code in} to its end. */
  void readFrom(InputStream in) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      append(chunk, 0, n);
    }
  }

  private void append(byte[] b, int off, int len) throws IOException {
    if (digest != null) {
      throw new IllegalStateException("content already finished");
    }
    sha256.update(b, off, len);
    size += len;
    if (fileOut != null) {
      fileOut.write(b, off, len);
      return;
    }
    if ((long) buffered + len <= memoryLimit) {
      if (buffered + len > buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(memoryLimit, Math.max(buffered + len, 2L * buffer.length)));
      }
      System.arraycopy(b, off, buffer, buffered, len);
      buffered += len;
      return;
    }
    spill();
    fileOut.write(b, off, len);
  }

  private void spill() throws IOException {
    try {
      file = directory == null ? Files.createTempFile("mlops-s3-", ".part")
          : Files.createTempFile(directory, "mlops-s3-", ".part");
    } catch (IOException e) {
      throw new StorageException("cannot create a temporary file in "
          + (directory == null ? "the temporary directory" : directory) + " to stage a multipart upload", e, false);
    }
    fileOut = Channels.newOutputStream(FileChannel.open(file, StandardOpenOption.WRITE));
    fileOut = new java.io.BufferedOutputStream(fileOut, 64 * 1024);
    fileOut.write(buffer, 0, buffered);
    buffer = null;
    buffered = 0;
  }

  /** Ends writing; afterwards the digest and size are known. */
  void finish() throws IOException {
    if (digest == null) {
      if (fileOut != null) {
        fileOut.close();
      }
      digest = HexFormat.of().formatHex(sha256.digest());
    }
  }

  boolean inMemory() {
    return file == null;
  }

  long size() {
    return size;
  }

  /** @return the lower-case hex SHA-256 of everything written; after {@link #finish} */
  String sha256Hex() {
    return digest;
  }

  /** @return the buffer holding the content (its first {@link #size} bytes); only if in memory */
  byte[] memory() {
    return buffer;
  }

  /** @return the file holding the content; only if spilled */
  Path file() {
    return file;
  }

  /** Deletes the temporary file, if any. Idempotent. */
  @Override
  public void close() {
    buffer = null;
    try {
      if (fileOut != null) {
        fileOut.close();
      }
    } catch (IOException ignored) {
      // the file is deleted next
    }
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover file in the temporary directory is harmless
      }
    }
  }
}
