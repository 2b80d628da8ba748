package io.tailshard.loadtest.sink;

import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code sink} was asked to do. A null listener address turns that listener off; a null
 * {@code truthDir} means there is nothing to judge against (the verdict then fails).
 */
record SinkOptions(
    SocketAddress grpc,
    SocketAddress http,
    Path truthDir,
    Path out,
    Duration duration,
    Duration settle,
    double samplingPercentage,
    String hashSalt,
    boolean exactRule,
    boolean checkSpanmetrics,
    String metricsNamespace,
    long maxMessageSize,
    boolean quiet) {}
