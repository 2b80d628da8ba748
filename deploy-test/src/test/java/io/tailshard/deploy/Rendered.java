package io.tailshard.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The objects of one rendered kustomization, each validated by {@link Schema} and by the API
 * server's rules on names and selectors that the model classes do not carry.
 */
final class Rendered {
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern IANA_SVC_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  final String dir;
  final List<HasMetadata> objects;
  final List<Map<String, Object>> raw;

  private Rendered(String dir, List<HasMetadata> objects, List<Map<String, Object>> raw) {
    this.dir = dir;
    this.objects = List.copyOf(objects);
    this.raw = List.copyOf(raw);
  }

  /** Parses kustomize's output: every document validated; the first invalid one fails the whole. */
  @SuppressWarnings("unchecked")
  static Rendered parse(String dir, String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    List<Map<String, Object>> raw = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object doc : new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadAllFromString(yaml)) {
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof Map)) {
        throw new Schema.SchemaException(dir + ": a rendered document is not an object: " + doc);
      }
      Map<String, Object> m = (Map<String, Object>) doc;
      HasMetadata o = Schema.validate(m);
      checkApiRules(o);
      String key = o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
      if (!seen.add(key)) {
        throw new Schema.SchemaException(dir + ": " + key + " rendered twice");
      }
      objects.add(o);
      raw.add(m);
    }
    if (objects.isEmpty()) {
      throw new Schema.SchemaException(dir + ": rendered no object");
    }
    return new Rendered(dir, objects, raw);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).collect(Collectors.toList());
    if (found.size() != 1) {
      throw new AssertionError(dir + ": expected one " + type.getSimpleName() + " named " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  /** The namespace the object lands in: its own, or the client's default when the render sets none. */
  static String namespaceOf(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return ns == null ? "default" : ns;
  }

  /** The API server's rules that fabric8's types do not express, for the kinds we ship. */
  static void checkApiRules(HasMetadata o) {
    String what = o.getKind() + " " + o.getMetadata().getName();
    String name = o.getMetadata().getName();
    require(name != null && !name.isEmpty(), what + ": metadata.name is required");
    require(name.length() <= 253 && DNS1123_SUBDOMAIN.matcher(name).matches(), what + ": name is not a DNS-1123 subdomain");
    labels(what, o.getMetadata().getLabels());
    if (o instanceof Service) {
      Service s = (Service) o;
      require(name.length() <= 63 && DNS1035_LABEL.matcher(name).matches(), what + ": a Service name must be a DNS-1035 label");
      List<ServicePort> ports = s.getSpec().getPorts();
      require(ports != null && !ports.isEmpty(), what + ": spec.ports is required");
      for (ServicePort p : ports) {
        require(p.getPort() != null && p.getPort() > 0 && p.getPort() < 65536, what + ": port out of range: " + p);
        require(ports.size() == 1 || p.getName() != null, what + ": every port needs a name when there are several");
        if (p.getName() != null) {
          portName(what, p.getName());
        }
      }
    } else if (o instanceof Deployment) {
      Deployment d = (Deployment) o;
      workload(what, d.getSpec().getSelector(), d.getSpec().getTemplate());
    } else if (o instanceof StatefulSet) {
      StatefulSet s = (StatefulSet) o;
      // Pods are named <set>-<ordinal> and labelled with controller-revision-hash=<set>-<hash>.
      require(name.length() <= 52, what + ": a StatefulSet name longer than 52 characters breaks its pods' labels");
      workload(what, s.getSpec().getSelector(), s.getSpec().getTemplate());
      require(s.getSpec().getServiceName() != null, what + ": spec.serviceName is required");
      s.getSpec().getVolumeClaimTemplates().forEach(t -> {
        require(t.getMetadata().getName() != null, what + ": a volumeClaimTemplate needs a name");
        require(t.getSpec().getResources() != null && t.getSpec().getResources().getRequests().containsKey("storage"),
            what + ": volumeClaimTemplate " + t.getMetadata().getName() + " requests no storage");
      });
    }
  }

  private static void workload(String what, LabelSelector selector, PodTemplateSpec template) {
    require(selector != null && selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty(),
        what + ": spec.selector.matchLabels is required");
    Map<String, String> labels = template.getMetadata().getLabels();
    selector.getMatchLabels().forEach((k, v) ->
        require(labels != null && v.equals(labels.get(k)), what + ": selector " + k + "=" + v + " does not match the pod template's labels"));
    labels(what + " pod template", labels);
    List<Container> containers = template.getSpec().getContainers();
    require(containers != null && !containers.isEmpty(), what + ": no containers");
    Set<String> portNames = new HashSet<>();
    for (Container c : containers) {
      require(c.getName() != null && c.getName().length() <= 63 && DNS1123_LABEL.matcher(c.getName()).matches(),
          what + ": container name is not a DNS-1123 label: " + c.getName());
      require(c.getImage() != null && !c.getImage().isBlank(), what + ": container " + c.getName() + " has no image");
      for (ContainerPort p : c.getPorts()) {
        require(p.getContainerPort() != null && p.getContainerPort() > 0 && p.getContainerPort() < 65536,
            what + ": containerPort out of range: " + p);
        if (p.getName() != null) {
          portName(what, p.getName());
          require(portNames.add(p.getName()), what + ": port name used twice in the pod: " + p.getName());
        }
      }
    }
  }

  private static void portName(String what, String n) {
    require(n.length() <= 15 && IANA_SVC_NAME.matcher(n).matches() && !n.contains("--") && n.matches(".*[a-z].*"),
        what + ": port name is not an IANA service name (<= 15 chars, a-z0-9-): " + n);
  }

  private static void labels(String what, Map<String, String> labels) {
    if (labels == null) {
      return;
    }
    labels.forEach((k, v) -> {
      String nameOf = k.contains("/") ? k.substring(k.indexOf('/') + 1) : k;
      require(nameOf.length() <= 63 && !nameOf.isEmpty(), what + ": label key too long: " + k);
      require(v != null && v.length() <= 63 && LABEL_VALUE.matcher(v).matches(), what + ": invalid label value " + k + "=" + v);
    });
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new Schema.SchemaException(message);
    }
  }

  @Override
  public String toString() {
    return dir + " " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toList());
  }

  static <T> T nonNull(T t, String what) {
    return Objects.requireNonNull(t, what);
  }
}
