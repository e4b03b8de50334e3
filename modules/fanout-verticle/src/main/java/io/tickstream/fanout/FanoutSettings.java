package io.tickstream.fanout;

import io.tickstream.common.admin.AdminSettings;
import io.tickstream.common.config.Setting;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every knob of the fanout role, each a {@link Setting} with key prefix {@code fanout.}. Defaults follow
 * Binance's published limits where Binance has one; every default is a named constant.
 */
public final class FanoutSettings {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  /** 0: one server instance (and one dispatcher) per available processor. */
  public static final int DEFAULT_INSTANCES = 0;
  public static final int DEFAULT_MAX_STREAMS = 1024;
  /**
   * A full connection's worth of streams each second: a client may subscribe all it may hold at once, and a
   * {@code !bookTicker} (one snapshot per symbol) as often as the exchange's symbol count allows.
   */
  public static final int DEFAULT_SUBSCRIPTIONS_PER_SECOND = DEFAULT_MAX_STREAMS;
  public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 5;
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
  /** Below the ~19.5k sockets one process can hold on these machines (open files capped at 20,000). */
  public static final int DEFAULT_MAX_CONNECTIONS = 18_000;
  /**
   * Long enough that a phone app paused for a few seconds, or a client behind a link that stalls a while, is not
   * dropped; short enough that a client gone for good gives its slot back within a minute with the pong timeout.
   */
  public static final Duration DEFAULT_SLOW_CLIENT_GRACE = Duration.ofSeconds(30);
  /**
   * 16 KiB: a trade with a cost on both sides, both measured (docs/benchmarks.md, "Slow links"). At 64 KiB a client on
   * a 256 kbit/s link waits 20 s or more for its first fit and SlowLinkTest's target failed on CI (median steady window
   * 1.55 s); at 16 KiB 2,000 CPU-starved loopback clients fell 8-12 s behind in six runs of seven. Open in issue 19.
   */
  public static final int DEFAULT_WRITE_QUEUE_BYTES = 16 * 1024;
  /**
   * Four times the write queue: ticks stop at the write queue's high-water mark (conflation), so the rest is room for
   * control replies a client has not read yet; a LIST_SUBSCRIPTIONS reply for 1024 streams is about 30 KiB. Per
   * connection, this is the most heap a client can make the node hold for it (18,000 connections x 256 KiB = 4.5 GiB
   * at the very worst, if every client were hostile at once; idle and well-behaved clients hold nothing queued).
   */
  public static final int DEFAULT_MAX_OUTBOUND_BYTES = 256 * 1024;
  public static final int DEFAULT_SEND_BUFFER_BYTES = -1;
  /** What Apple's stack and HTTP/2 servers use: a few packets ahead of the wire, no more (measured: docs/benchmarks.md). */
  public static final int DEFAULT_TCP_NOTSENT_LOWAT = 16 * 1024;
  public static final int DEFAULT_SOCKJS_STREAM_BYTES = 128 * 1024;
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
  public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_DRAIN_WINDOW = Duration.ofSeconds(10);
  public static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
  /**
   * Past this age without fresh data the node is not ready. Fresh means a tick whose {@code pt} is this recent, or the
   * consumer having confirmed it has read up to the end of every partition this recently (so a quiet market or an
   * empty topic keeps a node that follows Kafka ready). 30 s: well above a consumer restart's back-off and a
   * leader election, well below what a person watching a screen tolerates.
   */
  public static final Duration DEFAULT_MAX_DATA_AGE = Duration.ofSeconds(30);
  /** Kafka's own {@code metadata.max.age.ms} default: the consumer learns of new partitions this often anyway. */
  public static final Duration DEFAULT_PARTITION_CHECK_INTERVAL = Duration.ofMinutes(5);
  /** Long enough for a duplicate or a late copy of an old tick never to count as a new sequence. */
  public static final Duration DEFAULT_U_REBASE_AFTER = Duration.ofSeconds(30);
  /** Consecutive consumer failures (each restarted with back-off) before the node gives up and exits. */
  public static final int DEFAULT_CONSUMER_MAX_FAILURES = 10;
  /** Scale-out should spread long-lived connections without anyone having to restart a node. */
  public static final boolean DEFAULT_REBALANCE_ENABLED = true;
  /**
   * Statuses are published every second, and shed clients need time to reconnect and show up in the new node's
   * status: 5 s lets one round's effect be seen before the next round decides.
   */
  public static final Duration DEFAULT_REBALANCE_INTERVAL = Duration.ofSeconds(5);
  /** Within 10 % of the mean is even enough: moving a client costs it a reconnect and a re-subscribe. */
  public static final double DEFAULT_REBALANCE_TOLERANCE = 0.1;
  /** Never churn clients over a few dozen connections, whatever the percentages say (small clusters, quiet hours). */
  public static final int DEFAULT_REBALANCE_MIN_EXCESS = 50;
  /** 1 % of a node's connections per round: 180 reconnects per 5 s at the 18,000 default limit, never a herd. */
  public static final double DEFAULT_REBALANCE_MAX_SHARE = 0.01;
  /** Half the excess per round at most: statuses lag and the load balancer, not we, decides where clients land. */
  public static final double DEFAULT_REBALANCE_DAMPING = 0.5;
  /**
   * Shed clients are closed at random moments within 2 s: with the 2 s a node waits after its last shed client closed
   * (until the statuses show where they went), a round has settled before the next one, 5 s later.
   */
  public static final Duration DEFAULT_REBALANCE_JITTER = Duration.ofSeconds(2);

