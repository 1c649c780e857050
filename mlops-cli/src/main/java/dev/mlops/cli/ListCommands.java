package dev.mlops.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ModelVersion;
import dev.mlops.NotFoundException;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The read-only listing commands. Each instance serves one command line; not thread-safe. */
final class ListCommands {
  private ListCommands() {}

  /** Base: the store options and the output stream. */
  abstract static class Base implements Callable<Integer> {
    @Mixin StoreOptions options;
    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    @Override
    public final Integer call() {
      try (Workspace ws = options.open(writes())) {
        return run(ws);
      }
    }

    boolean writes() {
      return false;
    }

    abstract int run(Workspace ws);

    /** @throws NotFoundException naming the models there are, if {@code model} is not one */
    static void requireModel(Workspace ws, String model) {
      if (!ws.registry().models().contains(model)) {
        throw new NotFoundException("model '" + model + "' does not exist; models: " + ws.registry().models());
      }
    }
  }

  @Command(name = "models", mixinStandardHelpOptions = true, description = "List the models, with their latest version and aliases.")
  static final class Models extends Base {
    @Override
    int run(Workspace ws) {
      List<List<String>> rows = new ArrayList<>();
      ArrayNode json = Output.JSON.createArrayNode();
      for (String model : ws.registry().models()) {
        List<ModelVersion> versions = ws.registry().versions(model);
        Map<String, Integer> aliases = new TreeMap<>();
        versions.forEach(v -> v.aliases().forEach(a -> aliases.put(a, v.version())));
        int latest = versions.stream().mapToInt(ModelVersion::version).max().orElse(0);
        ObjectNode n = json.addObject().put("model", model).put("versions", versions.size()).put("latest", latest);
        ObjectNode a = n.putObject("aliases");
        aliases.forEach(a::put);
        rows.add(List.of(model, Integer.toString(versions.size()), Integer.toString(latest), aliasText(aliases)));
      }
      if (options.json) {
        Output.json(out(), json);
      } else {
        Output.table(out(), List.of("MODEL", "VERSIONS", "LATEST", "ALIASES"), rows);
      }
      return ExitCodes.OK;
    }
  }

  static String aliasText(Map<String, Integer> aliases) {
    List<String> parts = new ArrayList<>();
    aliases.forEach((a, v) -> parts.add(a + "=" + v));
    return String.join(", ", parts);
  }

  @Command(name = "versions", mixinStandardHelpOptions = true, description = "List the versions of a model.")
  static final class Versions extends Base {
    @Parameters(index = "0", paramLabel = "<model>", description = "the model name")
    String model;

