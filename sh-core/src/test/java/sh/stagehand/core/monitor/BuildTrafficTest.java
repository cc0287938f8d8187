package sh.stagehand.core.monitor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BuildTrafficTest
{
    private final BuildTraffic traffic = new BuildTraffic();

    @Test
    void testCountsEachRequestOnceByOutcome()
    {
        for (int status : new int[] {200, 302, 404, 500, 502, 0, 429}) {
            BuildTraffic.Request request = traffic.begin(7);
            request.end(status);
            // The proxy's own finally: counted already.
            request.end(0);
        }
        BuildTraffic.Tally tally = traffic.drain(7);
        assertThat(tally.successes()).isEqualTo(3);
        assertThat(tally.errors()).isEqualTo(3);
        assertThat(tally.limited()).isEqualTo(1);
        assertThat(tally.p50Millis()).isPresent();
        assertThat(tally.p95Millis().getAsDouble()).isGreaterThanOrEqualTo(tally.p50Millis().getAsDouble());
        assertThat(traffic.total(7, BuildTraffic.Outcome.SUCCESS)).isEqualTo(3);

        // The next round starts from nothing; the totals stay.
        BuildTraffic.Tally next = traffic.drain(7);
        assertThat(next.successes() + next.errors() + next.limited()).isZero();
        assertThat(next.p50Millis()).isEmpty();
        assertThat(traffic.total(7, BuildTraffic.Outcome.ERROR)).isEqualTo(3);
        assertThat(traffic.drain(8)).isEqualTo(BuildTraffic.Tally.NONE);
    }

    @Test
    void testCountsTheMostRequestsAtOnceAcrossRounds()
    {
        BuildTraffic.Request first = traffic.begin(1);
        BuildTraffic.Request second = traffic.begin(1);
        BuildTraffic.Request third = traffic.begin(1);
        third.end(200);
        assertThat(traffic.drain(1).concurrent()).isEqualTo(3);
        // Two still in progress when the round ended: the next one had them at once.
        first.end(200);
        assertThat(traffic.drain(1).concurrent()).isEqualTo(2);
        second.end(200);
        assertThat(traffic.drain(1).concurrent()).isEqualTo(1);
        assertThat(traffic.drain(1).concurrent()).isZero();
    }

    @Test
    void testCountsEveryRequestOfAFloodInFixedMemory()
    {
        int flood = BuildTraffic.RESERVOIR * 3;
        for (int i = 0; i < flood; i++) {
            traffic.begin(2).end(200);
        }
        BuildTraffic.Tally tally = traffic.drain(2);
        assertThat(tally.successes()).isEqualTo(flood);
        assertThat(tally.p95Millis()).isPresent();
    }

    @Test
    void testCountsMail()
    {
        traffic.mailCaught(3);
        traffic.mailCaught(3);
        traffic.mailSent(3);
        BuildTraffic.Tally tally = traffic.drain(3);
        assertThat(tally.mailsCaught()).isEqualTo(2);
        assertThat(tally.mailsSent()).isEqualTo(1);
    }
}