  public static final Setting<String> HOST = Setting.ofString("fanout.host", DEFAULT_HOST,
      "Interface the client server (WebSocket, SockJS, the ticker board) binds.");
  /** Next to the client port's 8080; the ingest's admin port is 8089. */
  public static final int DEFAULT_ADMIN_PORT = 8090;
  /** {@code fanout.admin-host}: the private admin server's interface (loopback by default). */
  public static final Setting<String> ADMIN_HOST = AdminSettings.host("fanout");
  /** {@code fanout.admin-port}: /health/live, /health/ready, /metrics and /cluster, never on the client port. */
  public static final Setting<Integer> ADMIN_PORT = AdminSettings.port("fanout", DEFAULT_ADMIN_PORT);
  public static final Setting<Integer> PORT = Setting.ofInt("fanout.port", DEFAULT_PORT, 0, 65_535,
      "Port of the server; 0 picks a free port (FanoutVerticle.actualPort() tells which).");
  /**
   * What this node's status (and so {@code /cluster}) names it by. A node bound to {@code 0.0.0.0} in a container
   * would otherwise list {@code 0.0.0.0:8080}, which tells an operator nothing.
   */
  public static final Setting<String> PUBLIC_ADDRESS = Setting.ofString("fanout.public-address", null,
      "Address /cluster lists for this node, host or host:port (a container's name or pod IP); unset lists fanout.host and the port.");
  public static final Setting<Integer> INSTANCES = Setting.ofInt("fanout.instances", DEFAULT_INSTANCES, 0, 256,
      "Server instances, each on its own event loop with its own dispatcher; 0 means one per processor.");
  public static final Setting<Integer> MAX_STREAMS = Setting.ofInt("fanout.max-streams", DEFAULT_MAX_STREAMS, 1, 1_000_000,
      "Streams one connection may subscribe to (Binance: 1024).");
  public static final Setting<Integer> SUBSCRIPTIONS_PER_SECOND = Setting.ofInt("fanout.subscriptions-per-second",
      DEFAULT_SUBSCRIPTIONS_PER_SECOND, 1, 100_000_000,
      "Streams one connection may add per second, on average (SUBSCRIBE and the URL's streams; !bookTicker costs one per "
      + "symbol, as it sends a snapshot of each): a SUBSCRIBE while the budget is spent gets an error reply and changes "
      + "nothing. One second's worth may be spent at once, and one request may overdraw it.");
  public static final Setting<Integer> MAX_MESSAGES_PER_SECOND = Setting.ofInt("fanout.max-messages-per-second",
      DEFAULT_MAX_MESSAGES_PER_SECOND, 1, 1_000_000,
      "Incoming frames (text, binary, continuation, ping and pong) per connection per second; more closes it with 1008 "
      + "(Binance: 5, pings, pongs and JSON control messages included).");
  public static final Setting<Integer> MAX_FRAME_BYTES = Setting.ofInt("fanout.max-frame-bytes", DEFAULT_MAX_FRAME_BYTES,
      1024, 16 << 20, "Largest incoming message, in one frame or in fragments; larger closes the connection with 1009 "
      + "(a close frame, counted as too-big) as soon as the excess arrives.");
  public static final Setting<Integer> MAX_CONNECTIONS = Setting.ofInt("fanout.max-connections", DEFAULT_MAX_CONNECTIONS,
      1, 10_000_000, "Client connections per node; upgrades beyond it are answered HTTP 503.");
  public static final Setting<Duration> SLOW_CLIENT_GRACE = Setting.ofDuration("fanout.slow-client-grace",
      DEFAULT_SLOW_CLIENT_GRACE, "A client that reads nothing for this long, counted from the last moment the node could "
      + "write to it, is closed with 1013; one that reads, however slowly, gets the newest tick per symbol (conflated) "
      + "and is never closed for being slow.");
  public static final Setting<Integer> WRITE_QUEUE_BYTES = Setting.ofInt("fanout.write-queue-bytes",
      DEFAULT_WRITE_QUEUE_BYTES, 1024, 64 << 20,
      "Outbound bytes queued per connection before it counts as unwritable and conflation starts; a SockJS session takes at most 16 KiB of it.");
  public static final Setting<Integer> MAX_OUTBOUND_BYTES = Setting.ofInt("fanout.max-outbound-bytes",
      DEFAULT_MAX_OUTBOUND_BYTES, 4096, 256 << 20,
      "Most outbound bytes the node holds for one connection (queued ticks, control replies, errors, pings, pongs); a "
      + "control frame that would pass it closes the connection with 1008 (counted as outbound-cap). At least twice "
      + "fanout.write-queue-bytes.");
  /** {@value} lets Vert.x choose: epoll, else io_uring, else NIO. */
  public static final String TRANSPORT_AUTO = "auto";
  public static final Setting<String> TRANSPORT = Setting.ofChoice("fanout.transport", TRANSPORT_AUTO,
      List.of(TRANSPORT_AUTO, "epoll", "io_uring", "nio"),
      "Network transport of a fanout process: auto (epoll, else io_uring, else NIO), or one of them; a native one "
          + "that this OS cannot load fails the start. Not used by the local stack, which shares one Vert.x.");
  public static final Setting<Integer> TCP_NOTSENT_LOWAT = Setting.ofInt("fanout.tcp-notsent-lowat",
      DEFAULT_TCP_NOTSENT_LOWAT, 0, 64 << 20,
      "How many bytes a client socket may hold that the kernel has not sent yet, so that what a slow client cannot take "
      + "waits in the node, where it is conflated to the newest tick per symbol, and not in a send buffer that delivers "
      + "it seconds late. On WebSockets and SockJS's streaming transports, over epoll or io_uring on JDK 22+, the node enforces it itself from the kernel's "
      + "count (tcpi_notsent_bytes: the kernel's TCP_NOTSENT_LOWAT stalled clients for seconds under load, "
      + "docs/benchmarks.md); elsewhere (SockJS's polling transports, JDK 21) it sets TCP_NOTSENT_LOWAT. NIO has neither "
      + "(see fanout.send-buffer-bytes). 0: unbounded.");
  public static final Setting<Integer> SOCKJS_STREAM_BYTES = Setting.ofInt("fanout.sockjs-stream-bytes",
      DEFAULT_SOCKJS_STREAM_BYTES, 4096, 64 << 20,
      "How many bytes one response of SockJS's HTTP streaming transports (xhr-streaming, eventsource, htmlfile) carries "
      + "before the client must open the next request, on a new connection; SockJS's own default. Between two requests "
      + "the node holds a session's ticks in its conflation. Measured at 1 Mbit/s: 1 MiB gave a lower median age but "
      + "seconds-long p99 episodes that 128 KiB did not (docs/benchmarks.md); a browser holds a response's text until it ends.");
  public static final Setting<Integer> SEND_BUFFER_BYTES = Setting.ofInt("fanout.send-buffer-bytes",
      DEFAULT_SEND_BUFFER_BYTES, -1, 64 << 20, "SO_SNDBUF of client sockets; -1 keeps the OS default.");
  public static final Setting<Duration> PING_INTERVAL = Setting.ofDuration("fanout.ping-interval", DEFAULT_PING_INTERVAL,
      "The server pings every WebSocket this often (Binance: 20s).");
  public static final Setting<Duration> PONG_TIMEOUT = Setting.ofDuration("fanout.pong-timeout", DEFAULT_PONG_TIMEOUT,
      "A WebSocket without a pong echoing one of our pings (a random payload per ping) for this long is closed with "
      + "1008; unsolicited pongs do not count (Binance: 1 minute).");
  public static final Setting<Duration> DRAIN_DELAY = Setting.ofDuration("fanout.drain-delay", DEFAULT_DRAIN_DELAY,
      "On shutdown, wait this long after serverShutdown (readiness already false) before the first 1012 close, "
      + "e.g. for a load balancer to stop routing here.");
  public static final Setting<Duration> DRAIN_WINDOW = Setting.ofDuration("fanout.drain-window", DEFAULT_DRAIN_WINDOW,
      "On shutdown, clients are closed with 1012 at jittered moments spread over this window.");
  public static final Setting<Duration> POLL_TIMEOUT = Setting.ofDuration("fanout.poll-timeout", DEFAULT_POLL_TIMEOUT,
      "Kafka consumer poll timeout; at most 100ms so assign/seek and shutdown never wait long.");

