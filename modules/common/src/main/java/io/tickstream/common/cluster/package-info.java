/** How role processes form one Vert.x cluster through Hazelcast, and how each node tells the others its status. */
package io.tickstream.common.cluster;
