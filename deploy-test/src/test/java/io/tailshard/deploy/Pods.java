package io.tailshard.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The two tiers' workloads in a rendering, and what their pods see: env, config, ports. */
final class Pods {
  static final String COMPONENT = "app.kubernetes.io/component";
  static final String LB = "lb-tier";
  static final String SAMPLING = "sampling-tier";
  /** TierMain's shutdown hook waits this long past --shutdown-timeout before giving up. */
  static final Duration HOOK_SLACK = Duration.ofSeconds(5);
  static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern K8S_VAR_REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Pods() {}

  /** One tier's workload: the object, its pod template and its one container. */
  record Tier(String component, HasMetadata owner, PodTemplateSpec template, Container container) {
    String what() {
      return owner.getKind() + " " + owner.getMetadata().getName();
    }

    Map<String, String> labels() {
      return template.getMetadata().getLabels();
    }

    Map<String, Integer> ports() {
      return container.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort, (a, b) -> a, LinkedHashMap::new));
    }

    /** A probe or Service target port: a number, or a name of one of the container's ports. */
    int resolve(IntOrString port) {
      if (port.getIntVal() != null) {
        return port.getIntVal();
      }
      Integer n = ports().get(port.getStrVal());
      if (n == null) {
        throw new AssertionError(what() + ": no container port named " + port.getStrVal() + " (has " + ports().keySet() + ")");
      }
      return n;
    }
  }

  static Tier lb(Rendered r) {
    List<Deployment> ds = r.all(Deployment.class).stream().filter(d -> LB.equals(label(d, COMPONENT))).collect(Collectors.toList());
    if (ds.size() != 1) {
      throw new AssertionError(r.dir + ": expected one lb-tier Deployment, found " + ds.size());
    }
    Deployment d = ds.get(0);
    return new Tier(LB, d, d.getSpec().getTemplate(), only(d, d.getSpec().getTemplate()));
  }

  static Tier sampling(Rendered r) {
    List<StatefulSet> ss = r.all(StatefulSet.class).stream().filter(s -> SAMPLING.equals(label(s, COMPONENT))).collect(Collectors.toList());
    if (ss.size() != 1) {
      throw new AssertionError(r.dir + ": expected one sampling-tier StatefulSet, found " + ss.size());
    }
    StatefulSet s = ss.get(0);
    return new Tier(SAMPLING, s, s.getSpec().getTemplate(), only(s, s.getSpec().getTemplate()));
  }

  static List<Tier> both(Rendered r) {
    return List.of(lb(r), sampling(r));
  }

  private static Container only(HasMetadata o, PodTemplateSpec t) {
    List<Container> cs = t.getSpec().getContainers();
    if (cs.size() != 1) {
      throw new AssertionError(o.getKind() + " " + o.getMetadata().getName() + ": expected one container, found " + cs.size());
    }
    return cs.get(0);
  }

  static String label(HasMetadata o, String key) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? null : l.get(key);
  }

  /** True when every selector pair is among the labels (an empty or null selector selects nothing). */
  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels != null
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /**
   * The container's environment as the process sees it: values with {@code $(VAR)} references to
   * earlier variables expanded, as the kubelet does, and {@code fieldRef: metadata.namespace}
   * resolved to the namespace the object is rendered into.
   */
  static Map<String, String> env(Tier t) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar v : t.container().getEnv()) {
      String value;
      if (v.getValueFrom() != null) {
        if (v.getValueFrom().getFieldRef() != null && "metadata.namespace".equals(v.getValueFrom().getFieldRef().getFieldPath())) {
          value = Rendered.namespaceOf(t.owner());
        } else if (v.getValueFrom().getFieldRef() != null && "metadata.name".equals(v.getValueFrom().getFieldRef().getFieldPath())) {
          value = t.owner().getMetadata().getName() + "-0";
        } else {
          value = "<from " + v.getValueFrom() + ">";
        }
      } else {
        value = expand(v.getValue() == null ? "" : v.getValue(), env);
      }
      env.put(v.getName(), value);
    }
    return env;
  }

  private static String expand(String value, Map<String, String> defined) {
    Matcher m = K8S_VAR_REF.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String rep = m.group().equals("$$") ? "$" : defined.getOrDefault(m.group(1), m.group());
      m.appendReplacement(sb, Matcher.quoteReplacement(rep));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The value following {@code flag} in the container's args (or {@code flag=value}), or null. */
  static String arg(Tier t, String flag) {
    List<String> args = t.container().getArgs();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals(flag) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
      if (args.get(i).startsWith(flag + "=")) {
        return args.get(i).substring(flag.length() + 1);
      }
    }
    return null;
  }

  /** The config file the container's {@code --config} names, read from the ConfigMap mounted there. */
  static TierConfig config(Rendered r, Tier t) {
    String file = arg(t, "--config");
    if (file == null) {
      throw new AssertionError(t.what() + ": no --config in args " + t.container().getArgs());
    }
    Path path = Path.of(file);
    VolumeMount mount = t.container().getVolumeMounts().stream()
        .filter(m -> path.startsWith(Path.of(m.getMountPath())))
        .findFirst()
        .orElseThrow(() -> new AssertionError(t.what() + ": nothing mounted at " + file));
    Volume volume = volume(t, mount.getName());
    if (volume.getConfigMap() == null) {
      throw new AssertionError(t.what() + ": " + file + " is not on a ConfigMap volume");
    }
    String key = Path.of(mount.getMountPath()).relativize(path).toString();
    if (mount.getSubPath() != null) {
      key = mount.getSubPath();
    }
    ConfigMap cm = r.all(ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals(volume.getConfigMap().getName()))
        .filter(c -> Rendered.namespaceOf(c).equals(Rendered.namespaceOf(t.owner())))
        .findFirst()
        .orElseThrow(() -> new AssertionError(t.what() + ": ConfigMap " + volume.getConfigMap().getName() + " is not in the rendering"));
    String yaml = cm.getData() == null ? null : cm.getData().get(key);
    if (yaml == null) {
      throw new AssertionError(t.what() + ": ConfigMap " + cm.getMetadata().getName() + " has no key " + key);
    }
    return new TierConfig(r.dir + ": ConfigMap " + cm.getMetadata().getName() + "/" + key, yaml);
  }

  static Volume volume(Tier t, String name) {
    return t.template().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(t.what() + ": no volume " + name));
  }

  /** Go-style durations as the tiers accept them on --shutdown-timeout: 30s, 1m, 1m30s, 500ms. */
  static Duration duration(String s) {
    Matcher m = DURATION.matcher(s);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw new AssertionError("not a duration: " + s);
      }
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    if (end != s.length() || s.isEmpty()) {
      throw new AssertionError("not a duration: " + s);
    }
    return d;
  }
}
