package dev.mlops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules a model's versions go through before they are Approved and before aliases or
 * deployments may point at them. Stored in the store with
 * {@link RegistryPolicies#setPolicy(String, ApprovalPolicy)}, per model or for every model, and
 * enforced by the registry of every workspace on that store. Policies are opt-in: a model with
 * none behaves as before.
 *
 * <pre>{@code
 * ApprovalPolicy p = ApprovalPolicy.builder()
 *     .fourEyes(true).requiredApprovals(2)
 *     .requireMetric("auc", 0.80, 1.0)
 *     .requireAttachment("mlops.bias", "bias.verdict", "pass")
 *     .requireTag("pipeline.gate", "passed")
 *     .aliasesRequiringApproval(Set.of("production"))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param fourEyes whether the approver must differ from the principal who registered the version
 * @param requiredApprovals approvals from distinct actors before the version is Approved, {@code >= 1}
 * @param metrics metrics the training run must have logged, within bounds
 * @param attachments documents that must be attached with a passing verdict
 * @param requiredTags version tags that must hold exactly these values (a pipeline gate)
 * @param aliasesRequiringApproval aliases that may only point at Approved versions ({@code *} = all);
 *     in addition to the workspace's {@link WorkspaceOptions#aliasesRequireApproval()}
 * @param deploymentsRequireApproval whether a deployment must name an Approved version
 * @param requireSignatures whether review decisions and alias moves must be signed by a trusted
 *     key; {@code verify()} reports unsigned ones
 */
public record ApprovalPolicy(boolean fourEyes, int requiredApprovals, List<MetricRequirement> metrics,
    List<AttachmentRequirement> attachments, Map<String, String> requiredTags, Set<String> aliasesRequiringApproval,
    boolean deploymentsRequireApproval, boolean requireSignatures) {

  /** The scope name of the policy that applies to every model without its own. */
  public static final String GLOBAL = "*";

  /** Validates and copies. */
  public ApprovalPolicy {
    if (requiredApprovals < 1 || requiredApprovals > 100) {
      throw new IllegalArgumentException("requiredApprovals must be in 1..100, got " + requiredApprovals);
    }
    metrics = List.copyOf(metrics);
    attachments = List.copyOf(attachments);
    requiredTags = Map.copyOf(requiredTags);
    requiredTags.forEach((k, v) -> Names.requireValid("required tag key", k));
    aliasesRequiringApproval = Set.copyOf(aliasesRequiringApproval);
    aliasesRequiringApproval.forEach(a -> {
      if (!a.equals("*")) {
        Names.requireValid("alias", a);
      }
    });
  }

  /** @return a builder of a policy that requires nothing beyond one approval */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param alias an alias name
   * @return whether this policy requires it to point at Approved versions
   */
  public boolean aliasRequiresApproval(String alias) {
    return aliasesRequiringApproval.contains("*") || aliasesRequiringApproval.contains(alias);
  }

  /**
   * A metric the training run must have logged (its latest value), within {@code [min, max]}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param metric metric key
   * @param min lowest allowed value
   * @param max highest allowed value
   */
  public record MetricRequirement(String metric, double min, double max) {
    /** Validates. */
    public MetricRequirement {
      Names.requireValid("metric key", metric);
      if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
        throw new IllegalArgumentException("metric " + metric + " bounds [" + min + ", " + max + "] are not a range");
      }
    }
  }

  /**
   * A document that must be attached to the version ({@link ModelAttachments}, its digest held in
   * tag {@code tag}) and judged passing: tag {@code verdictTag} equals {@code passingVerdict}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param tag the tag holding the attachment's digest, e.g. {@code mlops.bias}
   * @param verdictTag the tag holding its verdict, e.g. {@code bias.verdict}
   * @param passingVerdict the verdict that passes, e.g. {@code pass}
   */
  public record AttachmentRequirement(String tag, String verdictTag, String passingVerdict) {
    /** Validates. */
    public AttachmentRequirement {
      Names.requireValid("attachment tag", tag);
      Names.requireValid("verdict tag", verdictTag);
      Objects.requireNonNull(passingVerdict, "passingVerdict");
    }
  }

  /** Builds an {@link ApprovalPolicy}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private boolean fourEyes;
    private int requiredApprovals = 1;
    private final List<MetricRequirement> metrics = new ArrayList<>();
    private final List<AttachmentRequirement> attachments = new ArrayList<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private Set<String> aliases = new TreeSet<>();
    private boolean deployments;
    private boolean signatures;

    private Builder() {}

    /** @param on approver must not be the registrant @return this */
    public Builder fourEyes(boolean on) {
      this.fourEyes = on;
      return this;
    }

    /**
     * @param n approvals from distinct actors, 1..100
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder requiredApprovals(int n) {
      if (n < 1 || n > 100) {
        throw new IllegalArgumentException("requiredApprovals must be in 1..100, got " + n);
      }
      this.requiredApprovals = n;
      return this;
    }

    /**
     * @param metric metric key the training run must have logged
     * @param min lowest allowed latest value
     * @param max highest allowed latest value
     * @return this
     */
    public Builder requireMetric(String metric, double min, double max) {
      metrics.add(new MetricRequirement(metric, min, max));
      return this;
    }

    /**
     * @param tag tag holding the attachment's digest
     * @param verdictTag tag holding its verdict
     * @param passingVerdict the verdict that passes
     * @return this
     */
    public Builder requireAttachment(String tag, String verdictTag, String passingVerdict) {
      attachments.add(new AttachmentRequirement(tag, verdictTag, passingVerdict));
      return this;
    }

    /**
     * @param key tag key, e.g. {@code pipeline.gate}
     * @param value the value it must hold, e.g. {@code passed}
     * @return this
     */
    public Builder requireTag(String key, String value) {
      tags.put(Names.requireValid("required tag key", key), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** @param aliases aliases that may only point at Approved versions ({@code *} = all) @return this */
    public Builder aliasesRequiringApproval(Set<String> aliases) {
      this.aliases = new TreeSet<>(aliases);
      return this;
    }

    /** @param on deployments must name an Approved version @return this */
    public Builder deploymentsRequireApproval(boolean on) {
      this.deployments = on;
      return this;
    }

    /** @param on review decisions and alias moves must be signed by a trusted key @return this */
    public Builder requireSignatures(boolean on) {
      this.signatures = on;
      return this;
    }

    /** @return the policy */
    public ApprovalPolicy build() {
      return new ApprovalPolicy(fourEyes, requiredApprovals, metrics, attachments, new TreeMap<>(tags), aliases,
          deployments, signatures);
    }
  }
}
