/** {@code ./tickstream local}: every role in one clustered JVM, for a first run and for end-to-end tests. */
package io.tickstream.local;
