package sh.stagehand.core.mail;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.testkit.BaseMailSinkContractTest;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryMailSinkTest
        extends BaseMailSinkContractTest
{
    private final InMemoryMailSink sink = new InMemoryMailSink(1000, Clock.systemUTC());

    @Override
    protected MailSink sink()
    {
        return sink;
    }

    @Test
    void testForgetsOldestBeyondLimit()
    {
        InMemoryMailSink small = new InMemoryMailSink(2, Clock.systemUTC());
        String first = small.accept(message("build", "one")).id();
        small.accept(message("build", "two"));
        small.accept(message("build", "three"));

        assertThat(small.list("build")).extracting(captured -> captured.message().subject()).containsExactly("two", "three");
        assertThat(small.get(first)).isEmpty();
    }
}