  public static final Setting<Duration> MAX_DATA_AGE = Setting.ofDuration("fanout.max-data-age", DEFAULT_MAX_DATA_AGE,
      "/health/ready answers 503 once the newest tick's pt is older than this and the consumer has not confirmed, for "
      + "as long, that it has read every partition to its end (a quiet market or an empty topic stays ready); 0 turns the check off.");
  public static final Setting<Duration> PARTITION_CHECK_INTERVAL = Setting.ofDuration("fanout.partition-check-interval",
      DEFAULT_PARTITION_CHECK_INTERVAL,
      "How often the consumer refreshes the topic's metadata (its metadata.max.age.ms) and so finds partitions added "
      + "while running, which it then reads from the beginning.");
  public static final Setting<Duration> U_REBASE_AFTER = Setting.ofDuration("fanout.u-rebase-after", DEFAULT_U_REBASE_AFTER,
      "A symbol whose u stays below its last accepted one this long, while rising again (an exchange reset, another "
      + "source), is re-based onto the new sequence; until then those ticks are dropped as stale. 0 never re-bases.");
  public static final Setting<Integer> CONSUMER_MAX_FAILURES = Setting.ofInt("fanout.consumer-max-failures",
      DEFAULT_CONSUMER_MAX_FAILURES, 0, 1_000_000,
      "The Kafka consumer is restarted with back-off when it fails; after this many failures in a row without one "
      + "successful poll (Kafka being unreachable does not count) /health/live turns 503 and the process exits with 70; 0 restarts forever.");

