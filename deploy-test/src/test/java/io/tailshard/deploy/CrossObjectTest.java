package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What no single object's schema can tell: the objects of one rendering, and the tier configs they
 * carry, agree with each other. Run for the base and every overlay.
 */
class CrossObjectTest {
  private static final String CLUSTER_DOMAIN = "cluster.local";
  private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(\\.\\d+)?)");

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void statefulSetServiceNameIsTheHeadlessServiceOfItsPods(String dir) {
    Rendered r = Kustomize.render(dir);
    Pods.Tier sampling = Pods.sampling(r);
    StatefulSet sts = (StatefulSet) sampling.owner();
    Service headless = r.one(Service.class, sts.getSpec().getServiceName());
    assertEquals("None", headless.getSpec().getClusterIP(), dir + ": " + headless.getMetadata().getName() + " must be headless");
    assertEquals(Rendered.namespaceOf(sts), Rendered.namespaceOf(headless));
    assertTrue(Pods.selects(headless.getSpec().getSelector(), sampling.labels()),
        dir + ": the headless Service does not select the StatefulSet's pods");
    // Decided (see the Service's comment): only ready pods are in the lb-tier's ring. Explicit, so
    // a change is a visible decision.
    assertEquals(Boolean.FALSE, headless.getSpec().getPublishNotReadyAddresses(),
        dir + ": publishNotReadyAddresses must be set, to false");
    assertEquals("Parallel", sts.getSpec().getPodManagementPolicy(), dir);
    assertFalse(sts.getSpec().getVolumeClaimTemplates().isEmpty(), dir + ": no volumeClaimTemplates");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void lbTierResolvesTheFqdnOfTheHeadlessService(String dir) {
    Rendered r = Kustomize.render(dir);
    Pods.Tier lb = Pods.lb(r);
    Pods.Tier sampling = Pods.sampling(r);
    Service headless = r.one(Service.class, ((StatefulSet) sampling.owner()).getSpec().getServiceName());

    TierConfig config = Pods.config(r, lb);
    String hostname = config.substitute(config.string("exporters.loadbalancing.resolver.dns.hostname"), Pods.env(lb));
    String fqdn = headless.getMetadata().getName() + "." + Rendered.namespaceOf(headless) + ".svc." + CLUSTER_DOMAIN;
    assertEquals(fqdn, hostname.endsWith(".") ? hostname.substring(0, hostname.length() - 1) : hostname,
        dir + ": the lb-tier resolves " + hostname);
    assertEquals(Rendered.namespaceOf(lb.owner()), Rendered.namespaceOf(headless), dir);

    // The resolver adds its port to each A record: the sampling pods' OTLP/gRPC port.
    int port = Integer.parseInt(config.at("exporters.loadbalancing.resolver.dns.port").map(String::valueOf).orElse("4317"));
    assertEquals(sampling.ports().get("otlp-grpc"), port, dir + ": lb-tier sends to a port the sampling pods do not open");
    for (ServicePort p : headless.getSpec().getPorts()) {
      assertEquals(sampling.resolve(p.getTargetPort()), p.getPort(), dir + ": headless Service port " + p.getName());
    }
    assertTrue(headless.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == port), dir + ": headless Service lacks " + port);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void containerPortsAreTheConfigsListenPorts(String dir) {
    Rendered r = Kustomize.render(dir);
    for (Pods.Tier t : Pods.both(r)) {
      TierConfig c = Pods.config(r, t);
      Map<String, Integer> expected = new LinkedHashMap<>();
      expected.put("otlp-grpc", c.listenPort("receivers.otlp.protocols.grpc.endpoint"));
      expected.put("otlp-http", c.listenPort("receivers.otlp.protocols.http.endpoint"));
      expected.put("metrics", c.selfMetricsPort());
      if (t.component().equals(Pods.SAMPLING)) {
        expected.put("spanmetrics", c.listenPort("exporters.prometheus.endpoint"));
      }
      expected.put("health", c.listenPort("extensions.health_check.endpoint"));
      assertEquals(expected, t.ports(), dir + ": " + t.what() + " container ports vs its config " + c.source);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void probesAskTheHealthCheck(String dir) {
    Rendered r = Kustomize.render(dir);
    for (Pods.Tier t : Pods.both(r)) {
      TierConfig c = Pods.config(r, t);
      int health = c.listenPort("extensions.health_check.endpoint");
      String path = c.at("extensions.health_check.path").map(String::valueOf).orElse("/");
      Container k = t.container();
      Probe readiness = k.getReadinessProbe();
      assertNotNull(readiness, t.what() + ": no readinessProbe");
      assertNotNull(readiness.getHttpGet(), t.what() + ": readiness must read the health check's 200/503");
      assertEquals(path, readiness.getHttpGet().getPath(), t.what());
      for (Probe p : new Probe[] {k.getStartupProbe(), readiness, k.getLivenessProbe()}) {
        assertNotNull(p, t.what() + ": startup, readiness and liveness probes are all required");
        IntOrString port = p.getHttpGet() != null ? p.getHttpGet().getPort() : p.getTcpSocket() != null ? p.getTcpSocket().getPort() : null;
        assertNotNull(port, t.what() + ": probes are HTTP or TCP on the health port");
        assertEquals(health, t.resolve(port), t.what() + ": a probe asks a port that is not the health check's");
      }
      // A 503 (no backends, store full) is not cured by a restart: liveness must not read it.
      HTTPGetAction live = k.getLivenessProbe().getHttpGet();
      assertNull(live == null ? null : live.getPath(), t.what() + ": liveness must not fail on not-ready");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void servicePortsReachContainerPorts(String dir) {
    Rendered r = Kustomize.render(dir);
    List<Pods.Tier> tiers = Pods.both(r);
    for (Service s : r.all(Service.class)) {
      List<Pods.Tier> selected = tiers.stream().filter(t -> Pods.selects(s.getSpec().getSelector(), t.labels())).collect(Collectors.toList());
      assertEquals(1, selected.size(), dir + ": Service " + s.getMetadata().getName() + " must select exactly one tier's pods");
      Pods.Tier t = selected.get(0);
      assertEquals(Pods.label(s, Pods.COMPONENT), t.component(), dir + ": Service " + s.getMetadata().getName() + " component label");
      for (ServicePort p : s.getSpec().getPorts()) {
        int target = t.resolve(p.getTargetPort() == null ? new IntOrString(p.getPort()) : p.getTargetPort());
        assertEquals(target, p.getPort(), dir + ": Service " + s.getMetadata().getName() + " port " + p.getName()
            + " should expose the container's port under the same number");
      }
    }
    Service lb = r.one(Service.class, "tailshard-lb");
    assertEquals("ClusterIP", lb.getSpec().getType() == null ? "ClusterIP" : lb.getSpec().getType(), dir);
    assertEquals(Set.of(4317, 4318), lb.getSpec().getPorts().stream().map(ServicePort::getPort).collect(Collectors.toSet()), dir);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void scrapeAnnotationsAndServiceMonitorsNameRealPorts(String dir) {
    Rendered r = Kustomize.render(dir);
    List<ServiceMonitor> monitors = r.all(ServiceMonitor.class);
    for (Pods.Tier t : Pods.both(r)) {
      Map<String, String> ann = t.template().getMetadata().getAnnotations();
      assertNotNull(ann, t.what() + ": no prometheus.io annotations");
      String scrape = ann.get("prometheus.io/scrape");
      assertEquals(monitors.isEmpty() ? "true" : "false", scrape,
          dir + ": " + t.what() + " annotation scrape must be on exactly when no ServiceMonitor scrapes it");
      assertEquals(String.valueOf(t.ports().get("metrics")), ann.get("prometheus.io/port"), t.what());
      assertEquals("/metrics", ann.get("prometheus.io/path"), t.what());
    }
    for (ServiceMonitor m : monitors) {
      List<Service> services = r.all(Service.class).stream()
          .filter(s -> Rendered.namespaceOf(s).equals(Rendered.namespaceOf(m)))
          .filter(s -> Pods.selects(m.getSpec().getSelector().getMatchLabels(), s.getMetadata().getLabels()))
          .collect(Collectors.toList());
      assertFalse(services.isEmpty(), dir + ": ServiceMonitor " + m.getMetadata().getName() + " selects no Service");
      for (Endpoint e : m.getSpec().getEndpoints()) {
        assertTrue(services.stream().anyMatch(s -> s.getSpec().getPorts().stream().anyMatch(p -> e.getPort().equals(p.getName()))),
            dir + ": ServiceMonitor " + m.getMetadata().getName() + " scrapes port " + e.getPort() + " that no selected Service names");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void dataVolumeIsWhereTheSamplingConfigPutsRocksDb(String dir) {
    Rendered r = Kustomize.render(dir);
    Pods.Tier t = Pods.sampling(r);
    TierConfig c = Pods.config(r, t);
    // DESIGN §3: with no rocksdb extension the tier still runs on ./data.
    List<String> dirs = new ArrayList<>();
    c.at("extensions").ifPresent(ext -> ((Map<?, ?>) ext).forEach((id, v) -> {
      if (String.valueOf(id).equals("rocksdb") || String.valueOf(id).startsWith("rocksdb/")) {
        Object d = v instanceof Map ? ((Map<?, ?>) v).get("directory") : null;
        dirs.add(d == null ? "./data" : String.valueOf(d));
      }
    }));
    if (dirs.isEmpty()) {
      dirs.add("./data");
    }
    Set<String> claims = ((StatefulSet) t.owner()).getSpec().getVolumeClaimTemplates().stream()
        .map(v -> v.getMetadata().getName()).collect(Collectors.toSet());
    List<VolumeMount> dataMounts = t.container().getVolumeMounts().stream()
        .filter(m -> claims.contains(m.getName())).collect(Collectors.toList());
    assertEquals(1, dataMounts.size(), dir + ": the sampling container must mount its one volumeClaimTemplate");
    VolumeMount data = dataMounts.get(0);
    assertFalse(Boolean.TRUE.equals(data.getReadOnly()), dir + ": the data volume is mounted read-only");
    for (String d : dirs) {
      Path p = Path.of(d);
      if (!p.isAbsolute()) {
        assertNotNull(t.container().getWorkingDir(),
            dir + ": RocksDB's directory " + d + " is relative, so the container must set workingDir");
        p = Path.of(t.container().getWorkingDir()).resolve(p);
      }
      assertTrue(p.normalize().startsWith(Path.of(data.getMountPath())),
          dir + ": RocksDB writes to " + p.normalize() + " but the data volume is at " + data.getMountPath());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void everyVariableTheConfigsNeedIsSet(String dir) {
    Rendered r = Kustomize.render(dir);
    for (Pods.Tier t : Pods.both(r)) {
      TierConfig c = Pods.config(r, t);
      Set<String> missing = c.requiredEnv().stream().filter(n -> !Pods.env(t).containsKey(n)).collect(Collectors.toSet());
      assertTrue(missing.isEmpty(), dir + ": " + t.what() + " does not set " + missing + ", which " + c.source + " needs");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void terminationGraceCoversPreStopAndTheTiersShutdown(String dir) {
    Rendered r = Kustomize.render(dir);
    for (Pods.Tier t : Pods.both(r)) {
      Long grace = t.template().getSpec().getTerminationGracePeriodSeconds();
      assertNotNull(grace, t.what() + ": set terminationGracePeriodSeconds (the default 30s is shorter than a drain)");
      assertNotNull(t.container().getLifecycle(), t.what() + ": no preStop");
      List<String> cmd = t.container().getLifecycle().getPreStop().getExec().getCommand();
      assertTrue(cmd.size() == 2 && cmd.get(0).endsWith("sleep"), t.what() + ": preStop is a sleep: " + cmd);
      Duration preStop = Duration.ofSeconds(Long.parseLong(cmd.get(1)));
      String arg = Pods.arg(t, "--shutdown-timeout");
      Duration shutdown = arg == null ? Pods.DEFAULT_SHUTDOWN_TIMEOUT : Pods.duration(arg);
      Duration needed = preStop.plus(shutdown).plus(Pods.HOOK_SLACK);
      assertTrue(grace >= needed.toSeconds(), dir + ": " + t.what() + " grace " + grace + "s < preStop " + preStop.toSeconds()
          + "s + --shutdown-timeout " + shutdown.toSeconds() + "s + hook slack " + Pods.HOOK_SLACK.toSeconds() + "s");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void podsRunAsNonRootOnReadOnlyRootWithAnUnprivilegedServiceAccount(String dir) {
    Rendered r = Kustomize.render(dir);
    for (Pods.Tier t : Pods.both(r)) {
      PodSecurityContext pod = t.template().getSpec().getSecurityContext();
      assertEquals(Boolean.TRUE, pod.getRunAsNonRoot(), t.what());
      assertTrue(pod.getRunAsUser() != null && pod.getRunAsUser() > 0, t.what() + ": runAsUser must be a numeric non-root uid");
      SecurityContext c = t.container().getSecurityContext();
      assertEquals(Boolean.TRUE, c.getReadOnlyRootFilesystem(), t.what());
      assertEquals(Boolean.FALSE, c.getAllowPrivilegeEscalation(), t.what());
      assertEquals(List.of("ALL"), c.getCapabilities().getDrop(), t.what());
      assertTrue(c.getCapabilities().getAdd() == null || c.getCapabilities().getAdd().isEmpty(), t.what());
      // Writable: only emptyDir scratch and the data volume.
      Set<String> claims = t.owner() instanceof StatefulSet
          ? ((StatefulSet) t.owner()).getSpec().getVolumeClaimTemplates().stream().map(v -> v.getMetadata().getName()).collect(Collectors.toSet())
          : Set.of();
      for (VolumeMount m : t.container().getVolumeMounts()) {
        if (!Boolean.TRUE.equals(m.getReadOnly()) && !claims.contains(m.getName())) {
          Volume v = Pods.volume(t, m.getName());
          assertNotNull(v.getEmptyDir(), t.what() + ": writable mount " + m.getMountPath() + " is neither scratch nor data");
        }
      }
      assertTrue(t.container().getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
          t.what() + ": the JVM needs a writable /tmp on a read-only root");

      String sa = t.template().getSpec().getServiceAccountName();
      assertNotNull(sa, t.what() + ": name the ServiceAccount");
      ServiceAccount account = r.one(ServiceAccount.class, sa);
      assertEquals(Boolean.FALSE, account.getAutomountServiceAccountToken(), sa);
      assertEquals(Boolean.FALSE, t.template().getSpec().getAutomountServiceAccountToken(), t.what());
    }
    List<Subject> subjects = Stream.concat(
            r.all(RoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()),
            r.all(ClusterRoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()))
        .collect(Collectors.toList());
    for (ServiceAccount a : r.all(ServiceAccount.class)) {
      assertTrue(subjects.stream().noneMatch(s -> "ServiceAccount".equals(s.getKind()) && a.getMetadata().getName().equals(s.getName())),
          dir + ": ServiceAccount " + a.getMetadata().getName() + " is bound to a role; it needs none");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void jvmHeapFollowsTheContainerMemoryLimit(String dir) {
    Rendered r = Kustomize.render(dir);
    for (Pods.Tier t : Pods.both(r)) {
      String opts = Pods.env(t).get("JAVA_OPTS");
      assertNotNull(opts, t.what() + ": JAVA_OPTS");
      Matcher m = MAX_RAM.matcher(opts);
      assertTrue(m.find(), t.what() + ": size the heap with -XX:MaxRAMPercentage: " + opts);
      double pct = Double.parseDouble(m.group(1));
      assertTrue(pct > 0 && pct <= 75, t.what() + ": MaxRAMPercentage " + pct + " leaves no room off-heap");
      assertFalse(opts.contains("-Xmx") || opts.contains("-Xms"), t.what() + ": a fixed heap ignores the limit: " + opts);
      Map<String, Quantity> limits = t.container().getResources().getLimits();
      Map<String, Quantity> requests = t.container().getResources().getRequests();
      assertNotNull(limits == null ? null : limits.get("memory"), t.what() + ": MaxRAMPercentage needs a memory limit");
      assertNotNull(requests == null ? null : requests.get("cpu"), t.what() + ": CPU request (HPA and scheduling)");
      assertEquals(limits.get("memory").getNumericalAmount(), requests.get("memory").getNumericalAmount(),
          t.what() + ": memory request = limit (memory is not compressible)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void autoscalerAndDisruptionBudgetsTargetTheTiers(String dir) {
    Rendered r = Kustomize.render(dir);
    Pods.Tier lb = Pods.lb(r);
    HorizontalPodAutoscaler hpa = r.all(HorizontalPodAutoscaler.class).get(0);
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind(), dir);
    assertEquals(lb.owner().getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName(), dir);
    assertNull(((Deployment) lb.owner()).getSpec().getReplicas(), dir + ": the HPA owns the lb-tier's replicas");
    assertTrue(hpa.getSpec().getMinReplicas() >= 1 && hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(), dir);
    List<MetricSpec> metrics = hpa.getSpec().getMetrics();
    assertTrue(metrics.stream().anyMatch(m -> m.getResource() != null && "cpu".equals(m.getResource().getName())), dir + ": HPA on CPU");

    Pods.Tier sampling = Pods.sampling(r);
    for (Pods.Tier t : List.of(lb, sampling)) {
      List<PodDisruptionBudget> pdbs = r.all(PodDisruptionBudget.class).stream()
          .filter(p -> Pods.selects(p.getSpec().getSelector().getMatchLabels(), t.labels())).collect(Collectors.toList());
      assertEquals(1, pdbs.size(), dir + ": one PodDisruptionBudget must cover " + t.what());
      assertEquals(new IntOrString(1), pdbs.get(0).getSpec().getMaxUnavailable(), dir + ": " + t.what());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void labelsAreConsistent(String dir) {
    Rendered r = Kustomize.render(dir);
    Set<String> components = Set.of(Pods.LB, Pods.SAMPLING);
    for (HasMetadata o : r.objects) {
      String what = dir + ": " + o.getKind() + " " + o.getMetadata().getName();
      assertEquals("tailshard", Pods.label(o, "app.kubernetes.io/name"), what);
      if (o.getKind().equals("Namespace") || o.getKind().equals("ServiceAccount")) {
        continue;
      }
      assertTrue(components.contains(Pods.label(o, Pods.COMPONENT)), what + ": component label");
      assertEquals("tailshard", Pods.label(o, "app.kubernetes.io/part-of"), what);
    }
    for (Pods.Tier t : Pods.both(r)) {
      assertEquals(t.component(), t.labels().get(Pods.COMPONENT), t.what());
      assertEquals(t.component(), t.container().getName(), t.what() + ": the container is named after its tier");
      assertEquals(t.component(), t.container().getArgs().get(0), t.what() + ": the image's first argument picks the tier");
    }
    // Volumes carry the labels too, so `kubectl get pvc -l app.kubernetes.io/component=sampling-tier` finds them.
    ((StatefulSet) Pods.sampling(r).owner()).getSpec().getVolumeClaimTemplates().forEach(v -> {
      assertEquals("tailshard", v.getMetadata().getLabels().get("app.kubernetes.io/name"), dir + ": volumeClaimTemplate labels");
      assertEquals(Pods.SAMPLING, v.getMetadata().getLabels().get(Pods.COMPONENT), dir + ": volumeClaimTemplate labels");
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void bothTiersRunOneTaggedImage(String dir) {
    Rendered r = Kustomize.render(dir);
    Set<String> images = Pods.both(r).stream().map(t -> t.container().getImage()).collect(Collectors.toSet());
    assertEquals(1, images.size(), dir + ": the tiers run different images: " + images);
    String image = images.iterator().next();
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    assertTrue(image.contains("@sha256:") || colon > slash, dir + ": image without a tag: " + image);
    String tag = image.contains("@") ? "" : image.substring(colon + 1);
    assertFalse(tag.equals("latest"), dir + ": a moving tag: " + image);
    if (dir.equals("overlays/production")) {
      assertFalse(tag.endsWith("-SNAPSHOT") || tag.equals("dev"), dir + ": production runs a released version, not " + image);
    }
  }
}
