package dev.mlops.benchmarks.governance;

import dev.mlops.ApprovalPolicy;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code approve} on {@code mem:}, without a policy and with a four-eyes + evidence policy
 * (a metric on the training run within bounds, an attachment tag with a passing verdict, a gate
 * tag). The version to approve is registered in a per-invocation setup (not measured); models
 * roll over every 1,000 versions. Target: the policy costs at most 1.2x. Sample mode, 3 forks:
 * on a shared machine the mean is dominated by rare multi-millisecond stalls (p99 and up), so
 * compare the medians and the means with their (now narrow) errors.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar governance.ReviewPolicyBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3)
@State(Scope.Thread)
public class ReviewPolicyBenchmark {
  @Param({"none", "fourEyesEvidence"})
  public String policy;

  private Workspace ws;
  private Registration registration;
  private long n;
  private String model;
  private int version;

  @Setup(Level.Iteration)
  public void setup() {
    ws = Mlops.open("mem:", WorkspaceOptions.builder().actor("alice").build());
    Run run = ws.experiments().startRun("train");
    run.logMetric("auc", 0.91, 1);
    run.end(RunStatus.FINISHED);
    ArtifactRef w = ws.artifacts().put(new byte[] {1, 2, 3}, ArtifactSpec.of("application/octet-stream"));
    ArtifactRef report = ws.artifacts().put(new byte[] {4}, ArtifactSpec.of("application/json"));
    registration = Registration.builder().artifact("model.bin", w).trainingRun(run.id())
        .tag("mlops.bias", report.digest().toString()).tag("bias.verdict", "pass").tag("pipeline.gate", "passed").build();
    if (policy.equals("fourEyesEvidence")) {
      ws.registry().policies().setPolicy(ApprovalPolicy.GLOBAL, ApprovalPolicy.builder().fourEyes(true)
          .requireMetric("auc", 0.8, 1.0).requireAttachment("mlops.bias", "bias.verdict", "pass")
          .requireTag("pipeline.gate", "passed").build());
    }
  }

  @Setup(Level.Invocation)
  public void registerOne() {
    model = "model-" + (n++ / 1000);
    version = ws.registry().register(model, registration).version();
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    ws.close();
  }

  /** @return the approved version */
  @Benchmark
  public ModelVersion approve() {
    return ws.registry().approve(model, version, "bob", "ok");
  }
}
