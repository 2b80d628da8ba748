package io.tailshard.common.processor.resourcedetection;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.otlp.model.Values;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.processor.ProcessorTesting.Recorder;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceDetectionTest {
  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path root;

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void seed001BlockDetectsTheHostsSystemAttributes() throws IOException {
    ResourceDetectionFactory factory = new ResourceDetectionFactory();
    ResourceDetectionConfig config =
        ProcessorTesting.configFromResource(factory, "processors/seed001-processors.yaml", "resourcedetection");
    assertEquals(List.of("system"), config.detectors());
    assertEquals(List.of("dns", "os"), config.hostnameSources());
    Map<String, AnyValue> detected = detect(factory, config);

    assertFalse(Values.asString(detected.get("host.name")).isBlank());
    assertEquals("linux", Values.asString(detected.get("os.type")));
    String arch = System.getProperty("os.arch");
    assertEquals(arch.equals("aarch64") ? "arm64" : arch.equals("amd64") ? "amd64" : arch,
        Values.asString(detected.get("host.arch")));
    assertTrue(Values.asString(detected.get("os.description")).contains("Linux "), detected.toString());
    String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
    if (cpuinfo.contains("vendor_id")) {
      assertTrue(cpuinfo.contains("vendor_id\t: " + Values.asString(detected.get("host.cpu.vendor.id"))));
      assertTrue(cpuinfo.contains("model name\t: " + Values.asString(detected.get("host.cpu.model.name"))));
      assertEquals(AnyValue.ValueCase.INT_VALUE, detected.get("host.cpu.cache.l2.size").getValueCase());
    }
    assertFalse(detected.containsKey("host.id"), "not enabled");
  }

  @Test
  void aFakeHostGivesExactValuesInTheCollectorsFormats() throws IOException {
    write("proc/sys/kernel/hostname", "web-7f9c\n");
    write("proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
    write("proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1\n");
    write("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n");
    write("etc/machine-id", "4c4c4544004e3510804ab7c04f4e4e32\n");
    write("proc/cpuinfo", String.join("\n",
        "processor\t: 0", "vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 85",
        "model name\t: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "stepping\t: 7", "cache size\t: 36608 KB", "",
        "processor\t: 1", "vendor_id\t: Other", ""));
    ResourceDetectionFactory factory = new ResourceDetectionFactory(name -> null, root);
    ResourceDetectionConfig config = ProcessorTesting.config(factory, String.join("\n",
        "detectors: [system]",
        "system:",
        "  hostname_sources: [os]",
        "  resource_attributes:",
        "    host.id: {enabled: true}",
        "    os.description: {enabled: true}",
        "    os.name: {enabled: true}",
        "    os.version: {enabled: true}",
        "    host.cpu.vendor.id: {enabled: true}",
        "    host.cpu.family: {enabled: true}",
        "    host.cpu.model.id: {enabled: true}",
        "    host.cpu.model.name: {enabled: true}",
        "    host.cpu.stepping: {enabled: true}",
        "    host.cpu.cache.l2.size: {enabled: true}",
        "    os.type: {enabled: false}"));
    Map<String, AnyValue> d = detect(factory, config);
    assertEquals("web-7f9c", Values.asString(d.get("host.name")));
    assertFalse(d.containsKey("os.type"), "disabled");
    assertEquals("4c4c4544004e3510804ab7c04f4e4e32", Values.asString(d.get("host.id")));
    assertEquals("Debian GNU/Linux 12 (bookworm) (Linux web-7f9c 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 "
        + (System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch")) + ")",
        Values.asString(d.get("os.description")));
    assertEquals("Debian GNU/Linux", Values.asString(d.get("os.name")));
    assertEquals("12", Values.asString(d.get("os.version")));
    assertEquals("GenuineIntel", Values.asString(d.get("host.cpu.vendor.id")));
    assertEquals("6", Values.asString(d.get("host.cpu.family")));
    assertEquals("85", Values.asString(d.get("host.cpu.model.id")));
    assertEquals("Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", Values.asString(d.get("host.cpu.model.name")));
    assertEquals("7", Values.asString(d.get("host.cpu.stepping")));
    assertEquals(Values.integer(36608), d.get("host.cpu.cache.l2.size"));
  }

  @Test
  void envAttributesComeFirstAndOverrideDecidesAgainstTheResourcesOwn() throws IOException {
    write("proc/sys/kernel/hostname", "detected-host\n");
    Map<String, String> env = Map.of("OTEL_RESOURCE_ATTRIBUTES",
        "host.name=from-env, deployment.environment.name=prod%20eu ,team=a+b");
    ResourceDetectionFactory factory = new ResourceDetectionFactory(env::get, root);
    ExportTraceServiceRequest in = ProcessorTesting.request(
        List.of(kv("service.name", "web"), kv("deployment.environment.name", "staging")), span("GET /"));

    for (boolean override : List.of(true, false)) {
      ResourceDetectionConfig config = ProcessorTesting.config(factory,
          "detectors: [env, system]\noverride: " + override + "\nsystem: {hostname_sources: [os]}");
      Recorder out = new Recorder();
      TracesProcessor p = factory.createTracesProcessor(
          ProcessorTesting.settings(vertx, Telemetry.forTests("t"), "resourcedetection"), config, out);
      Await.result(p.start());
      Await.result(p.consumeTraces(ProcessorTesting.data(in)));
      ExportTraceServiceRequest result = out.requests().get(0);
      Map<String, Object> attrs = plain(result.getResourceSpans(0).getResource().getAttributesList());
      assertEquals("from-env", attrs.get("host.name"), "the first detector wins");
      assertEquals(override ? "prod eu" : "staging", attrs.get("deployment.environment.name"));
      assertEquals("a+b", attrs.get("team"));
      assertEquals("linux", attrs.get("os.type"));
      assertEquals("https://opentelemetry.io/schemas/1.6.1", result.getResourceSpans(0).getSchemaUrl());
      Await.result(p.shutdown());
    }
  }

  @Test
  void aFailingDetectorIsSkippedAndTheOthersStillApply() throws IOException {
    ResourceDetectionFactory factory = new ResourceDetectionFactory(
        Map.of("OTEL_RESOURCE_ATTRIBUTES", "broken")::get, root);
    write("proc/sys/kernel/hostname", "h\n");
    ResourceDetectionConfig config = ProcessorTesting.config(factory,
        "detectors: [env, system]\nsystem: {hostname_sources: [os]}");
    assertEquals("h", Values.asString(detect(factory, config).get("host.name")));
  }

  @Test
  void unbuiltDetectorsAndUnknownAttributesAreRefused() {
    ResourceDetectionFactory factory = new ResourceDetectionFactory();
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "detectors: [env, ec2]"))
        .getMessage().contains("block.detectors[1]: detector 'ec2' is not built in tailshard; built: env, system"));
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory,
        "detectors: [system]\nsystem: {resource_attributes: {host.cpu.speed: {enabled: true}}}"))
        .getMessage().contains("the system detector has no attribute 'host.cpu.speed'"));
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory,
        "detectors: [system]\nsystem: {hostname_sources: [cname]}"))
        .getMessage().contains("hostname source 'cname' is not supported"));
    assertEquals(List.of("env"), ProcessorTesting.config(factory, "{}").detectors(), "the Collector's default");
  }

  private Map<String, AnyValue> detect(ResourceDetectionFactory factory, ResourceDetectionConfig config) {
    ResourceDetectionProcessor p = (ResourceDetectionProcessor) factory.createTracesProcessor(
        ProcessorTesting.settings(vertx, Telemetry.forTests("t"), "resourcedetection"), config, new Recorder());
    Await.result(p.start());
    return Await.result(p.detectedAttributes());
  }

  private void write(String file, String content) throws IOException {
    Path p = root.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }
}
