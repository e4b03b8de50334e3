package io.tickstream.fanout.impl.transport;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * How many bytes a client socket holds that the kernel has not sent yet: Linux's {@code tcpi_notsent_bytes}, read
 * with {@code getsockopt(fd, SOL_TCP, TCP_INFO)}.
 *
 * <p>Why the node needs it: Linux bounds a socket's unsent data ({@code TCP_NOTSENT_LOWAT}, {@code SO_SNDBUF}) only
 * when a write needs a new segment; bytes appended to the last unsent segment are not checked, and that segment grows
 * up to half the peer's window (64 KB here). For a slow client that is seconds of stale ticks the node cannot replace
 * ({@code docs/benchmarks.md}, "Slow links"). With the count, {@link SlowLinkFit} writes to a slow client only while
 * little is unsent. Netty's {@code EpollTcpInfo} stops before that field, so it is read here.
 *
 * <p>How: the JDK's foreign-function API (final in JDK 22), looked up by reflection so that the module still builds for
 * JDK 21 and runs there: on JDK 21, on a transport without a file descriptor (NIO), or where the call fails,
 * {@link #of} answers -1 and the node relies on {@code TCP_NOTSENT_LOWAT} and the socket buffer alone. The JDK prints a
 * one-time warning for the restricted call unless the process runs with {@code --enable-native-access=ALL-UNNAMED}
 * (the role jars' manifests say so).
 *
 * <p>Threading: any thread; each thread has its own two small native buffers (allocated once, never freed). Cost: one
 * system call, asked only of connections that have fallen behind.
 */
final class TcpUnsentBytes {

  private static final Logger log = LoggerFactory.getLogger(TcpUnsentBytes.class);
  private static final int SOL_TCP = 6;
  private static final int TCP_INFO = 11;
  /** {@code struct tcp_info} up to and including {@code tcpi_notsent_bytes} (Linux 4.6+), rounded up. */
  private static final int INFO_BYTES = 160;
  private static final long NOTSENT_OFFSET = 144;

  /** Null where unavailable (JDK 21, not Linux, the lookup failed). */
  private static final TcpUnsentBytes INSTANCE = create();

  private final MethodHandle getsockopt;
  private final MethodHandle getInt;
  private final MethodHandle setInt;
  private final Object intLayout;
  private final ThreadLocal<Object[]> buffers;

  private TcpUnsentBytes(MethodHandle getsockopt, MethodHandle getInt, MethodHandle setInt, Object intLayout,
                         MethodHandle allocate, Object arena) {
    this.getsockopt = getsockopt;
    this.getInt = getInt;
    this.setInt = setInt;
    this.intLayout = intLayout;
    this.buffers = ThreadLocal.withInitial(() -> {
      try {
        return new Object[] {allocate.invoke(arena, (long) INFO_BYTES), allocate.invoke(arena, 4L)};
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** True where {@link #of} can answer. */
  static boolean available() {
    return INSTANCE != null;
  }

  /** Bytes {@code channel}'s socket holds unsent, or -1 if that cannot be known here. */
  static long of(Channel channel) {
    if (INSTANCE == null || !(channel instanceof UnixChannel unix) || !channel.isOpen()) {
      return -1;
    }
    return INSTANCE.read(unix.fd().intValue());
  }

  private long read(int fd) {
    try {
      Object[] b = buffers.get();
      setInt.invoke(b[1], intLayout, 0L, INFO_BYTES);
      int rc = (int) getsockopt.invoke(fd, SOL_TCP, TCP_INFO, b[0], b[1]);
      if (rc != 0 || (int) getInt.invoke(b[1], intLayout, 0L) < NOTSENT_OFFSET + 4) {
        return -1;
      }
      return Integer.toUnsignedLong((int) getInt.invoke(b[0], intLayout, NOTSENT_OFFSET));
    } catch (Throwable e) {
      return -1;
    }
  }

  private static TcpUnsentBytes create() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux") || Runtime.version().feature() < 22) {
      return null;
    }
    try {
      Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
      Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
      Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
      Class<?> ofIntC = Class.forName("java.lang.foreign.ValueLayout$OfInt");
      Class<?> descriptorC = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
      Class<?> allocatorC = Class.forName("java.lang.foreign.SegmentAllocator");

      Object linker = linkerC.getMethod("nativeLinker").invoke(null);
      Object lookup = linkerC.getMethod("defaultLookup").invoke(linker);
      Optional<?> symbol = (Optional<?>) lookupC.getMethod("find", String.class).invoke(lookup, "getsockopt");
      if (symbol.isEmpty()) {
        return null;
      }
      Object intLayout = valueLayoutC.getField("JAVA_INT").get(null);
      Object address = valueLayoutC.getField("ADDRESS").get(null);
      Object args = Array.newInstance(layoutC, 5);
      Array.set(args, 0, intLayout);
      Array.set(args, 1, intLayout);
      Array.set(args, 2, intLayout);
      Array.set(args, 3, address);
      Array.set(args, 4, address);
      Object descriptor = descriptorC.getMethod("of", layoutC, args.getClass()).invoke(null, intLayout, args);
      Object noOptions = Array.newInstance(optionC, 0);
      MethodHandle getsockopt = (MethodHandle) linkerC.getMethod("downcallHandle", segmentC, descriptorC,
          noOptions.getClass()).invoke(linker, symbol.get(), descriptor, noOptions);
      MethodHandles.Lookup l = MethodHandles.publicLookup();
      Method get = segmentC.getMethod("get", ofIntC, long.class);
      Method set = segmentC.getMethod("set", ofIntC, long.class, int.class);
      Method allocate = allocatorC.getMethod("allocate", long.class);
      Object arena = arenaC.getMethod("global").invoke(null);
      TcpUnsentBytes t = new TcpUnsentBytes(getsockopt, l.unreflect(get), l.unreflect(set), intLayout,
          l.unreflect(allocate), arena);
      return t;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      log.debug("A socket's unsent bytes cannot be read here: {}", e.toString());
      return null;
    }
  }
}
