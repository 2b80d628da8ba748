/** What the loadtest commands share: option parsing, process CPU time. Internal to the tool. */
package io.tailshard.loadtest.cli;
