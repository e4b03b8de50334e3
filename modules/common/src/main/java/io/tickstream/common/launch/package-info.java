/**
 * Running a role's verticle as a process of its own: flags, config file and environment in, clean undeploy on
 * SIGTERM or Ctrl-C out.
 */
package io.tickstream.common.launch;