    @Override
    int run(Workspace ws) {
      List<ModelVersion> versions = ws.registry().versions(model);
      if (versions.isEmpty()) {
        requireModel(ws, model);
      }
      if (options.json) {
        ArrayNode json = Output.JSON.createArrayNode();
        versions.forEach(v -> json.add(Output.version(v)));
        Output.json(out(), json);
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (ModelVersion v : versions) {
        rows.add(List.of(Integer.toString(v.version()), v.status().name(), String.join(",", v.aliases().stream().sorted().toList()),
            v.createdAt().toString(), v.createdBy(), v.description()));
      }
      Output.table(out(), List.of("VERSION", "STATUS", "ALIASES", "CREATED", "BY", "DESCRIPTION"), rows);
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one version: status, approval, aliases, artifacts, lineage, tags.")
  static final class Show extends Base {
    @Parameters(index = "0", paramLabel = "<ref>", description = "model/3, model@production or model/latest")
    String ref;

    @Override
    int run(Workspace ws) {
      ModelVersion v = ws.registry().resolve(ref);
      if (options.json) {
        Output.json(out(), Output.version(v));
        return ExitCodes.OK;
      }
      Map<String, String> f = new LinkedHashMap<>();
      f.put("version", v.ref());
      f.put("status", v.status().name());
      v.approval().ifPresent(a -> f.put("review", a.status() + " by " + a.actor() + " at " + a.at()
          + (a.comment().isEmpty() ? "" : ": " + a.comment())));
      f.put("aliases", String.join(", ", v.aliases().stream().sorted().toList()));
      f.put("created", v.createdAt() + " by " + v.createdBy());
      f.put("description", v.description());
      v.lineage().trainingRun().ifPresent(r -> f.put("training run", r.value()));
      v.lineage().datasets().forEach(d -> f.merge("datasets", d.toString(), (a, b) -> a + ", " + b));
      v.lineage().parentVersion().ifPresent(p -> f.put("parent version", Integer.toString(p)));
      new TreeMap<>(v.artifacts()).forEach((name, a) -> f.put("artifact " + name, a.digest() + " (" + a.size() + " bytes, "
          + a.mediaType() + ")"));
      new TreeMap<>(v.tags()).forEach((k, val) -> f.put("tag " + k, val));
      Output.fields(out(), f);
      return ExitCodes.OK;
    }
  }

  @Command(name = "aliases", mixinStandardHelpOptions = true, description = "List the aliases of a model and where they point.")
  static final class Aliases extends Base {
    @Parameters(index = "0", paramLabel = "<model>", description = "the model name")
    String model;

    @Override
    int run(Workspace ws) {
      requireModel(ws, model);
      Map<String, Integer> aliases = new TreeMap<>();
      ws.registry().versions(model).forEach(v -> v.aliases().forEach(a -> aliases.put(a, v.version())));
      if (options.json) {
        ObjectNode n = Output.JSON.createObjectNode();
        aliases.forEach(n::put);
        Output.json(out(), n);
      } else {
        List<List<String>> rows = new ArrayList<>();
        aliases.forEach((a, v) -> rows.add(List.of(a, Integer.toString(v))));
        Output.table(out(), List.of("ALIAS", "VERSION"), rows);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "experiments", mixinStandardHelpOptions = true, description = "List the experiments.")
  static final class Experiments extends Base {
    @Override
    int run(Workspace ws) {
      List<String> names = ws.experiments().experimentNames();
      if (options.json) {
        ArrayNode a = Output.JSON.createArrayNode();
        names.forEach(a::add);
        Output.json(out(), a);
      } else {
        names.forEach(n -> out().println(Output.clean(n)));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "runs", mixinStandardHelpOptions = true,
      description = "Search runs, one page at a time (the next page's token is printed last).")
  static final class Runs extends Base {
    private static final Pattern WHERE = Pattern.compile("(param|metric|tag)\\.([^<>=!]+)(>=|<=|!=|=|<|>)(.*)");
    private static final Pattern ORDER = Pattern.compile("(metric|param|start)(?::([^:]+))?(?::(asc|desc))?");

    @Option(names = {"-e", "--experiment"}, paramLabel = "<name>", description = "only this experiment (repeatable)")
    List<String> experiments = new ArrayList<>();

    @Option(names = "--status", paramLabel = "<status>", description = "RUNNING, FINISHED, FAILED or KILLED")
    RunStatus status;

    @Option(names = {"-w", "--where"}, paramLabel = "<cond>",
        description = "a condition such as metric.auc>=0.9, param.lr=0.01, tag.team!=ads (repeatable)")
    List<String> where = new ArrayList<>();

    @Option(names = {"-o", "--order"}, paramLabel = "<order>",
        description = "metric:<key>[:asc|desc], param:<key>[:asc|desc] or start[:asc|desc]; default start:desc")
    String order = "start:desc";

    @Option(names = {"-n", "--limit"}, paramLabel = "<n>", description = "runs per page, 1..10000 (default 50)")
    int limit = 50;

    @Option(names = "--page-token", paramLabel = "<token>", description = "the token a previous page printed")
    String pageToken = "";

    @Override
    int run(Workspace ws) {
      RunQuery.Builder q = RunQuery.builder().pageSize(limit);
      experiments.forEach(q::experiment);
      if (status != null) {
        q.status(status);
      }
      for (String w : where) {
        Matcher m = WHERE.matcher(w);
        if (!m.matches()) {
          throw new IllegalArgumentException("--where '" + w + "' is not <param|metric|tag>.<key><op><value>"
              + " with op one of >= <= != = < >");
        }
        RunQuery.Op op = switch (m.group(3)) {
          case ">=" -> RunQuery.Op.GE;
          case "<=" -> RunQuery.Op.LE;
          case "!=" -> RunQuery.Op.NE;
          case "<" -> RunQuery.Op.LT;
          case ">" -> RunQuery.Op.GT;
          default -> RunQuery.Op.EQ;
        };
        switch (m.group(1)) {
          case "metric" -> {
            double v;
            try {
              v = Double.parseDouble(m.group(4));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--where '" + w + "': '" + m.group(4) + "' is not a number");
            }
            q.metric(m.group(2), op, v);
          }
          case "param" -> q.param(m.group(2), op, m.group(4));
          default -> {
            if (op != RunQuery.Op.EQ) {
              throw new IllegalArgumentException("--where '" + w + "': tags compare with = only");
            }
            q.tag(m.group(2), m.group(4));
          }
        }
      }
      Matcher o = ORDER.matcher(order);
      if (!o.matches() || !o.group(1).equals("start") && o.group(2) == null) {
        throw new IllegalArgumentException("--order '" + order + "' is not metric:<key>[:asc|desc], param:<key>[:asc|desc]"
            + " or start[:asc|desc]");
      }
      boolean desc = o.group(3) == null ? !o.group(1).equals("param") : o.group(3).equals("desc");
      switch (o.group(1)) {
        case "metric" -> q.orderByMetric(o.group(2), desc);
        case "param" -> q.orderByParam(o.group(2), desc);
        default -> q.orderByStartTime(o.group(3) == null || desc);
      }
      if (!pageToken.isEmpty()) {
        q.pageToken(pageToken);
      }
      RunPage page = ws.experiments().search(q.build());
      if (options.json) {
        ObjectNode n = Output.JSON.createObjectNode();
        ArrayNode runs = n.putArray("runs");
        page.runs().forEach(r -> runs.add(Output.run(r)));
        page.nextPageToken().ifPresent(t -> n.put("nextPageToken", t));
        Output.json(out(), n);
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (RunInfo r : page.runs()) {
        List<String> metrics = new ArrayList<>();
        new TreeMap<>(r.latestMetrics()).forEach((k, v) -> metrics.add(k + "=" + String.format(Locale.ROOT, "%.4g", v)));
        rows.add(List.of(r.id().value(), r.experiment(), r.name(), r.status().name(), r.startedAt().toString(),
            String.join(" ", metrics)));
      }
      Output.table(out(), List.of("RUN", "EXPERIMENT", "NAME", "STATUS", "STARTED", "METRICS"), rows);
      page.nextPageToken().ifPresent(t -> out().println("next page: --page-token " + t));
      return ExitCodes.OK;
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "Show one run: params, metrics, tags, inputs, artifacts.")
  static final class RunCommand extends Base {
    @Parameters(index = "0", paramLabel = "<run-id>", description = "the run id")
    String id;

    @Override
    int run(Workspace ws) {
      RunInfo r = ws.experiments().findRun(RunId.of(id))
          .orElseThrow(() -> new NotFoundException("run '" + id + "' does not exist"));
      if (options.json) {
        Output.json(out(), Output.run(r));
        return ExitCodes.OK;
      }
      Map<String, String> f = new LinkedHashMap<>();
      f.put("run", r.id().value());
      f.put("experiment", r.experiment());
      f.put("name", r.name());
      f.put("status", r.status().name() + r.statusReason().map(s -> " (" + s + ")").orElse(""));
      f.put("started", r.startedAt().toString());
      r.endedAt().ifPresent(t -> f.put("ended", t.toString()));
      new TreeMap<>(r.params()).forEach((k, v) -> f.put("param " + k, v));
      new TreeMap<>(r.latestMetrics()).forEach((k, v) -> f.put("metric " + k, Double.toString(v)));
      new TreeMap<>(r.tags()).forEach((k, v) -> f.put("tag " + k, v));
      r.inputs().forEach(i -> f.put("input " + i.name(), i.digest() + " (" + i.context() + ")"));
      new TreeMap<>(r.artifacts()).forEach((k, a) -> f.put("artifact " + k, a.digest() + " (" + a.size() + " bytes)"));
      Output.fields(out(), f);
      return ExitCodes.OK;
    }
  }
}
