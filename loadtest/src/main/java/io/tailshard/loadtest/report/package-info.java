/**
 * The {@code report} command: a self-contained HTML report with Chart.js inlined, and a Markdown
 * summary, from the files a run directory holds.
 */
package io.tailshard.loadtest.report;
