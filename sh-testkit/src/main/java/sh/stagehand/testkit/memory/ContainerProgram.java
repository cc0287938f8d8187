package sh.stagehand.testkit.memory;

import com.sun.net.httpserver.HttpHandler;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageSpec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a container of an {@link InMemoryRuntimeProvider} does, on a thread of its own: it returns
 * its exit code, or is killed (exit 137) when a stop's grace period ends or it is removed.
 */
@FunctionalInterface
public interface ContainerProgram
{
    int run(Process process)
            throws Exception;

    /**
     * Picks the program a container runs, from its spec (its command, its labels) and its image.
     */
    @FunctionalInterface
    interface Factory
    {
        ContainerProgram programFor(ContainerSpec spec, ImageSpec image);
    }

    /**
     * The container as its program sees it.
     */
    interface Process
    {
        ContainerSpec spec();

        /**
         * @return where the image's sources are (what the image holds at its target directory)
         */
        Path imageDirectory();

        /**
         * @return the host path a path in the container reaches through its mounts
         * @throws IllegalArgumentException if no mount reaches it
         */
        Path hostPath(String containerPath);

        /**
         * Writes a line to the container's standard output.
         */
        void println(String line);

        /**
         * Writes a line to the container's standard error.
         */
        void eprintln(String line);

        /**
         * Serves HTTP on a container port, published on a free loopback port of the host until the
         * container ends.
         */
        void serve(int containerPort, HttpHandler handler);

        /**
         * Waits until the container is asked to stop (a stop, a removal).
         *
         * @return whether it was asked within {@code timeout}
         */
        boolean awaitStop(Duration timeout)
                throws InterruptedException;
    }
}
