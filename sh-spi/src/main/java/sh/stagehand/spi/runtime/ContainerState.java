package sh.stagehand.spi.runtime;

/**
 * The lifecycle state of a container, as the engine reports it.
 */
public enum ContainerState
{
    CREATED,
    RUNNING,
    PAUSED,
    RESTARTING,
    REMOVING,
    EXITED,
    DEAD,
    /** A state this SPI does not know; treat it as not running. */
    UNKNOWN;

    public boolean isRunning()
    {
        return this == RUNNING || this == RESTARTING;
    }
}
