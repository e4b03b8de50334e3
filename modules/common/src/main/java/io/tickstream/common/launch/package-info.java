/**
 * Running a role's verticle as a process of its own: {@link io.tickstream.common.launch.RoleApplication}, a Vert.x
 * launcher application taking tickstream's flags, config file and environment, and the
 * {@link io.tickstream.common.launch.Role}s it can run.
 */
package io.tickstream.common.launch;
