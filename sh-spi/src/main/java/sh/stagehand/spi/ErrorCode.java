package sh.stagehand.spi;

import static java.util.Objects.requireNonNull;

/**
 * A stable, machine-readable failure identity.
 *
 * <p>Codes are grouped by module so that they never collide: {@code 0x0000_xxxx} standard codes,
 * {@code 0x0001_xxxx} sh-core, {@code 0x0002_xxxx} sh-postgres, {@code 0x0003_xxxx} sh-docker,
 * {@code 0x0004_xxxx} sh-github, {@code 0x0010_xxxx} sh-reference-server (none yet); third-party plugins use
 * {@code 0x0100_0000} and above.
 *
 * @param code unique number, never reused
 * @param name unique upper-case name, e.g. {@code NOT_FOUND}
 * @param type who has to act
 */
public record ErrorCode(int code, String name, ErrorType type)
{
    public ErrorCode
    {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        if (code < 0) {
            throw new IllegalArgumentException("code is negative: " + code);
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("name is blank");
        }
    }

    @Override
    public String toString()
    {
        return name + ":" + code;
    }
}
