package dev.mlops.serving;

/** How a deployment moves traffic to new versions. */
public enum Strategy {
  /** The candidate takes all traffic at once; the alias moves right away. */
  ALL_AT_ONCE,
  /** The candidate takes a share for a bake period, then everything. */
  CANARY,
  /** The candidate's share grows in equal steps, each baked. */
  LINEAR,
  /**
   * The candidate is loaded and warmed up (the health check) beside the current version, then takes
   * all traffic while the old one stays loaded for the retention period, so a rollback is instant.
   */
  BLUE_GREEN,
  /** Several versions share traffic by weight; a request key always gets the same one. Ends manually. */
  AB,
  /** The current version answers; a sample of requests is mirrored to the candidate. Ends manually. */
  SHADOW
}
