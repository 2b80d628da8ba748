/**
 * The sampling tier's disk-backed trace buffer: {@link io.tailshard.sampling.store.WindowStore}
 * and its values. The only package of the project that imports {@code org.rocksdb}; everything
 * but the facade, its config record and its value records is package-private. See
 * {@code docs/storage.md} for the layout, the options and the measured figures.
 */
package io.tailshard.sampling.store;
