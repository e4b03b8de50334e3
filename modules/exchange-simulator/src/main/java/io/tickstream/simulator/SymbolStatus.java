package io.tickstream.simulator;

/** A symbol's trading status as {@code exchangeInfo} reports it. Only {@link #TRADING} symbols tick. */
public enum SymbolStatus {
  TRADING, END_OF_DAY, HALT, BREAK, CANCEL_ONLY
}