  public static final Setting<Boolean> EXPRESS = Setting.ofBoolean("fanout.express", true,
      "Also take ticks from the express lane (published by ingest nodes with ingest.express over the clustered event "
      + "bus) once the snapshot is rebuilt; each loop delivers whichever copy of a tick comes first and drops the other "
      + "by its u. Kafka stays the snapshot source and fills what the express lane loses.");

  public static final Setting<Boolean> REBALANCE_ENABLED = Setting.ofBoolean("fanout.rebalance.enabled",
      DEFAULT_REBALANCE_ENABLED,
      "A node well above the mean connection count of the ready fanout nodes asks a share of its clients to reconnect "
      + "(serverShutdown, then 1012), so nodes added later get their share; false keeps every client where it is.");
  public static final Setting<Duration> REBALANCE_INTERVAL = Setting.ofDuration("fanout.rebalance.interval",
      DEFAULT_REBALANCE_INTERVAL,
      "How often a node compares its connections with the cluster's mean (from the statuses of /cluster) and may shed some; "
      + "a round is skipped while clients it shed are still connected and for 2s after the last of them closed.");
  public static final Setting<Double> REBALANCE_TOLERANCE = Setting.ofDouble("fanout.rebalance.tolerance",
      DEFAULT_REBALANCE_TOLERANCE, 0, 100,
      "A node sheds only above mean x (1 + this) connections; within it the spread counts as even and shedding stops.");
  public static final Setting<Integer> REBALANCE_MIN_EXCESS = Setting.ofInt("fanout.rebalance.min-excess",
      DEFAULT_REBALANCE_MIN_EXCESS, 0, 10_000_000,
      "A node sheds only when it is more than this many connections above the mean.");
  public static final Setting<Double> REBALANCE_MAX_SHARE = Setting.ofDouble("fanout.rebalance.max-share",
      DEFAULT_REBALANCE_MAX_SHARE, 0, 1,
      "At most this share of a node's connections is shed per interval (at least one while above the threshold).");
  public static final Setting<Double> REBALANCE_DAMPING = Setting.ofDouble("fanout.rebalance.damping",
      DEFAULT_REBALANCE_DAMPING, 0, 1,
      "At most this fraction of the excess over the mean is shed per interval, against overshoot: statuses lag a second "
      + "and the load balancer decides where clients reconnect. Never below the mean.");
  public static final Setting<Duration> REBALANCE_JITTER = Setting.ofDuration("fanout.rebalance.jitter",
      DEFAULT_REBALANCE_JITTER,
      "A shed client gets serverShutdown at once and 1012 at a random moment within this; keep it 2s below the interval, or rounds are skipped.");

