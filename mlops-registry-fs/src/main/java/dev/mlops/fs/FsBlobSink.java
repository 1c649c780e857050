package dev.mlops.fs;

import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A {@link BlobSink} writing straight into a temp file of an {@link FsObjectStore}: content is
 * written once, in constant memory, and published with the store's hard-link create-if-absent.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class FsBlobSink implements BlobSink {
  private static final int BUFFER = 1 << 16;

  private final FsObjectStore store;
  private final Path tmp;
  private final FileChannel channel;
  private final BufferedOutputStream buffered;
  private final OutputStream stream;
  private boolean done;

  FsBlobSink(FsObjectStore store, Path tmp, FileChannel channel) {
    this.store = store;
    this.tmp = tmp;
    this.channel = channel;
    this.buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
    // Closing the stream by mistake must not close the channel before publish.
    this.stream = new FilterOutputStream(buffered) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        checkWritable();
        out.write(b, off, len);
      }

      @Override
      public void write(int b) throws IOException {
        checkWritable();
        out.write(b);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }

  private void checkWritable() throws IOException {
    if (done) {
      throw new IOException("blob sink " + tmp.getFileName() + " is already published or closed");
    }
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  @Override
  public void publish(String key) {
    if (done) {
      throw new IllegalStateException("blob sink already published or closed");
    }
    done = true;
    try {
      store.checkOpen();
      store.checkWritable(key);
      buffered.flush();
      channel.force(false);
      channel.close();
      store.publish(tmp, key);
    } catch (IOException e) {
      throw new StorageException("publishing blob as storage key '" + key + "' failed: " + e, e, false);
    } finally {
      closeChannelQuietly();
      FsObjectStore.deleteQuietly(tmp);
    }
  }

  @Override
  public void close() {
    if (!done) {
      done = true;
      closeChannelQuietly();
      FsObjectStore.deleteQuietly(tmp);
    }
  }

  private void closeChannelQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the temp file is deleted anyway
    }
  }
}
