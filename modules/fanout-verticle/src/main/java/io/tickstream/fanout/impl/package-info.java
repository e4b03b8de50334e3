/**
 * The fanout's machinery, in stage packages whose dependencies point one way (each uses only the ones below it; a
 * lower one calls back up only through an interface it owns), checked by {@code ArchitectureTest}:
 * {@code server} > {@code loop} > {@code session} > {@code source} > {@code transport} > {@code metrics}, with
 * {@code access} (client keys, used by session and server). This package itself holds only the node's configuration,
 * {@link io.tickstream.fanout.impl.FanoutConfig}, which every stage reads. Nothing here is API.
 */
package io.tickstream.fanout.impl;
