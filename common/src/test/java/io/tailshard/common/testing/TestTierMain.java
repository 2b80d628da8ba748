package io.tailshard.common.testing;

import io.tailshard.common.service.Tier;
import io.tailshard.common.service.TierMain;

/** A tier made of the test components, run as a real process by tests of the command line. */
public final class TestTierMain {
  private TestTierMain() {}

  public static void main(String[] args) {
    TierMain.run(
        () -> new Tier("test-tier", "a tier for tests", new TestComponents().components(), "tailshard/test-tier-default.yaml"),
        args);
  }
}
