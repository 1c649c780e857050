/**
 * The {@code mlops} command line ({@link dev.mlops.cli.MlopsCli}): list and show models,
 * versions, aliases, runs and experiments; approve and reject versions; set, move and delete
 * aliases; verify and export audit trails — on any store a URI names. Human output by default,
 * {@code --json} for scripts; exit codes in {@link dev.mlops.cli.ExitCodes}.
 */
package dev.mlops.cli;
