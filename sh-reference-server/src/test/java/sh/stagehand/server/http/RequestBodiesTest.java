package sh.stagehand.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestBodiesTest
{
    @Test
    void testSizesAreSaidAsPeopleSayThem()
    {
        assertThat(RequestBodies.size(512)).isEqualTo("512 bytes");
        assertThat(RequestBodies.size(1L << 20)).isEqualTo("1 MiB");
        assertThat(RequestBodies.size(25L << 20)).isEqualTo("25 MiB");
        assertThat(RequestBodies.size(300L * 1000 * 1000)).isEqualTo("286.1 MiB");
        assertThat(RequestBodies.size(20L << 30)).isEqualTo("20 GiB");
    }

    @Test
    void testARefusalSaysTheLimitItsKeyAndWhatToDo()
    {
        RequestBodies.Limit limit = new RequestBodies.Limit(64L << 20, "The upload", "http.max-upload-bytes", "Send a smaller file.");
        assertThat(limit.declaredOver(300L << 20).getMessage())
                .isEqualTo("The upload of 300 MiB is larger than the 64 MiB this server takes (http.max-upload-bytes); nothing of it was stored. Send a smaller file.");
        assertThat(limit.goesOnPast().getMessage())
                .isEqualTo("The upload goes on past 64 MiB, the most this server takes (http.max-upload-bytes): it was cut off there and nothing of it was kept. Send a smaller file.");
    }
}
