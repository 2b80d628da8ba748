package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each overlay promises (the issue, docs/operations.md), and the base's config copies. */
class OverlaysTest {

  @Test
  void baseConfigsAreTheTiersDefaultsUnchanged() {
    // kustomize reads only files under its directory, so the base carries copies.
    assertEquals(Repo.read(Repo.LB_DEFAULT_CONFIG), Repo.read("deploy/kubernetes/base/config/lb-tier.yaml"),
        "deploy/kubernetes/base/config/lb-tier.yaml drifted from " + Repo.LB_DEFAULT_CONFIG + ": copy it again");
    assertEquals(Repo.read(Repo.SAMPLING_DEFAULT_CONFIG), Repo.read("deploy/kubernetes/base/config/sampling-tier.yaml"),
        "deploy/kubernetes/base/config/sampling-tier.yaml drifted from " + Repo.SAMPLING_DEFAULT_CONFIG + ": copy it again");
  }

  @Test
  void devIsOneLbPodAndTwoSamplingPodsWithSmallRequests() {
    Rendered r = Kustomize.render("overlays/dev");
    HorizontalPodAutoscaler hpa = r.all(HorizontalPodAutoscaler.class).get(0);
    assertEquals(1, hpa.getSpec().getMinReplicas());
    assertEquals(2, ((StatefulSet) Pods.sampling(r).owner()).getSpec().getReplicas());
    for (Pods.Tier t : Pods.both(r)) {
      assertTrue(cores(t.container().getResources().getRequests().get("cpu")) <= 0.5, t.what() + ": dev is small");
      assertTrue(bytes(t.container().getResources().getLimits().get("memory")) <= 1L << 30, t.what() + ": dev is small");
    }
    assertEquals("tailshard/tailshard:dev", Pods.lb(r).container().getImage());
    assertTrue(r.all(ServiceMonitor.class).isEmpty(), "dev scrapes by annotation");
  }

  @Test
  void productionIsSizedAsDocumented() {
    // docs/operations.md, "Size": 1.7M spans/s; lb 4..12 x 2 cores; sampling 6 x 3 cores, 6 GiB, 16 GiB volume.
    Rendered r = Kustomize.render("overlays/production");
    HorizontalPodAutoscaler hpa = r.all(HorizontalPodAutoscaler.class).get(0);
    assertEquals(4, hpa.getSpec().getMinReplicas());
    assertEquals(12, hpa.getSpec().getMaxReplicas());
    Pods.Tier lb = Pods.lb(r);
    assertEquals(2.0, cores(lb.container().getResources().getRequests().get("cpu")));
    StatefulSet sts = (StatefulSet) Pods.sampling(r).owner();
    assertEquals(6, sts.getSpec().getReplicas());
    Pods.Tier sampling = Pods.sampling(r);
    assertEquals(3.0, cores(sampling.container().getResources().getLimits().get("cpu")));
    assertEquals(6L << 30, bytes(sampling.container().getResources().getLimits().get("memory")));
    assertEquals(16L << 30, bytes(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")));
    assertEquals(2, r.all(ServiceMonitor.class).size(), "a ServiceMonitor per tier");
  }

  @Test
  @SuppressWarnings("unchecked")
  void productionSamplesLikeSeed001AndExportsKeptTraces() {
    Rendered r = Kustomize.render("overlays/production");
    TierConfig c = Pods.config(r, Pods.sampling(r));
    List<Map<String, Object>> policies = (List<Map<String, Object>>) c.at("processors.tail_sampling.policies").orElseThrow();
    assertEquals(2, policies.size());
    assertEquals("status_code", policies.get(0).get("type"));
    assertEquals(List.of("ERROR"), ((Map<String, Object>) policies.get(0).get("status_code")).get("status_codes"));
    assertEquals("probabilistic", policies.get(1).get("type"));
    assertEquals(0.1, ((Number) ((Map<String, Object>) policies.get(1).get("probabilistic")).get("sampling_percentage")).doubleValue());
    List<Object> exporters = (List<Object>) c.at("service.pipelines.traces.exporters").orElseThrow();
    assertEquals(List.of("otlp"), exporters, "production exports kept traces to the backend, not to the log");
    String endpoint = c.substitute(c.string("exporters.otlp.endpoint"), Pods.env(Pods.sampling(r)));
    assertFalse(endpoint.isBlank());
  }

  private static double cores(Quantity q) {
    return q.getNumericalAmount().doubleValue();
  }

  private static long bytes(Quantity q) {
    return q.getNumericalAmount().longValueExact();
  }
}
