package io.tailshard.common.component;

/** The Collector's five component kinds, each with the config section it is declared in. */
public enum ComponentKind {
  RECEIVER("receivers", "receiver"),
  PROCESSOR("processors", "processor"),
  EXPORTER("exporters", "exporter"),
  CONNECTOR("connectors", "connector"),
  EXTENSION("extensions", "extension");

  private final String section;
  private final String word;

  ComponentKind(String section, String word) {
    this.section = section;
    this.word = word;
  }

  /** The top-level config section, e.g. {@code receivers}. */
  public String section() {
    return section;
  }

  /** The singular word used in messages and metric labels, e.g. {@code receiver}. */
  public String word() {
    return word;
  }
}
