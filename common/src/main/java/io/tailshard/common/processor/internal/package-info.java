/**
 * Not for public use: pieces shared by several processors of this module (attribute actions for
 * {@code attributes} and {@code resource}, include/exclude span matching, the decode-edit-encode
 * step of processors that edit kept traces, YAML values as attribute values). They may change
 * with the processors that use them.
 */
package io.tailshard.common.processor.internal;
