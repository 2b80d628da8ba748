package io.tailshard.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.Map;

/**
 * Reads a rendered object into fabric8's model class for its {@code apiVersion} and {@code kind}
 * (the Kubernetes API's schema as Java types), refusing what the API server would refuse as a
 * schema error: an unknown field anywhere in the tree, a value of the wrong type (no coercion of
 * {@code "3"} to 3 or of 3 to {@code "3"}), a list where one value belongs, an unknown kind.
 *
 * <p>fabric8's classes collect unknown fields in an {@code additionalProperties} map through
 * {@code @JsonAnySetter} instead of failing; the introspector here turns that off, so
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} applies at every level. Required fields and value formats
 * (names, port names) are not part of the classes; {@link Rendered} checks the ones that matter.
 */
final class Schema {
  /** apiVersion/kind -> model class. A kind not listed here fails validation: add it when used. */
  static final Map<String, Class<? extends HasMetadata>> TYPES =
      Map.ofEntries(
          Map.entry("v1/Namespace", Namespace.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
          Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class));

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .annotationIntrospector(new NoAnySetter())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private Schema() {}

  /** The typed object; throws {@link SchemaException} naming the object and the offending path. */
  static HasMetadata validate(Map<String, Object> doc) {
    Object apiVersion = doc.get("apiVersion");
    Object kind = doc.get("kind");
    String what = apiVersion + "/" + kind + " " + name(doc);
    if (!(apiVersion instanceof String) || !(kind instanceof String)) {
      throw new SchemaException(what + ": apiVersion and kind are required strings");
    }
    Class<? extends HasMetadata> type = TYPES.get(apiVersion + "/" + kind);
    if (type == null) {
      throw new SchemaException(what + ": no schema for this apiVersion/kind (known: " + TYPES.keySet() + ")");
    }
    try {
      return STRICT.convertValue(doc, type);
    } catch (IllegalArgumentException e) {
      throw new SchemaException(what + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static String name(Map<String, Object> doc) {
    Object md = doc.get("metadata");
    return md instanceof Map ? String.valueOf(((Map<String, Object>) md).get("name")) : "(no metadata)";
  }

  /** An object the Kubernetes API would refuse. */
  static final class SchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SchemaException(String message) {
      super(message);
    }

    SchemaException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Jackson's annotations as written, except that no {@code @JsonAnySetter} swallows unknown fields. */
  private static final class NoAnySetter extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasAnySetter(Annotated a) {
      return Boolean.FALSE;
    }
  }
}
