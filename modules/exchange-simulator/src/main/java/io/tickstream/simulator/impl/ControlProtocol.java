package io.tickstream.simulator.impl;

import io.tickstream.common.protocol.ControlException;
import io.tickstream.common.protocol.ControlReplies;
import io.tickstream.common.protocol.ControlRequest;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's side of Binance's live control messages. Parsing, the parameter checks and every reply
 * text are {@link ControlRequest}'s, shared with the fanout node; this class adds what this exchange serves:
 * a throttled {@code @100ms} variant or {@code !bookTicker} (Binance has neither for book tickers) is refused
 * with code 2, and a {@code SUBSCRIBE} that would take the connection over its stream limit is refused whole
 * with code 2 {@code Invalid request: too many streams}; existing subscriptions stay. Symbols that are not
 * listed are accepted silently, as Binance does.
 *
 * <p><b>Threading:</b> confined to the simulator's context.
 */
final class ControlProtocol {

  private final StreamHub hub;

  ControlProtocol(StreamHub hub) {
    this.hub = hub;
  }

  /** Handles one text message from {@code c} and returns the reply to send. */
  String handle(StreamConnection c, String text) {
    try {
      ControlRequest r = ControlRequest.parse(text);
      return switch (r.method()) {
        case SUBSCRIBE -> subscribe(c, r, true);
        case UNSUBSCRIBE -> subscribe(c, r, false);
        case LIST_SUBSCRIPTIONS -> {
          r.checkNoParams();
          yield r.reply(new JsonArray(new ArrayList<>(c.subscriptions.keySet())));
        }
        case SET_PROPERTY -> {
          c.combined = r.setPropertyValue();
          yield r.reply(null);
        }
        case GET_PROPERTY -> {
          r.checkGetProperty();
          yield r.reply(c.combined);
        }
      };
    } catch (ControlException e) {
      return e.reply();
    }
  }

  private String subscribe(StreamConnection c, ControlRequest r, boolean subscribe) throws ControlException {
    List<StreamName> streams = r.streamNames();
    for (StreamName s : streams) {
      String problem = problem(s);
      if (problem != null) {
        throw ControlReplies.invalidRequest(problem, r.id());
      }
    }
    if (subscribe) {
      if (!hub.subscribe(c, streams)) {
        throw ControlReplies.invalidRequest("too many streams", r.id());
      }
    } else {
      hub.unsubscribe(c, streams);
    }
    return r.reply(null);
  }

  /** Why {@code text} is not a stream this exchange serves, or null if it is one. */
  static String problem(String text) {
    try {
      return problem(StreamName.parse(text));
    } catch (InvalidStreamNameException e) {
      return e.getMessage();
    }
  }

  /** Why {@code name}, a well-formed stream name, is not a stream this exchange serves, or null if it is one. */
  private static String problem(StreamName name) {
    if (name.isAllSymbols()) {
      return "stream '" + name + "' does not exist: !bookTicker was removed";
    }
    if (name.intervalMillis() != 0) {
      return "stream '" + name + "' does not exist: bookTicker streams have no update interval";
    }
    return null;
  }

  /** Parses a name {@link #problem} accepted. */
  static StreamName parseQuietly(String text) {
    try {
      return StreamName.parse(text);
    } catch (InvalidStreamNameException e) {
      throw new IllegalStateException(e);
    }
  }
}
