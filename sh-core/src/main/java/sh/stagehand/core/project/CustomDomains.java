package sh.stagehand.core.project;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.IDN;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A branch's custom domains, as Odoo.sh takes them in a branch's settings: a customer's own name
 * ({@code www.example.com}, {@code shop.exämple.de}) that reaches the branch once its DNS points
 * at the platform. Names are kept lowercase in their ASCII form (IDNA), without a final dot.
 */
public final class CustomDomains
{
    /** Odoo.sh takes a handful per branch; far more is a mistake, not a need. */
    public static final int MAX_PER_BRANCH = 50;

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern ALL_DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    private CustomDomains() {}

    /**
     * @param domains as a user typed them
     * @param platformDomain the platform's own domain, whose names are the platform's to give
     * @param reserved names no branch may take, normalized: the platform's own host
     * @return the domains normalized, in the order given, without repeats
     * @throws StagehandException {@code INVALID_ARGUMENT}, naming the domain and what is wrong with it
     */
    public static List<String> normalize(List<String> domains, String platformDomain, Set<String> reserved)
    {
        if (domains.size() > MAX_PER_BRANCH) {
            throw invalid("A branch takes at most " + MAX_PER_BRANCH + " custom domains; " + domains.size() + " were sent");
        }
        Set<String> normalized = new LinkedHashSet<>();
        for (String domain : domains) {
            String name = normalize(domain, platformDomain);
            // Checked once normalized: "stagehand。example。com" is "stagehand.example.com".
            if (reserved.contains(name)) {
                throw invalid("Custom domain '" + domain + "' is the platform's own name " + name + ": its pages and API would stop answering there");
            }
            normalized.add(name);
        }
        return new ArrayList<>(normalized);
    }

    /**
     * @return the host of a URL as {@link #normalize(String, String)} writes names, for the reserved ones
     */
    public static String hostOf(String url)
    {
        String host = java.net.URI.create(url).getHost();
        return host == null ? "" : host.toLowerCase(Locale.ROOT).replaceFirst("\\.$", "");
    }

    /**
     * @see #normalize(List, String, Set)
     */
    public static String normalize(String domain, String platformDomain)
    {
        if (domain == null || domain.isBlank()) {
            throw invalid("A custom domain is empty; send a host name such as www.example.com");
        }
        String name = domain.strip();
        if (name.contains("://") || name.contains("/") || name.contains(":") || name.contains("@")) {
            throw invalid("Custom domain '" + domain + "' is not a host name; send the name alone, such as www.example.com, without a scheme, port or path");
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        }
        catch (IllegalArgumentException e) {
            throw invalid("Custom domain '" + domain + "' is not a valid host name: " + e.getMessage());
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2 || ascii.length() > 253) {
            throw invalid("Custom domain '" + domain + "' is not a full domain name; send one such as www.example.com");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw invalid("Custom domain '" + domain + "' has an invalid label '" + label + "': labels are 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen");
            }
        }
        if (ALL_DIGITS_AND_DOTS.matcher(ascii).matches()) {
            throw invalid("Custom domain '" + domain + "' is an IP address; send a host name whose DNS points at the platform");
        }
        String platform = platformDomain.toLowerCase(Locale.ROOT);
        if (ascii.equals(platform) || ascii.endsWith("." + platform)) {
            throw invalid("Custom domain '" + domain + "' is under the platform's domain " + platform + ", whose names the platform gives its builds; use a domain of your own");
        }
        return ascii;
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, message);
    }
}
