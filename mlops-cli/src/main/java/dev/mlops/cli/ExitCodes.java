package dev.mlops.cli;

/**
 * The exit codes of {@code mlops}, stable for scripts.
 *
 * <p>Constants only.
 */
public final class ExitCodes {
  /** The command did what it was asked. */
  public static final int OK = 0;
  /** A check found a problem: {@code verify} found a broken or tampered log. */
  public static final int CHECK_FAILED = 1;
  /** The command line is wrong: unknown command or option, missing or malformed value. */
  public static final int USAGE = 2;
  /** A model, version, alias or run named on the command line does not exist. */
  public static final int NOT_FOUND = 3;
  /** The store refused the change: a conflict (alias moved meanwhile, version already reviewed) or a rule. */
  public static final int REFUSED = 4;
  /** The store could not be opened or read, or holds corrupt data. */
  public static final int STORE_ERROR = 5;

  private ExitCodes() {}
}