  /** The lean path: about a third of the memory per idle connection (docs/benchmarks.md, issue 12). */
  public static final String DEFAULT_WEBSOCKET_TRANSPORT = "channel";
  public static final Setting<String> WEBSOCKET_TRANSPORT = Setting.ofString("fanout.websocket-transport",
      DEFAULT_WEBSOCKET_TRANSPORT,
      "How upgraded WebSockets are served: channel (the node's own Netty pipeline after Vert.x routed the handshake; "
      + "least memory per connection) or vertx (Vert.x's ServerWebSocket, the path before issue 12; kept for comparison).");

  public static final Setting<String> EXCHANGE = Setting.ofString("fanout.exchange", null,
      "Where the ticks come from (binance or simulator), shown as \"exchange\" in /health/ready so simulated prices are never taken for live ones; ./tickstream local sets it.");

  /** Binance's limit: 300 connections per 5 minutes per IP. */
  public static final int DEFAULT_CONNECTIONS_PER_IP = 300;
  public static final Duration DEFAULT_CONNECTIONS_PER_IP_WINDOW = Duration.ofMinutes(5);
  /** About 10 MB of windows per table at most; past it new addresses are counted per network, never uncounted. */
  public static final int DEFAULT_CONNECTIONS_PER_IP_MAX_ADDRESSES = 100_000;
  /** Four addresses' worth: a network only shares one window once an attack has filled the table of addresses. */
  public static final int DEFAULT_CONNECTIONS_PER_NETWORK = 4 * DEFAULT_CONNECTIONS_PER_IP;
  /**
   * A browser opens at most 6 connections per host; this leaves room for a few dozen of them behind one NAT using
   * SockJS's HTTP transports, and none for a host that wants to hold thousands of idle sockets.
   */
  public static final int DEFAULT_HTTP_CONNECTIONS_PER_IP = 128;
  /** nginx's keepalive_requests default. */
  public static final int DEFAULT_HTTP_MAX_REQUESTS_PER_CONNECTION = 1000;
  /** Generous for a browser on a slow mobile link, short enough that 20k idle sockets cannot pile up. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /**
   * A keep-alive connection waits this long for its next request: long enough for a SockJS polling client's next poll
   * and a health checker's next probe, short enough that idle sockets cannot pile up (nginx keeps them 75 s).
   */
  public static final Duration DEFAULT_HTTP_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public static final Setting<Integer> CONNECTIONS_PER_IP = Setting.ofInt("fanout.connections-per-ip",
      DEFAULT_CONNECTIONS_PER_IP, 0, 10_000_000,
      "WebSocket upgrades and new SockJS sessions one client address (an IPv4 address, an IPv6 /64) may open per "
      + "fanout.connections-per-ip-window on this node; more are answered HTTP 429 before the upgrade (Binance: 300 "
      + "per 5 minutes). Counted per node, not per cluster. 0 turns the limit off.");
  public static final Setting<Duration> CONNECTIONS_PER_IP_WINDOW = Setting.ofDuration("fanout.connections-per-ip-window",
      DEFAULT_CONNECTIONS_PER_IP_WINDOW,
      "The window of fanout.connections-per-ip: it starts with an address's first connection and ends this much later.");
  public static final Setting<Integer> CONNECTIONS_PER_IP_MAX_ADDRESSES = Setting.ofInt(
      "fanout.connections-per-ip-max-addresses", DEFAULT_CONNECTIONS_PER_IP_MAX_ADDRESSES, 1, 10_000_000,
      "Client addresses whose windows a node keeps (about 100 bytes each; expired ones are evicted). Once full, a new "
      + "address is counted in the window of its network (IPv4 /24, IPv6 /48; as many again), and past that of its wide "
      + "network (IPv4 /16, IPv6 /32), each with fanout.connections-per-network: the limit never switches off.");
  public static final Setting<Integer> CONNECTIONS_PER_NETWORK = Setting.ofInt("fanout.connections-per-network",
      DEFAULT_CONNECTIONS_PER_NETWORK, 1, 10_000_000,
      "Upgrades and new SockJS sessions per fanout.connections-per-ip-window that one network's window allows, for "
      + "addresses counted per network because the table of addresses was full (see fanout.connections-per-ip-max-addresses).");
  public static final Setting<Integer> HTTP_CONNECTIONS_PER_IP = Setting.ofInt("fanout.http-connections-per-ip",
      DEFAULT_HTTP_CONNECTIONS_PER_IP, 0, 10_000_000,
      "Plain HTTP connections (not upgraded to a WebSocket: the board, SockJS's /info and HTTP transports, 404s) one client "
      + "address (IPv4, IPv6 /64) may hold open at once on this node; one more is answered 429 and closed at once. "
      + "Addresses in fanout.connections-per-ip-exempt, and trusted proxies without the PROXY protocol, are not counted. 0 turns it off.");
  public static final Setting<Integer> HTTP_MAX_REQUESTS_PER_CONNECTION = Setting.ofInt(
      "fanout.http-max-requests-per-connection", DEFAULT_HTTP_MAX_REQUESTS_PER_CONNECTION, 0, 100_000_000,
      "Requests one keep-alive connection serves; the last is answered with Connection: close. 0: no limit.");
  /**
   * The node's own host: benchmarks, the load generator and {@code ./tickstream local} open thousands of connections from
   * loopback, and a process on the host has easier ways to hurt the node than opening WebSockets.
   */
  public static final List<String> DEFAULT_CONNECTIONS_PER_IP_EXEMPT = List.of("127.0.0.0/8", "::1");
  public static final Setting<List<String>> CONNECTIONS_PER_IP_EXEMPT = Setting.ofList("fanout.connections-per-ip-exempt",
      DEFAULT_CONNECTIONS_PER_IP_EXEMPT,
      "Client addresses and CIDR blocks fanout.connections-per-ip does not count (the client address as resolved through "
      + "fanout.trusted-proxies). A reverse proxy on the node's own host must be in fanout.trusted-proxies, or every "
      + "client it forwards is exempt.");
  public static final Setting<Duration> HANDSHAKE_TIMEOUT = Setting.ofDuration("fanout.handshake-timeout",
      DEFAULT_HANDSHAKE_TIMEOUT,
      "A client connection is closed unless its first HTTP request (the WebSocket upgrade or the SockJS request) is "
      + "complete this long after the accept, however it trickles bytes. Never applies to an upgraded WebSocket. 0 turns it off.");
  public static final Setting<Duration> HTTP_IDLE_TIMEOUT = Setting.ofDuration("fanout.http-idle-timeout",
      DEFAULT_HTTP_IDLE_TIMEOUT,
      "A connection still plain HTTP after its first request (keep-alive) is closed unless its next request is complete "
      + "this long after the previous response ended, however it trickles bytes; a response in flight (a SockJS stream) "
      + "is never cut. Never applies to an upgraded WebSocket. 0 turns it off.");
  public static final Setting<List<String>> TRUSTED_PROXIES = Setting.ofList("fanout.trusted-proxies", List.of(),
      "Comma-separated addresses or CIDR blocks (10.0.0.0/8, fd00::/8) of load balancers whose X-Forwarded-For and PROXY "
      + "protocol headers name the client; from any other peer both are ignored. Empty: the TCP peer is the client.");
  public static final Setting<Boolean> PROXY_PROTOCOL = Setting.ofBoolean("fanout.proxy-protocol", false,
      "Every connection must start with a PROXY protocol v1 or v2 header (HAProxy, AWS NLB); its source address is the "
      + "client's only when the TCP peer is in fanout.trusted-proxies, which must then be set.");
  /**
   * How often the certificate and key files are read and compared with the pair in use: a renewed certificate (cert-manager, certbot)
   * is served within this time, and reading two small files every few seconds costs nothing.
   */
  public static final Duration DEFAULT_TLS_RELOAD_INTERVAL = Duration.ofSeconds(10);
  /** TLS 1.3 and 1.2 only: older versions have known weaknesses and no client of ours needs them. */
  public static final List<String> DEFAULT_TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  public static final Setting<String> TLS_CERT = Setting.ofString("fanout.tls-cert", null,
      "PEM file of the client port's certificate chain, leaf first; with fanout.tls-key it turns TLS on (wss://, https://). Unset: plain ws://.");
  public static final Setting<String> TLS_KEY = Setting.ofString("fanout.tls-key", null,
      "PEM file of the certificate's private key (PKCS#8 BEGIN PRIVATE KEY; PKCS#1 RSA and SEC1 EC keys also load).");
  public static final Setting<Duration> TLS_RELOAD_INTERVAL = Setting.ofDuration("fanout.tls-reload-interval",
      DEFAULT_TLS_RELOAD_INTERVAL,
      "How often the certificate and key files are read; a changed, valid pair is served to new connections without dropping open ones, a bad one is logged and counted and the old pair kept. 0 never reloads.");
  public static final Setting<List<String>> TLS_PROTOCOLS = Setting.ofList("fanout.tls-protocols", DEFAULT_TLS_PROTOCOLS,
      "TLS versions the client port accepts: TLSv1.3 and/or TLSv1.2 (older ones are refused as a setting).");

