/**
 * The operations face every role process shares: one private admin HTTP server ({@link io.tickstream.common.admin.AdminServer})
 * serving {@code /health/live}, {@code /health/ready}, {@code /metrics} and {@code /cluster} apart from any client port.
 */
package io.tickstream.common.admin;
