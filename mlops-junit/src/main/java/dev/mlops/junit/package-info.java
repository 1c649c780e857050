/**
 * Test support for users' own tests: {@link dev.mlops.junit.MlopsExtension} (a JUnit 5 extension
 * that injects a fresh workspace, its services and a {@link dev.mlops.junit.MutableClock}),
 * {@link dev.mlops.junit.WorkspaceUri}, and AssertJ assertions ({@link dev.mlops.junit.MlopsAssertions},
 * {@link dev.mlops.junit.DriftAssertions} for {@code mlops-drift} reports, and
 * {@link dev.mlops.junit.DataQualityAssertions} for {@code mlops-data} validation reports). The backend
 * contract kit lives in {@code mlops-testkit}.
 */
package dev.mlops.junit;
