package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Every kustomization renders, and every object it renders is one the Kubernetes API would take. */
class RenderTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void rendersAndEveryObjectValidates(String dir) {
    Rendered r = Kustomize.render(dir); // parses and validates each object, or fails naming it
    Set<String> kinds = r.objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    assertTrue(kinds.containsAll(Set.of("Deployment", "StatefulSet", "Service", "ConfigMap", "ServiceAccount",
        "HorizontalPodAutoscaler", "PodDisruptionBudget")), dir + " renders " + kinds);
    assertEquals(1, r.all(Deployment.class).size(), r.toString());
    assertEquals(1, r.all(StatefulSet.class).size(), r.toString());
    assertEquals(1, r.all(HorizontalPodAutoscaler.class).size(), r.toString());
    assertEquals(2, r.all(PodDisruptionBudget.class).size(), r.toString());
    assertEquals(1, r.all(ServiceAccount.class).size(), r.toString());
    assertEquals(2, r.all(ConfigMap.class).size(), r.toString());
    assertTrue(r.all(Service.class).size() >= 2, r.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tailshard.deploy.Layouts#all")
  void overlaysPutEverythingInOneNamespace(String dir) {
    Rendered r = Kustomize.render(dir);
    Set<String> namespaces = r.objects.stream()
        .filter(o -> !o.getKind().equals("Namespace"))
        .map(o -> String.valueOf(o.getMetadata().getNamespace()))
        .collect(Collectors.toSet());
    assertEquals(1, namespaces.size(), dir + ": objects in several namespaces: " + namespaces);
    if (dir.startsWith("overlays/")) {
      assertFalse(namespaces.contains("null"), dir + " sets no namespace");
    }
  }

  // The validator itself: each of these is a mistake the API server refuses; so must the tests.

  @Test
  void validatorRefusesAnUnknownFieldDeepInAPodSpec() {
    Map<String, Object> d = deployment("        imagePullPolcy: Always\n");
    Schema.SchemaException e = assertThrows(Schema.SchemaException.class, () -> Schema.validate(d));
    assertTrue(e.getMessage().contains("imagePullPolcy"), e.getMessage());
  }

  @Test
  void validatorRefusesAnUnknownTopLevelField() {
    Map<String, Object> d = deployment("");
    d.put("spc", Map.of());
    assertThrows(Schema.SchemaException.class, () -> Schema.validate(d));
  }

  @Test
  void validatorRefusesAWronglyTypedValue() {
    Map<String, Object> d = deployment("        ports:\n          - containerPort: \"4317\"\n");
    Schema.SchemaException e = assertThrows(Schema.SchemaException.class, () -> Schema.validate(d));
    assertTrue(e.getMessage().contains("containerPort"), e.getMessage());
  }

  @Test
  void validatorRefusesAScalarWhereAListBelongs() {
    Map<String, Object> d = deployment("        args: lb-tier\n");
    assertThrows(Schema.SchemaException.class, () -> Schema.validate(d));
  }

  @Test
  void validatorRefusesAnUnknownKind() {
    Map<String, Object> d = deployment("");
    d.put("kind", "Deploymnet");
    assertThrows(Schema.SchemaException.class, () -> Schema.validate(d));
  }

  @Test
  void validatorTakesTheFormsTheApiTakes() {
    // Quantities as numbers or strings, ports by number or name: all valid Kubernetes.
    Schema.validate(deployment("        resources:\n          limits: {cpu: 1, memory: 512Mi}\n"
        + "        readinessProbe:\n          httpGet: {path: /, port: 13133}\n"
        + "        livenessProbe:\n          tcpSocket: {port: health}\n"));
  }

  @Test
  void apiRulesRefuseABadPortNameAndAMismatchedSelector() {
    Map<String, Object> longName = deployment("        ports:\n          - {name: otlp-grpc-receiver, containerPort: 4317}\n");
    assertThrows(Schema.SchemaException.class, () -> Rendered.checkApiRules(Schema.validate(longName)));
    String other = yaml().replace("component: lb-tier\n    spec:", "component: other\n    spec:");
    assertThrows(Schema.SchemaException.class, () -> Rendered.checkApiRules(Schema.validate(load(other))));
  }

  private static String yaml() {
    return String.join("\n",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: x",
        "spec:",
        "  selector:",
        "    matchLabels:",
        "      app.kubernetes.io/component: lb-tier",
        "  template:",
        "    metadata:",
        "      labels:",
        "        app.kubernetes.io/component: lb-tier",
        "    spec:",
        "      containers:",
        "      - name: c",
        "        image: tailshard/tailshard:1",
        "");
  }

  private static Map<String, Object> deployment(String containerExtra) {
    return load(yaml() + containerExtra);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(String yaml) {
    Object o = new Load(LoadSettings.builder().build()).loadFromString(yaml);
    return (Map<String, Object>) (Map<?, ?>) new java.util.LinkedHashMap<>((Map<String, Object>) o);
  }

  static List<String> layouts() {
    return Layouts.all().collect(Collectors.toList());
  }
}
