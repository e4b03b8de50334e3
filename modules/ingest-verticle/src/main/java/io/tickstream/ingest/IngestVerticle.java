package io.tickstream.ingest;

import io.vertx.core.VerticleBase;

/**
 * The ingest role's verticle. Empty until the ingest issue lands: it deploys and undeploys cleanly so the
 * launcher and deployment descriptors can already name it.
 */
public class IngestVerticle extends VerticleBase {
}
