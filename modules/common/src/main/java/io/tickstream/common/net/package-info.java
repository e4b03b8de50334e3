/**
 * Network addresses as settings name them: lists of IP literals and CIDR blocks, and the client address behind
 * trusted proxies. Used by the fanout's admission control and the cluster's member allowlist alike.
 */
package io.tickstream.common.net;
