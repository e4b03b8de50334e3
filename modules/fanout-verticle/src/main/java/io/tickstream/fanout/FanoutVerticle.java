package io.tickstream.fanout;

import io.vertx.core.VerticleBase;

/**
 * The fanout role's verticle. Empty until the fanout issue lands: it deploys and undeploys cleanly so the
 * launcher and deployment descriptors can already name it.
 */
public class FanoutVerticle extends VerticleBase {
}
