package sh.stagehand.spi.runtime;

/**
 * A terminal's size in character cells, as a terminal emulator or an SSH client reports it.
 */
public record TerminalSize(int columns, int rows)
{
    public static final int MAX = 1000;
    public static final TerminalSize DEFAULT = new TerminalSize(80, 24);

    public TerminalSize
    {
        if (columns < 1 || columns > MAX || rows < 1 || rows > MAX) {
            throw new IllegalArgumentException("A terminal is 1 to " + MAX + " columns wide and rows high, not " + columns + "x" + rows);
        }
    }
}
