package dev.mlops.serving;

/**
 * What the mirror to a shadow candidate did in this process.
 *
 * <p>Immutable and thread-safe.
 *
 * @param version the candidate
 * @param mirrored requests handed to the mirror queue
 * @param dropped requests not mirrored because the queue was full
 * @param compared candidate answers compared with the primary's
 * @param agreed of those, how many agreed
 * @param candidateErrors candidate calls that threw
 * @param candidateP50Nanos candidate median latency
 * @param candidateP99Nanos candidate 99th percentile latency
 * @param primaryP50Nanos primary median latency on mirrored requests
 * @param primaryP99Nanos primary 99th percentile latency on mirrored requests
 */
public record ShadowStats(int version, long mirrored, long dropped, long compared, long agreed, long candidateErrors,
    long candidateP50Nanos, long candidateP99Nanos, long primaryP50Nanos, long primaryP99Nanos) {

  /** @return agreed / compared, NaN before any comparison */
  public double agreementRate() {
    return compared == 0 ? Double.NaN : (double) agreed / compared;
  }
}
