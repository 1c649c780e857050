package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The serialized byte format of every detector kind is pinned: SHA-256 of {@code toBytes()} after a
 * fixed stream, recorded from the code before the detectors shared {@link AbstractDetector}.
 */
class DetectorBytesFormatTest {
  static final Map<String, String> PINNED = new LinkedHashMap<>();

  static {
    PINNED.put("ADWIN", "a280b16335f3b69d8565c8df14610cf0c7016745a7aba4be802035249693bfd6");
    PINNED.put("ADWIN(reportDecreases)", "c105460547c965872b35d69893e20f4daeb58ddf55d4ecdf0d58bb932742c152");
    PINNED.put("DDM", "2af41d155fd4b854e7f4592e54f9e147bf41a3a0d032a76a097f9aacc9c38df2");
    PINNED.put("EDDM", "ac78dda679643730a8c8ff34458c4f0552059c43556378d102813cfa76f3a65d");
    PINNED.put("PageHinkley", "9928a3baa4e77cc5803b53733a5617321743d3548875bbbf35666a11a2e81d2d");
    PINNED.put("PageHinkley(lambda=20)", "894f580f804b2bbc7ec53ad00f72d76f991e3ae214257b1b6c5762080713959b");
    PINNED.put("HDDM_A", "5c3300d78b3f28d9a540d12e9873c6284a9a69c9f8495afe874ad6a231ee8a99");
    PINNED.put("HDDM_A(one-sided)", "90e8d1f8d16c8a4919865afd1a458eadb658c71925cadcc7a7cc4cf32959d9e7");
    PINNED.put("HDDM_W", "d7600a0dbd9636bf8679bca9a71eca91c592752a6054f8568a16ab362fe3208d");
    PINNED.put("HDDM_W(two-sided)", "82d7f2c04d18dbed71a934b91eb452292dd062572e108e60a6f181a8bbdfcba3");
    PINNED.put("KSWIN", "cdd2b1db1e1f9ccf1a8b0c09d969d3ad168b3fcf7d3b815be33e041bbd58880f");
    PINNED.put("CUSUM", "b330a296de08429930e2592e07bcd1f0632e56591dd56af561e9f5e85b494064");
  }

  static String digest(DetectorKinds.Kind kind) throws Exception {
    ConceptDriftDetector d = kind.fresh().get();
    for (double x : DetectorKinds.changingStream(5, 3_000)) {
      d.update(x);
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d.toBytes()));
  }

  @Test
  void everyKindWritesTheSameBytesAsBefore() throws Exception {
    Map<String, String> now = new LinkedHashMap<>();
    for (DetectorKinds.Kind kind : DetectorKinds.all()) {
      now.put(kind.name(), digest(kind));
    }
    if (Boolean.getBoolean("mlops.printDetectorDigests")) {
      now.forEach((k, v) -> System.out.println("    PINNED.put(\"" + k + "\", \"" + v + "\");"));
    }
    assertThat(now).isEqualTo(PINNED);
  }
}
