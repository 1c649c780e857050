/**
 * Governance over the registry: model cards built from the store ({@link dev.mlops.governance.ModelCards}),
 * audit-trail export as JSON Lines and its offline verification ({@link dev.mlops.governance.AuditExport},
 * {@link dev.mlops.governance.AuditVerifier}). Approval policies, signatures and access control are
 * enforced by the registry itself ({@link dev.mlops.RegistryPolicies}).
 */
package dev.mlops.governance;
