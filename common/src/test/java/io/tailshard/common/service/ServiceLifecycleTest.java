package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.TestComponents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceLifecycleTest {
  /** Two pipelines sharing receiver a and exporter x; pipeline one chains two processors. */
  private static final String GRAPH =
      "receivers:\n"
          + "  test_receiver/a:\n"
          + "  test_receiver/b:\n"
          + "processors:\n"
          + "  test_processor/p1:\n"
          + "  test_processor/p2:\n"
          + "exporters:\n"
          + "  test_exporter/x:\n"
          + "  test_exporter/y: %s\n"
          + "extensions:\n"
          + "  test_extension:\n"
          + "service:\n"
          + "  extensions: [test_extension]\n"
          + "  pipelines:\n"
          + "    traces/one: {receivers: [test_receiver/a], processors: [test_processor/p1, test_processor/p2], exporters: [test_exporter/x]}\n"
          + "    traces/two: {receivers: [test_receiver/a, test_receiver/b], exporters: [test_exporter/x, test_exporter/y]}\n";

  private static final List<String> START_ORDER =
      List.of(
          "start extension test_extension",
          "start exporter test_exporter/x",
          "start exporter test_exporter/y",
          "start processor test_processor/p2",
          "start processor test_processor/p1",
          "start receiver test_receiver/a",
          "start receiver test_receiver/b");

  private static final List<String> SHUTDOWN_ORDER =
      List.of(
          "shutdown receiver test_receiver/b",
          "shutdown receiver test_receiver/a",
          "shutdown processor test_processor/p1",
          "shutdown processor test_processor/p2",
          "shutdown exporter test_exporter/y",
          "shutdown exporter test_exporter/x",
          "shutdown extension test_extension");

  private static Vertx vertx;
  private final TestComponents test = new TestComponents();
  private final Telemetry telemetry = Telemetry.forTests("lifecycle");

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    Await.result(vertx.close());
  }

  private Service service(String exporterY) {
    String yaml = String.format(GRAPH, exporterY);
    ServiceConfig config = ServiceConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("g.yaml", yaml), test.components());
    return Service.create(config, vertx, telemetry);
  }

  @Test
  void startsConsumersFirstAndStopsProducersFirst() {
    Service s = service("");
    assertFalse(telemetry.health().isReady(), "not ready before start");
    Await.result(s.start());
    assertEquals(START_ORDER, test.events());
    assertTrue(telemetry.health().isReady());

    Await.result(s.shutdown());
    assertEquals(SHUTDOWN_ORDER, test.events().subList(START_ORDER.size(), test.events().size()));
    assertEquals(Map.of(Service.HEALTH_REPORTER, "shutting down"), telemetry.health().reasons());
  }

  @Test
  void aSharedReceiverFansOutToEveryPipelineAndSharedComponentsAreCreatedOnce() {
    Service s = service("");
    Await.result(s.start());
    assertEquals(1, test.receivers("test_receiver/a").size());
    assertEquals(1, test.exporters("test_exporter/x").size());
    int before = test.events().size();

    Await.result(test.receivers("test_receiver/a").get(0).push(new TraceData(new byte[10], 5)));
    assertEquals(
        List.of(
            "process test_processor/p1 5", "process test_processor/p2 5", "export test_exporter/x 5",
            "export test_exporter/x 5", "export test_exporter/y 5"),
        test.events().subList(before, test.events().size()));
    assertEquals(2, test.exporters("test_exporter/x").get(0).received().size());
    assertEquals(1, test.exporters("test_exporter/y").get(0).received().size());

    // Receiver b is only in pipeline two: no processors on its way.
    Await.result(test.receivers("test_receiver/b").get(0).push(new TraceData(new byte[1], 1)));
    assertEquals(3, test.exporters("test_exporter/x").get(0).received().size());
    Await.result(s.shutdown());
  }

  @Test
  void aRetryableRefusalInOneBranchIsTheReceiversAnswer() {
    Service s = service("{refuse: retryable}");
    Await.result(s.start());
    Throwable t = Await.failure(test.receivers("test_receiver/a").get(0).push(new TraceData(new byte[3], 2)));
    assertTrue(t instanceof RefusedException && ((RefusedException) t).retryable(), String.valueOf(t));
    // The branch that could take the data did take it.
    assertEquals(2, test.exporters("test_exporter/x").get(0).received().size());
    Await.result(s.shutdown());
  }

  @Test
  void aFailedStartStopsWhatWasStartedNewestFirst() {
    Service s = service("{fail_start: true}");
    Throwable t = Await.failure(s.start());
    assertEquals("exporter test_exporter/y failed to start: configured to fail", t.getMessage());
    assertEquals(
        List.of(
            "start extension test_extension",
            "start exporter test_exporter/x",
            "start exporter test_exporter/y",
            "shutdown exporter test_exporter/y",
            "shutdown exporter test_exporter/x",
            "shutdown extension test_extension"),
        test.events());
    assertTrue(telemetry.health().reasons().get(Service.HEALTH_REPORTER).startsWith("start failed: exporter test_exporter/y"));

    // Nothing is left to stop, and a second start is refused.
    Await.result(s.shutdown());
    assertEquals(6, test.events().size());
    Await.failure(s.start());
  }

  @Test
  void shutdownIsIdempotent() {
    Service s = service("");
    Await.result(s.start());
    Future<Void> first = s.shutdown();
    Future<Void> second = s.shutdown();
    assertSame(first, second);
    Await.result(first);
    Await.result(s.shutdown());
    assertEquals(START_ORDER.size() + SHUTDOWN_ORDER.size(), test.events().size());
  }

  @Test
  void shutdownWithoutStartStopsEveryComponentOnce() {
    Service s = service("");
    Await.result(s.shutdown());
    assertEquals(SHUTDOWN_ORDER, test.events());
    Await.failure(s.start());
  }

  @Test
  void shutdownDuringStartStopsTheStartAndWhatItStarted() {
    Service s = service("{hold_start: true}");
    Future<Void> start = s.start();
    assertEquals(START_ORDER.subList(0, 3), test.events());

    Future<Void> stop = s.shutdown();
    assertFalse(stop.isComplete(), "waits for the start under way");
    test.release("exporter test_exporter/y");
    Await.failure(start);
    Await.result(stop);
    assertEquals(
        List.of(
            "start extension test_extension",
            "start exporter test_exporter/x",
            "start exporter test_exporter/y",
            "shutdown exporter test_exporter/y",
            "shutdown exporter test_exporter/x",
            "shutdown extension test_extension"),
        test.events());
  }

  @Test
  void aFactoryThatThrowsFailsCreationAndReleasesWhatWasMade() {
    String yaml =
        "receivers: {test_receiver: }\nprocessors: {test_processor: {fail_create: true}}\nexporters: {test_exporter: }\n"
            + "extensions: {test_extension: }\n"
            + "service:\n  extensions: [test_extension]\n"
            + "  pipelines: {traces: {receivers: [test_receiver], processors: [test_processor], exporters: [test_exporter]}}\n";
    ServiceConfig config = ServiceConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("c.yaml", yaml), test.components());
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Service.create(config, vertx, telemetry));
    assertEquals("cannot create processor test_processor: configured to fail at creation", e.getMessage());
    assertEquals(List.of("shutdown exporter test_exporter", "shutdown extension test_extension"), test.events());
  }

  @Test
  void extensionsAreFoundThroughTheHost() {
    Service s = service("");
    assertTrue(s.extension(ComponentId.of("test_extension"), io.tailshard.common.component.Component.class).isPresent());
    assertTrue(s.extension(ComponentId.of("test_extension"), String.class).isEmpty());
    assertTrue(s.extension(ComponentId.of("health_check"), io.tailshard.common.component.Component.class).isEmpty());
    Await.result(s.shutdown());
  }
}
