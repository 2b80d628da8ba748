/** Shared building blocks of both tailshard tiers. */
package io.tailshard.common;
