package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.HostPort;
import io.tailshard.common.extension.healthcheck.HealthCheckConfig;
import io.tailshard.common.logging.LogLevel;
import io.tailshard.common.service.TelemetryConfig.MetricsLevel;
import io.tailshard.common.testing.TestComponents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
  private static final String PIPELINE =
      "service:\n"
          + "  pipelines:\n"
          + "    traces:\n"
          + "      receivers: [test_receiver]\n"
          + "      exporters: [test_exporter]\n";
  private static final String COMPONENTS =
      "receivers:\n"
          + "  test_receiver:\n"
          + "exporters:\n"
          + "  test_exporter:\n";

  private final TestComponents test = new TestComponents();

  private ServiceConfig parse(String yaml) {
    return ServiceConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("svc.yaml", yaml), test.components());
  }

  private ConfigException refused(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  private static void assertMessage(ConfigException e, int line, String path, String... parts) {
    assertEquals("svc.yaml", e.file(), e.getMessage());
    assertEquals(line, e.line(), e.getMessage());
    assertEquals(path, e.path(), e.getMessage());
    assertTrue(e.getMessage().startsWith("svc.yaml:" + line + ": " + path + ": "), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
  }

  @Test
  void aMinimalTracesPipelineParsesWithDefaults() {
    ServiceConfig c = parse(COMPONENTS + PIPELINE);
    PipelineConfig p = c.pipelines().get(new PipelineId(Signal.TRACES, null));
    assertEquals(List.of(ComponentId.of("test_receiver")), p.receivers());
    assertEquals(List.of(), p.processors());
    assertEquals(List.of(ComponentId.of("test_exporter")), p.exporters());
    assertEquals(List.of(), c.extensions());
    assertEquals(TelemetryConfig.defaults(), c.telemetry());
    TestComponents.ExporterConfig e =
        (TestComponents.ExporterConfig) c.component(ComponentKind.EXPORTER, ComponentId.of("test_exporter")).orElseThrow().config();
    assertEquals(Duration.ofSeconds(5), e.timeout());
    assertEquals("traces: [test_receiver] -> [] -> [test_exporter]", c.describePipelines());
  }

  @Test
  void namedComponentsAndPipelinesKeepTheirOrder() {
    ServiceConfig c =
        parse(
            "receivers: {test_receiver: , test_receiver/b: }\n"
                + "processors: {test_processor/one: , test_processor/two: }\n"
                + "exporters: {test_exporter: }\n"
                + "extensions: {health_check: {endpoint: '127.0.0.1:0', path: /health}, test_extension: }\n"
                + "service:\n"
                + "  extensions: [test_extension, health_check]\n"
                + "  pipelines:\n"
                + "    traces/b: {receivers: [test_receiver/b], processors: [test_processor/two, test_processor/one], exporters: [test_exporter]}\n"
                + "    traces: {receivers: [test_receiver, test_receiver/b], exporters: [test_exporter]}\n");
    assertEquals(List.of("traces/b", "traces"), c.pipelines().keySet().stream().map(PipelineId::toString).toList());
    assertEquals(
        List.of(ComponentId.parse("test_processor/two"), ComponentId.parse("test_processor/one")),
        c.pipelines().get(new PipelineId(Signal.TRACES, "b")).processors());
    assertEquals(List.of(ComponentId.of("test_extension"), ComponentId.of("health_check")), c.extensions());
    assertEquals(
        new HealthCheckConfig(new HostPort("127.0.0.1", 0), "/health"),
        c.component(ComponentKind.EXTENSION, ComponentId.of("health_check")).orElseThrow().config());
  }

  @Test
  void anUnknownSectionNamesTheAllowedSections() {
    ConfigException e = refused(COMPONENTS + "recievers:\n  otlp:\n" + PIPELINE);
    assertMessage(e, 5, "recievers", "unknown key; allowed: receivers, processors, exporters, connectors, extensions, service");
  }

  @Test
  void anUnknownComponentTypeNamesTheAllowedTypes() {
    ConfigException e = refused("receivers:\n  test_receiver:\n  zipkin:\n    endpoint: x\nexporters:\n  test_exporter:\n" + PIPELINE);
    assertMessage(e, 3, "receivers.zipkin", "unknown receiver type 'zipkin'; allowed: test_receiver");
  }

  @Test
  void aPlannedTypeSaysItIsNotBuiltYetAndWhy() {
    ConfigException e = refused(COMPONENTS + "processors:\n  batch/kept:\n    timeout: 1s\n" + PIPELINE);
    assertMessage(e, 6, "processors.batch/kept", "processor type 'batch' is not built in this tier yet: planned");
  }

  @Test
  void anUnknownKeyInABlockListsTheAllowedKeys() {
    ConfigException e = refused(COMPONENTS + "  test_exporter/x:\n    timout: 1s\n" + PIPELINE);
    assertMessage(
        e, 6, "exporters.test_exporter/x.timout",
        "unknown key; allowed: fail_create, fail_start, hold_start, hold_shutdown, refuse, timeout, max_size");
  }

  @Test
  void anUnknownKeyInTheServiceSectionIsRefused() {
    ConfigException e = refused(COMPONENTS + PIPELINE + "  pipeline:\n");
    assertMessage(e, 10, "service.pipeline", "unknown key; allowed: extensions, pipelines, telemetry");
  }

  @Test
  void aValueOfTheWrongTypeSaysWhatWasExpected() {
    ConfigException e =
        refused(COMPONENTS + "service:\n  pipelines:\n    traces:\n      receivers: test_receiver\n      exporters: [test_exporter]\n");
    assertMessage(e, 8, "service.pipelines.traces.receivers", "expected a list, found 'test_receiver'");

    ConfigException notAFlag = refused("receivers:\n  test_receiver:\n    fail_start: sometimes\nexporters:\n  test_exporter:\n" + PIPELINE);
    assertMessage(notAFlag, 3, "receivers.test_receiver.fail_start", "expected true or false, found 'sometimes'");
  }

  @Test
  void aValueOutsideItsSetListsTheAllowedValues() {
    ConfigException e = refused("receivers:\n  test_receiver:\nexporters:\n  test_exporter:\n    refuse: always\n" + PIPELINE);
    assertMessage(e, 5, "exporters.test_exporter.refuse", "'always' is not allowed; allowed: none, retryable, permanent");
  }

  @Test
  void aMissingRequiredKeyIsNamed() {
    ConfigException noExporters = refused(COMPONENTS + "service:\n  pipelines:\n    traces:\n      receivers: [test_receiver]\n");
    assertMessage(noExporters, 7, "service.pipelines.traces.exporters", "required key is missing");

    ConfigException noService = refused(COMPONENTS);
    assertMessage(noService, 1, "service", "required key is missing");
  }

  @Test
  void anEmptyReceiverListIsRefused() {
    ConfigException e =
        refused(COMPONENTS + "service:\n  pipelines:\n    traces:\n      receivers: []\n      exporters: [test_exporter]\n");
    assertMessage(e, 8, "service.pipelines.traces.receivers", "a pipeline needs at least one receiver");
  }

  @Test
  void aPipelineNamingAnUndefinedComponentListsTheConfiguredOnes() {
    ConfigException e =
        refused(
            COMPONENTS
                + "service:\n  pipelines:\n    traces:\n      receivers: [test_receiver]\n"
                + "      processors: [test_processor]\n      exporters: [test_exporter]\n");
    assertMessage(
        e, 9, "service.pipelines.traces.processors[0]",
        "processor 'test_processor' is not configured in the processors section; configured: (none)");

    ConfigException exporter =
        refused(COMPONENTS + "service:\n  pipelines:\n    traces:\n      receivers: [test_receiver]\n      exporters: [test_exporter, otlp]\n");
    assertMessage(
        exporter, 9, "service.pipelines.traces.exporters[1]",
        "exporter 'otlp' is not configured in the exporters or connectors section; configured: [test_exporter]");
  }

  @Test
  void aComponentListedTwiceInOnePipelineIsRefused() {
    ConfigException e =
        refused(COMPONENTS + "service:\n  pipelines:\n    traces:\n      receivers: [test_receiver, test_receiver]\n      exporters: [test_exporter]\n");
    assertMessage(e, 8, "service.pipelines.traces.receivers[1]", "listed twice");
  }

  @Test
  void anUnknownPipelineSignalListsTheAllowedSignals() {
    ConfigException e = refused(COMPONENTS + "service:\n  pipelines:\n    spans:\n      receivers: [test_receiver]\n      exporters: [test_exporter]\n");
    assertMessage(e, 7, "service.pipelines.spans", "unknown pipeline signal 'spans'; allowed: traces, metrics, logs");
  }

  @Test
  void aMetricsPipelineRefusesComponentsThatDoNotTakeMetrics() {
    ConfigException e =
        refused(COMPONENTS + PIPELINE + "    metrics/own:\n      receivers: [test_receiver]\n      exporters: [test_exporter]\n");
    assertMessage(
        e, 11, "service.pipelines.metrics/own.receivers[0]",
        "receiver 'test_receiver' does not support metrics as a receiver (it carries traces there)");
  }

  @Test
  void aConnectorThatCarriesNoTracesCannotJoinTracesPipelines() {
    ConfigException e =
        refused(
            COMPONENTS
                + "connectors:\n  test_connector:\n"
                + "service:\n  pipelines:\n"
                + "    traces/in: {receivers: [test_receiver], exporters: [test_connector]}\n"
                + "    traces/out: {receivers: [test_connector], exporters: [test_exporter]}\n");
    assertMessage(e, 9, "service.pipelines.traces/in.exporters[0]", "connector 'test_connector' does not support traces");
  }

  @Test
  void aConnectorUsedOnOneSideOnlyIsRefused() {
    ConfigException e =
        refused(
            COMPONENTS
                + "connectors:\n  test_connector:\n"
                + "service:\n  pipelines:\n"
                + "    traces: {receivers: [test_receiver], exporters: [test_exporter, test_connector]}\n");
    assertMessage(e, 6, "connectors.test_connector", "is used as an exporter but not as a receiver");
  }

  @Test
  void aServiceExtensionMustBeConfigured() {
    ConfigException e = refused(COMPONENTS + "extensions:\n  test_extension:\n" + PIPELINE + "  extensions: [health_check]\n");
    assertMessage(
        e, 12, "service.extensions[0]", "extension 'health_check' is not configured in the extensions section; configured: [test_extension]");
  }

  @Test
  void aBadDurationOrSizeNamesThePathAndTheExpectedForm() {
    ConfigException d = refused("receivers:\n  test_receiver:\nexporters:\n  test_exporter:\n    timeout: 30\n" + PIPELINE);
    assertMessage(d, 5, "exporters.test_exporter.timeout", "expected a duration such as 500ms, 30s, 1m or 1h30m, found '30'");

    ConfigException s = refused("receivers:\n  test_receiver:\nexporters:\n  test_exporter:\n    max_size: 5 furlongs\n" + PIPELINE);
    assertMessage(s, 5, "exporters.test_exporter.max_size", "unknown size unit 'furlongs'", "allowed: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB");
  }

  @Test
  void healthCheckRefusesABadEndpointAndPath() {
    ConfigException e = refused(COMPONENTS + "extensions:\n  health_check:\n    endpoint: 13133\n" + PIPELINE);
    assertMessage(e, 7, "extensions.health_check.endpoint", "expected host:port");
    ConfigException p = refused(COMPONENTS + "extensions:\n  health_check:\n    path: health\n" + PIPELINE);
    assertMessage(p, 7, "extensions.health_check.path", "must start with '/'");
  }

  @Test
  void telemetryReadsTheCollectorsReaderForm() {
    ServiceConfig c =
        parse(
            COMPONENTS + PIPELINE
                + "  telemetry:\n"
                + "    logs: {level: DEBUG}\n"
                + "    metrics:\n"
                + "      level: detailed\n"
                + "      readers:\n"
                + "        - pull:\n"
                + "            exporter:\n"
                + "              prometheus:\n"
                + "                host: 127.0.0.2\n"
                + "                port: 9888\n"
                + "    resource: {service.name: lb-a, service.instance.id: null}\n");
    TelemetryConfig t = c.telemetry();
    assertEquals(LogLevel.DEBUG, t.logLevel());
    assertEquals(MetricsLevel.DETAILED, t.metricsLevel());
    assertEquals(new HostPort("127.0.0.2", 9888), t.metricsEndpoint());
    assertEquals("lb-a", t.resource().get("service.name"));
    assertTrue(t.resource().containsKey("service.instance.id"));
    assertNull(t.resource().get("service.instance.id"));
  }

  @Test
  void telemetryReadsTheOlderAddressForm() {
    ServiceConfig c = parse(COMPONENTS + PIPELINE + "  telemetry:\n    metrics:\n      address: 127.0.0.3:18888\n      level: none\n");
    assertEquals(new HostPort("127.0.0.3", 18888), c.telemetry().metricsEndpoint());
    assertEquals(MetricsLevel.NONE, c.telemetry().metricsLevel());
  }

  @Test
  void telemetryRefusesBadLevelsAndUnknownKeys() {
    ConfigException level = refused(COMPONENTS + PIPELINE + "  telemetry:\n    logs:\n      level: verbose\n");
    assertMessage(level, 12, "service.telemetry.logs.level", "'verbose' is not allowed; allowed: debug, info, warn, error");

    ConfigException metricsLevel = refused(COMPONENTS + PIPELINE + "  telemetry:\n    metrics:\n      level: all\n");
    assertMessage(metricsLevel, 12, "service.telemetry.metrics.level", "allowed: none, basic, normal, detailed");

    ConfigException unknown = refused(COMPONENTS + PIPELINE + "  telemetry:\n    logs:\n      encoding: json\n");
    assertMessage(unknown, 12, "service.telemetry.logs.encoding", "unknown key; allowed: level");

    ConfigException both =
        refused(
            COMPONENTS + PIPELINE
                + "  telemetry:\n    metrics:\n      address: :8888\n"
                + "      readers: [{pull: {exporter: {prometheus: {port: 8888}}}}]\n");
    assertMessage(both, 12, "service.telemetry.metrics.address", "give either address");

    ConfigException promKey =
        refused(COMPONENTS + PIPELINE + "  telemetry:\n    metrics:\n      readers: [{pull: {exporter: {prometheus: {hots: x}}}}]\n");
    assertTrue(promKey.getMessage().contains("service.telemetry.metrics.readers[0].pull.exporter.prometheus.hots: unknown key; allowed: host, port"),
        promKey.getMessage());
  }
}
