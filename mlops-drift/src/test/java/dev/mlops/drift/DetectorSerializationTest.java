package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DetectorSerializationTest {

  static List<Arguments> kindsAndCuts() {
    List<Arguments> args = new ArrayList<>();
    for (DetectorKinds.Kind kind : DetectorKinds.all()) {
      for (int cut : new int[] {0, 1, 37, 10_000, 10_050, 10_131}) {
        args.add(Arguments.of(kind, cut));
      }
    }
    return args;
  }

  @ParameterizedTest(name = "{0} restored after {1} inputs")
  @MethodSource("kindsAndCuts")
  void restoredDetectorContinuesExactlyLikeTheOriginal(DetectorKinds.Kind kind, int cut) {
    double[] xs = ReferenceData.stream(kind.name().startsWith("KSWIN") || kind.name()
        .startsWith("Page") || kind.name().startsWith("CUSUM") ? "gauss_abrupt_s12"
        : "bern_abrupt_s12");
    ConceptDriftDetector original = kind.fresh().get();
    for (int i = 0; i < cut; i++) {
      original.update(xs[i]);
    }
    byte[] bytes = original.toBytes();
    ConceptDriftDetector restored = ConceptDriftDetectors.restore(bytes);

    assertThat(restored).isExactlyInstanceOf(original.getClass());
    assertThat(restored.count()).isEqualTo(original.count());
    assertThat(restored.state()).isEqualTo(original.state());
    assertThat(restored.toBytes()).isEqualTo(bytes);
    int drifts = 0;
    for (int i = cut; i < xs.length; i++) {
      DriftState expected = original.update(xs[i]);
      assertThat(restored.update(xs[i])).as("state at input %d", i).isEqualTo(expected);
      drifts += expected == DriftState.DRIFT ? 1 : 0;
    }
    assertThat(restored.toBytes()).isEqualTo(original.toBytes());
    if (cut < 10_000) {
      assertThat(drifts).as("the continuation must exercise drift handling").isPositive();
    }
  }

  @Test
  void restoreRejectsNull() {
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("bytes");
  }

  @Test
  void restoreRejectsBytesTooShortForAHeader() {
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(new byte[3]))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("3 bytes is shorter");
  }

  @Test
  void restoreRejectsGarbage() {
    byte[] garbage = "definitely not a detector, just text".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(garbage))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("bad magic");
  }

  @Test
  void restoreRejectsAnUnknownFormatVersion() {
    byte[] bytes = Adwin.builder().build().toBytes();
    bytes[4] = 9;
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(bytes))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("unsupported format version 9");
  }

  @Test
  void restoreRejectsAnUnknownKind() {
    byte[] bytes = withFixedChecksum(Ddm.builder().build().toBytes());
    bytes[5] = 42;
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(bytes))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("unknown detector kind 42");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.mlops.drift.DetectorKinds#all")
  void restoreRejectsEveryTruncationAndEveryFlippedBit(DetectorKinds.Kind kind) {
    ConceptDriftDetector d = kind.fresh().get();
    double[] xs = DetectorKinds.changingStream(3, 700);
    for (double x : xs) {
      d.update(x);
    }
    byte[] bytes = d.toBytes();
    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = java.util.Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> ConceptDriftDetectors.restore(prefix))
          .as("prefix of %d bytes", len).isInstanceOf(CorruptDataException.class);
    }
    for (int i = 0; i < bytes.length; i++) {
      byte[] flipped = bytes.clone();
      flipped[i] ^= 0x10;
      assertThatThrownBy(() -> ConceptDriftDetectors.restore(flipped))
          .as("bit flipped in byte %d", i).isInstanceOf(CorruptDataException.class);
    }
  }

  @Test
  void restoreRejectsInconsistentStateEvenWithAValidChecksum() {
    Adwin adwin = Adwin.builder().build();
    for (int i = 0; i < 100; i++) {
      adwin.update(i % 3 == 0 ? 1 : 0);
    }
    byte[] bytes = adwin.toBytes();
    // Body: delta(8) clock(4) maxBuckets(4) minSub(4) flag(1) count(8) state(1) tick(8) width(8)
    int widthAt = DetectorBytes.HEADER_BYTES + 8 + 4 + 4 + 4 + 1 + 8 + 1 + 8;
    ByteBuffer.wrap(bytes).putLong(widthAt, 99);
    withFixedChecksum(bytes);
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(bytes))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("ADWIN")
        .hasMessageContaining("buckets hold 100 items, width 99");
  }

  @Test
  void restoreRejectsAnInvalidParameterWithTheBuilderMessage() {
    byte[] bytes = Ddm.builder().build().toBytes();
    ByteBuffer.wrap(bytes).putInt(DetectorBytes.HEADER_BYTES, -5); // minNumInstances
    withFixedChecksum(bytes);
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(bytes))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("DDM")
        .hasMessageContaining("minNumInstances = -5");
  }

  @Test
  void restoreRejectsTrailingBytes() {
    byte[] bytes = Cusum.builder().build().toBytes();
    byte[] longer = new byte[bytes.length + 2];
    System.arraycopy(bytes, 0, longer, 0, bytes.length - 4);
    withFixedChecksum(longer);
    assertThatThrownBy(() -> ConceptDriftDetectors.restore(longer))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("trailing bytes");
  }

  @Test
  void headerIsMagicVersionAndKind() {
    byte[] bytes = HddmW.builder().build().toBytes();
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("MLCD");
    assertThat(bytes[4]).isEqualTo((byte) 1);
    assertThat(bytes[5]).isEqualTo(DetectorBytes.Kind.HDDM_W.code);
  }

  private static byte[] withFixedChecksum(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
    return bytes;
  }
}
