package sh.stagehand.store.postgres;

import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;
import sh.stagehand.core.store.BuildSample;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.core.store.UptimeHour;
import sh.stagehand.store.postgres.internal.MetadataDatabase;
import sh.stagehand.store.postgres.internal.MetadataStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.store.postgres.internal.Columns.instant;

/**
 * The builds' samples in the metadata database's {@code build_samples}: a row a sample, raw or an
 * hour. Thread-safe.
 */
public final class PostgresMetricStore
        implements MetricStore
{
    private static final String INSERT = """
            INSERT INTO build_samples (project_id, branch, build_id, at, period_ms, hourly, cpus, memory_bytes, database_bytes, filestore_bytes,
                successes, errors, limited, p50_ms, p95_ms, concurrent, mails_sent, mails_caught)
            VALUES (:project, :branch, :build, :at, :period, :hourly, :cpus, :memory, :database, :filestore,
                :successes, :errors, :limited, :p50, :p95, :concurrent, :sent, :caught)
            """;

    private final MetadataStatements statements;

    PostgresMetricStore(MetadataDatabase database)
    {
        this.statements = requireNonNull(database, "database is null").statements();
    }

    @Override
    public void append(List<BuildSample> samples)
    {
        if (samples.isEmpty()) {
            return;
        }
        statements.inTransaction("store " + samples.size() + " build samples", handle -> {
            insert(handle.prepareBatch(INSERT), samples);
            return null;
        });
    }

    @Override
    public List<BuildSample> samples(String projectId, String branch, OptionalLong buildId, Instant from, Instant to, boolean hourly)
    {
        return statements.list("read the samples of " + projectId + "/" + branch, """
                        SELECT * FROM build_samples
                        WHERE project_id = :project AND branch = :branch AND hourly = :hourly AND at >= :from AND at < :to
                          AND (CAST(:build AS bigint) IS NULL OR build_id = :build)
                        ORDER BY at
                        """,
                query -> query.bind("project", projectId)
                        .bind("branch", branch)
                        .bind("hourly", hourly)
                        .bind("from", Timestamp.from(from))
                        .bind("to", Timestamp.from(to))
                        .bind("build", buildId.isPresent() ? buildId.getAsLong() : null),
                PostgresMetricStore::sample);
    }

    @Override
    public List<BuildSample> rawSamplesBefore(Instant before)
    {
        return statements.list("read the raw samples before " + before, "SELECT * FROM build_samples WHERE NOT hourly AND at < :before ORDER BY at",
                query -> query.bind("before", Timestamp.from(before)), PostgresMetricStore::sample);
    }

    @Override
    public void compact(List<BuildSample> hours, Instant rawBefore, Instant hoursBefore)
    {
        statements.inTransaction("roll up the build samples before " + rawBefore, handle -> {
            if (!hours.isEmpty()) {
                insert(handle.prepareBatch(INSERT), hours);
            }
            handle.createUpdate("DELETE FROM build_samples WHERE NOT hourly AND at < :before").bind("before", Timestamp.from(rawBefore)).execute();
            handle.createUpdate("DELETE FROM build_samples WHERE hourly AND at < :before").bind("before", Timestamp.from(hoursBefore)).execute();
            return null;
        });
    }

    private static void insert(PreparedBatch batch, List<BuildSample> samples)
    {
        for (BuildSample sample : samples) {
            batch.bind("project", sample.projectId())
                    .bind("branch", sample.branch())
                    .bind("build", sample.buildId())
                    .bind("at", Timestamp.from(sample.at()))
                    .bind("period", sample.period().toMillis())
                    .bind("hourly", sample.hourly())
                    .bind("cpus", sample.cpus().isPresent() ? sample.cpus().getAsDouble() : null)
                    .bind("memory", nullable(sample.memoryBytes()))
                    .bind("database", nullable(sample.databaseBytes()))
                    .bind("filestore", nullable(sample.filestoreBytes()))
                    .bind("successes", sample.successes())
                    .bind("errors", sample.errors())
                    .bind("limited", sample.limited())
                    .bind("p50", sample.p50Millis().isPresent() ? sample.p50Millis().getAsDouble() : null)
                    .bind("p95", sample.p95Millis().isPresent() ? sample.p95Millis().getAsDouble() : null)
                    .bind("concurrent", sample.concurrent())
                    .bind("sent", sample.mailsSent())
                    .bind("caught", sample.mailsCaught())
                    .add();
        }
        batch.execute();
    }

    private static Long nullable(OptionalLong value)
    {
        return value.isPresent() ? value.getAsLong() : null;
    }

    private static BuildSample sample(ResultSet row, StatementContext context)
            throws SQLException
    {
        return new BuildSample(row.getString("project_id"), row.getString("branch"), row.getLong("build_id"), instant(row, "at"),
                Duration.ofMillis(row.getLong("period_ms")), row.getBoolean("hourly"),
                optionalDouble(row, "cpus"), optionalLong(row, "memory_bytes"), optionalLong(row, "database_bytes"), optionalLong(row, "filestore_bytes"),
                row.getLong("successes"), row.getLong("errors"), row.getLong("limited"),
                optionalDouble(row, "p50_ms"), optionalDouble(row, "p95_ms"),
                row.getInt("concurrent"), row.getLong("mails_sent"), row.getLong("mails_caught"));
    }

    private static OptionalDouble optionalDouble(ResultSet row, String column)
            throws SQLException
    {
        double value = row.getDouble(column);
        return row.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    private static OptionalLong optionalLong(ResultSet row, String column)
            throws SQLException
    {
        long value = row.getLong(column);
        return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
    }

    @Override
    public void recordProbe(String projectId, Instant at, UptimeHour.Probe probe)
    {
        String column = switch (probe) {
            case UP -> "up";
            case DOWN -> "down";
            case MAINTENANCE -> "maintenance";
        };
        statements.update("count a probe of " + projectId + "'s production", """
                        INSERT INTO production_uptime (project_id, hour, %1$s) VALUES (:project, :hour, 1)
                        ON CONFLICT (project_id, hour) DO UPDATE SET %1$s = production_uptime.%1$s + 1
                        """.formatted(column),
                update -> update.bind("project", projectId).bind("hour", Timestamp.from(at.truncatedTo(ChronoUnit.HOURS))));
    }

    @Override
    public List<UptimeHour> uptime(String projectId, Instant from, Instant to)
    {
        return statements.list("read the uptime of " + projectId + "'s production", """
                        SELECT * FROM production_uptime WHERE project_id = :project AND hour >= :from AND hour < :to ORDER BY hour
                        """,
                query -> query.bind("project", projectId).bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to)),
                (row, context) -> new UptimeHour(row.getString("project_id"), instant(row, "hour"), row.getInt("up"), row.getInt("down"), row.getInt("maintenance")));
    }

    @Override
    public void forgetUptime(Instant before)
    {
        statements.update("forget production's uptime before " + before, "DELETE FROM production_uptime WHERE hour < :before", update -> update.bind("before", Timestamp.from(before)));
    }
}
