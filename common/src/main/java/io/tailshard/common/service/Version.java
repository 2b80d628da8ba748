package io.tailshard.common.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from the Maven descriptor packed into the jar; {@code dev} when run from classes. */
public final class Version {
  private static final String DESCRIPTOR = "/META-INF/maven/io.tailshard/common/pom.properties";
  private static final String VERSION = read();

  private Version() {}

  public static String current() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = Version.class.getResourceAsStream(DESCRIPTOR)) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
