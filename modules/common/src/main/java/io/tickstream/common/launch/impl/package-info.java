/** How {@code RoleApplication} splits its command line and what it changes in VertxApplication's launch. */
package io.tickstream.common.launch.impl;