  /** The fanout's own settings, in documentation order. */
  public static final List<Setting<?>> FANOUT = List.of(HOST, PORT, ADMIN_HOST, ADMIN_PORT, PUBLIC_ADDRESS, INSTANCES, MAX_STREAMS,
      MAX_MESSAGES_PER_SECOND, SUBSCRIPTIONS_PER_SECOND, MAX_FRAME_BYTES, MAX_CONNECTIONS, SLOW_CLIENT_GRACE, WRITE_QUEUE_BYTES, MAX_OUTBOUND_BYTES,
      TCP_NOTSENT_LOWAT, SEND_BUFFER_BYTES, SOCKJS_STREAM_BYTES, TRANSPORT, PING_INTERVAL,
      PONG_TIMEOUT, DRAIN_DELAY, DRAIN_WINDOW, POLL_TIMEOUT, MAX_DATA_AGE, PARTITION_CHECK_INTERVAL, U_REBASE_AFTER,
      CONSUMER_MAX_FAILURES, EXPRESS, REBALANCE_ENABLED, REBALANCE_INTERVAL, REBALANCE_TOLERANCE, REBALANCE_MIN_EXCESS,
      REBALANCE_MAX_SHARE, REBALANCE_DAMPING, REBALANCE_JITTER, WEBSOCKET_TRANSPORT, EXCHANGE,
      CONNECTIONS_PER_IP, CONNECTIONS_PER_IP_WINDOW, CONNECTIONS_PER_IP_MAX_ADDRESSES, CONNECTIONS_PER_NETWORK,
      CONNECTIONS_PER_IP_EXEMPT, HTTP_CONNECTIONS_PER_IP, HTTP_MAX_REQUESTS_PER_CONNECTION, HANDSHAKE_TIMEOUT, HTTP_IDLE_TIMEOUT,
      TRUSTED_PROXIES, PROXY_PROTOCOL,
      TLS_CERT, TLS_KEY, TLS_RELOAD_INTERVAL, TLS_PROTOCOLS);

  /** Everything the fanout verticle resolves: its own settings, the Kafka connection and the topic. */
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>(FANOUT);
    all.addAll(AccessSettings.ALL);
    all.addAll(KafkaSettings.ALL);
    all.addAll(BookTickerTopic.ALL);
    ALL = List.copyOf(all);
  }

  private FanoutSettings() {
  }
}
