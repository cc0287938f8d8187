package sh.stagehand.core;

import io.micrometer.core.instrument.Gauge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.monitor.BuildTraffic;
import sh.stagehand.core.store.BuildSample;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sampler on sh-testkit's in-memory providers: a running build's figures and what the proxy
 * counted for it, its gauges while it runs and gone once it stops.
 */
class MonitoringTest
{
    @TempDir
    Path dataDirectory;

    private InMemoryPlatform fixture;

    @BeforeEach
    void setUp()
    {
        fixture = new InMemoryPlatform(dataDirectory);
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    @Test
    void testSamplesARunningBuildAndForgetsItOnceItStops()
    {
        Stagehand platform = fixture.platformWithProduction(fixture.runtime());
        Build production = InMemoryPlatform.latest(platform, "main");
        platform.sampler().sampleAll();
        BuildTraffic.Request answered = platform.traffic().begin(production.id());
        answered.end(200);
        platform.traffic().begin(production.id()).end(503);
        platform.traffic().begin(production.id()).end(429);

        List<BuildSample> round = platform.sampler().sampleAll();

        BuildSample sample = round.stream().filter(one -> one.buildId() == production.id()).findFirst().orElseThrow();
        assertThat(sample.successes()).isEqualTo(1);
        assertThat(sample.errors()).isEqualTo(1);
        assertThat(sample.limited()).isEqualTo(1);
        assertThat(sample.memoryBytes().orElseThrow()).isPositive();
        assertThat(sample.databaseBytes().orElseThrow()).isPositive();
        assertThat(sample.cpus()).isPresent();
        assertThat(sample.hourly()).isFalse();
        Gauge memory = platform.meters().find("stagehand.build.memory").tag("build", Long.toString(production.id())).gauge();
        assertThat(memory).isNotNull();
        assertThat(memory.value()).isEqualTo(sample.memoryBytes().getAsLong());

        platform.builds().discard(production.id());
        assertThat(platform.sampler().sampleAll()).noneMatch(one -> one.buildId() == production.id());
        assertThat(platform.meters().find("stagehand.build.memory").tag("build", Long.toString(production.id())).gauge()).isNull();
        assertThat(platform.traffic().total(production.id(), BuildTraffic.Outcome.SUCCESS)).as("forgotten").isZero();
    }
}
