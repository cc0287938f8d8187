package sh.stagehand.testkit.memory;

import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.testkit.BaseRuntimeProviderContractTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

class InMemoryRuntimeProviderTest
        extends BaseRuntimeProviderContractTest
{
    private static final String IMAGE = "memory/base:1";

    @TempDir
    Path images;

    private InMemoryRuntimeProvider provider;

    @Override
    protected RuntimeProvider provider()
    {
        if (provider == null) {
            provider = new InMemoryRuntimeProvider(images, Set.of(IMAGE), InMemoryRuntimeProviderTest::program);
        }
        return provider;
    }

    @Override
    protected String testImage()
    {
        return IMAGE;
    }

    // The commands below name a program and its arguments; each is run by a ContainerProgram.
    @Override
    protected List<String> printCommand(List<String> out, List<String> err, int exitCode)
    {
        List<String> command = new ArrayList<>(List.of("print", Integer.toString(exitCode)));
        out.forEach(line -> command.add("out:" + line));
        err.forEach(line -> command.add("err:" + line));
        return command;
    }

    @Override
    protected List<String> printSlowlyCommand(List<String> lines, Duration pause)
    {
        return Stream.concat(Stream.of("print-slowly", Long.toString(pause.toMillis())), lines.stream()).toList();
    }

    @Override
    protected List<String> sleepCommand()
    {
        return List.of("sleep");
    }

    @Override
    protected List<String> printFilesCommand(List<String> paths)
    {
        return Stream.concat(Stream.of("print-files"), paths.stream()).toList();
    }

    private static ContainerProgram program(ContainerSpec spec, ImageSpec image)
    {
        List<String> command = spec.command();
        List<String> arguments = command.subList(1, command.size());
        return switch (command.get(0)) {
            case "print" -> process -> {
                arguments.stream().skip(1).filter(argument -> argument.startsWith("out:")).forEach(line -> process.println(line.substring(4)));
                arguments.stream().skip(1).filter(argument -> argument.startsWith("err:")).forEach(line -> process.eprintln(line.substring(4)));
                return Integer.parseInt(arguments.get(0));
            };
            case "print-slowly" -> process -> {
                for (int i = 1; i < arguments.size(); i++) {
                    if (i > 1) {
                        Thread.sleep(Long.parseLong(arguments.get(0)));
                    }
                    process.println(arguments.get(i));
                }
                return 0;
            };
            case "sleep" -> process -> {
                process.awaitStop(Duration.ofDays(1));
                return 143;
            };
            case "print-files" -> process -> {
                for (String path : arguments) {
                    Path file = path.startsWith(image.targetDirectory() + "/")
                            ? process.imageDirectory().resolve(path.substring(image.targetDirectory().length() + 1))
                            : Path.of("/nonexistent-in-this-image");
                    if (Files.isRegularFile(file)) {
                        Files.readAllLines(file).forEach(process::println);
                    }
                    else {
                        process.println(Files.exists(file) ? "present" : "missing");
                    }
                }
                return 0;
            };
            default -> throw new IllegalArgumentException("No program " + command);
        };
    }
}
